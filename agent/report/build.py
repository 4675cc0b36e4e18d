"""The shipped bank's questions for long-lived servers that render many reports.

The scorecard itself is rebuilt in the core (``agent.interview.scorecard.load_scorecard``).
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from agent.content.models import Question


@lru_cache(maxsize=1)
def bank_questions() -> Mapping[str, Question]:
    """The shipped bank's questions, loaded once per process (long-lived servers render many reports)."""
    from agent.content.loader import load_bank

    return load_bank().questions
