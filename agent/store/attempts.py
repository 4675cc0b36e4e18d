"""What earlier rounds say about the candidate: the latest attempt at each question, and which ideas showed.

Both read the stored turns' JSON directly and only the keys they need, so a
practice loop can look back over many rounds without rebuilding each one,
and a damaged row costs only that row: an earlier attempt is read from what
is intact.
"""

from __future__ import annotations

from collections.abc import Mapping, Set
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError
from sqlalchemy import ColumnElement, Connection, select

from agent.interview.records import SignalHit
from agent.interview.scorecard import PreviousAttempt
from agent.store.schema import rounds, turns

if TYPE_CHECKING:
    from agent.content.models import Question


@dataclass(frozen=True, slots=True)
class SignalOutcome:
    """Whether one rubric signal showed up in one answered question of one round."""

    round_id: str
    question_id: str
    signal_id: str
    polarity: str  # strong | weak
    hit: bool


def latest_attempts(conn: Connection, wanted: Set[str], visible: ColumnElement[bool],
                    before_round_id: str | None) -> dict[str, PreviousAttempt]:
    """For each of the ``wanted`` questions, the latest scored attempt among the ``visible`` rounds stored
    before ``before_round_id`` (every round, when that one is not stored yet).
    """
    found: dict[str, PreviousAttempt] = {}
    limit_n = None
    if before_round_id is not None:
        limit_n = conn.execute(select(rounds.c.n).where(rounds.c.id == before_round_id)).scalar()
    query = (
        select(rounds.c.n, turns.c.round_id, turns.c.question_id, turns.c.payload)
        .join(rounds, rounds.c.id == turns.c.round_id)
        .where(turns.c.question_id.in_(sorted(wanted)), turns.c.speaker == "candidate", visible)
        .order_by(rounds.c.n.desc(), turns.c.seq)
    )
    if limit_n is not None:
        query = query.where(rounds.c.n < limit_n)
    current_n: int | None = None
    group: dict[str, _Attempt] = {}
    for row in conn.execute(query.execution_options(yield_per=200)):
        if row.n != current_n:
            _settle(group, found)
            if wanted <= found.keys():
                break
            current_n, group = row.n, {}
        if row.question_id in found:
            continue
        group.setdefault(row.question_id, _Attempt(row.round_id)).add(row.payload)
    else:
        _settle(group, found)
    return found


def signal_outcomes(conn: Connection, visible: ColumnElement[bool], limit_rounds: int,
                    questions: Mapping[str, Question] | None) -> list[SignalOutcome]:
    """Signal outcomes over the latest ``limit_rounds`` visible rounds, most recent round first
    (see ``Store.signal_history``).
    """
    latest = select(rounds.c.id).where(visible).order_by(rounds.c.n.desc()).limit(max(0, limit_rounds))
    recent = list(conn.execute(latest).scalars())
    if not recent:
        return []
    rows = conn.execute(
        select(turns.c.round_id, turns.c.question_id, turns.c.payload)
        .where(turns.c.round_id.in_(recent), turns.c.speaker == "candidate", turns.c.question_id.is_not(None))
        .order_by(turns.c.round_id, turns.c.seq)
    ).all()
    shown_: dict[tuple[str, str], dict[str, str]] = {}
    for row in rows:
        assessment = (row.payload or {}).get("assessment")
        if not assessment:
            continue
        hits = shown_.setdefault((row.round_id, row.question_id), {})
        for signal in assessment.get("signals", ()):
            if _shown(signal):  # a named-only or rejected idea is still one to practise
                hits.setdefault(signal["id"], signal["polarity"])
    order = {rid: i for i, rid in enumerate(recent)}
    outcomes: list[SignalOutcome] = []
    for (rid, qid), hits in sorted(shown_.items(), key=lambda kv: (order[kv[0][0]], kv[0][1])):
        question = questions.get(qid) if questions is not None else None
        if question is None:
            outcomes.extend(SignalOutcome(rid, qid, sid, pol, True) for sid, pol in hits.items())
            continue
        outcomes.extend(SignalOutcome(rid, qid, s.id, s.polarity.value, s.id in hits) for s in question.signals)
    return outcomes


class _Attempt:
    """Accumulates one question's candidate turns within one round."""

    __slots__ = ("round_id", "score", "hit_ids")

    def __init__(self, round_id: str) -> None:
        self.round_id = round_id
        self.score: int | None = None
        self.hit_ids: list[str] = []

    def add(self, payload: dict[str, Any]) -> None:
        assessment = payload.get("assessment") if isinstance(payload, dict) else None
        if not isinstance(assessment, dict):
            return  # nothing scored here, or a damaged row: an earlier attempt is read from what is intact
        if payload.get("question_score") is not None:
            self.score = int(payload["question_score"])
        for signal in assessment.get("signals", ()):
            if signal.get("polarity") == "strong" and _shown(signal) and signal["id"] not in self.hit_ids:
                self.hit_ids.append(signal["id"])


def _settle(group: dict[str, _Attempt], found: dict[str, PreviousAttempt]) -> None:
    for qid, attempt in group.items():
        if qid not in found and attempt.score is not None:
            found[qid] = PreviousAttempt(round_id=attempt.round_id, score=attempt.score,
                                         hit_ids=attempt.hit_ids)


def _shown(signal: dict[str, Any]) -> bool:
    """Did a stored signal count: a strong idea explained, or a weak one the candidate proposed?"""
    try:
        hit = SignalHit.model_validate(signal)
    except ValidationError:
        return False
    return hit.explained if hit.polarity == "strong" else hit.credited
