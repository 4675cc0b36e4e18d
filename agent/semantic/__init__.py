"""Assessment backends beyond the cues: built by the entry points, never imported by the interview core."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from agent.content.models import Lexicon
    from agent.interview.assess import CueAssessor

ASSESSORS = ("semantic", "cues")
DEFAULT_ASSESSOR = "semantic"
ASSESSOR_ENV = "INTERVIEWER_ASSESSOR"


def chosen_assessor(explicit: str | None = None) -> str:
    """The backend to use: an explicit choice, else ``$INTERVIEWER_ASSESSOR``, else semantic."""
    kind = explicit or os.environ.get(ASSESSOR_ENV) or DEFAULT_ASSESSOR
    if kind not in ASSESSORS:
        raise ValueError(f"unknown assessor '{kind}'; choose one of {', '.join(ASSESSORS)}")
    return kind


def make_assessor(lexicon: Lexicon, kind: str | None = None) -> CueAssessor:
    """The assessor for ``kind`` (see ``chosen_assessor``); the encoder is loaded once per process."""
    from agent.interview.assess import CueAssessor

    if chosen_assessor(kind) == "cues":
        return CueAssessor(lexicon)
    from agent.semantic.assessor import SemanticAssessor
    from agent.semantic.encoder import shared_encoder

    return SemanticAssessor(lexicon, shared_encoder())
