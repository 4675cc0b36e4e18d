"""Rebuilding a stored round's scorecard.

The scorecard is never stored: it is derived from the round's turns, the
bank's rubric and the candidate's earlier attempts each time a report is
made, so a rubric fix in the bank improves old reports too, and a round that
never finished still yields a partial one.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import TYPE_CHECKING

from agent.interview.scorecard import Scorecard, build_scorecard

if TYPE_CHECKING:
    from agent.content.models import Question
    from agent.store import Store


def load_scorecard(store: Store, questions: Mapping[str, Question], round_id: str) -> Scorecard:
    """The scorecard of a stored round; partial unless the round was marked completed.

    Raises ``agent.store.UnknownRound`` for an id that is not stored.
    """
    meta, status, turns = store.get_round(round_id)
    known = {qid: questions[qid] for qid in meta.question_ids if qid in questions}
    previous = store.previous_attempts(list(meta.question_ids), before_round_id=round_id)
    return build_scorecard(meta, turns, known, completed=status == "completed", previous=previous)


@lru_cache(maxsize=1)
def bank_questions() -> Mapping[str, Question]:
    """The shipped bank's questions, loaded once per process (long-lived servers render many reports)."""
    from agent.content.loader import load_bank

    return load_bank().questions
