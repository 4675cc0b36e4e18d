"""What travels with a round that was fitted to a job ad: the ad's own words behind each choice.

The ad itself stays where the candidate gave it (the CLI, or the web app that
read it); only these short quotes go on, through the worker's job metadata to
the round, its stored metadata and its report. They are bounded so the
metadata stays small whatever the ad held, and checked on the way in because
the worker trusts nothing it did not check itself.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

MAX_QUOTE_CHARS = 80  # one short clause of the ad around the words that matched
MAX_QUOTES = 2  # per question, and for the track
MAX_REASONS = 14  # one per question, at most a round's worth


class FitError(ValueError):
    """A malformed fit; ``field`` is the path inside it, and the value is never echoed."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@dataclass(frozen=True, slots=True)
class FitReason:
    """Words of the ad that led to one question."""

    question_id: str
    quotes: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class AdFit:
    """How a round was fitted to an ad; empty when nothing in the ad matched a rule."""

    track_quotes: tuple[str, ...] = ()
    reasons: tuple[FitReason, ...] = ()

    @property
    def matched(self) -> bool:
        return bool(self.track_quotes or self.reasons)

    def to_dict(self) -> dict[str, Any]:
        return {"track_quotes": list(self.track_quotes),
                "reasons": [{"question": r.question_id, "quotes": list(r.quotes)} for r in self.reasons]}

    @classmethod
    def from_dict(cls, data: object, question_ids: Collection[str] | None = None) -> AdFit:
        """Check and rebuild a fit; ``question_ids`` (when given) are the only questions a reason may name."""
        if not isinstance(data, dict):
            raise FitError("fit", "expected an object with track_quotes and reasons")
        unknown = sorted(set(data) - {"track_quotes", "reasons"})
        if unknown:
            raise FitError(f"fit.{unknown[0]}", "unknown field")
        track_quotes = _quotes(data.get("track_quotes", []), "fit.track_quotes")
        raw = data.get("reasons", [])
        if not isinstance(raw, list) or len(raw) > MAX_REASONS:
            raise FitError("fit.reasons", f"expected a list of at most {MAX_REASONS} reasons")
        reasons = []
        for i, item in enumerate(raw):
            where = f"fit.reasons[{i}]"
            if not isinstance(item, dict) or set(item) != {"question", "quotes"}:
                raise FitError(where, "expected an object with question and quotes")
            qid = item["question"]
            if not isinstance(qid, str) or (question_ids is not None and qid not in question_ids):
                raise FitError(f"{where}.question", "not a question of this round")
            quotes = _quotes(item["quotes"], f"{where}.quotes")
            if not quotes:
                raise FitError(f"{where}.quotes", "expected at least one quote")
            reasons.append(FitReason(qid, quotes))
        return cls(track_quotes=track_quotes, reasons=tuple(reasons))


def _quotes(value: object, where: str) -> tuple[str, ...]:
    if not isinstance(value, list) or len(value) > MAX_QUOTES:
        raise FitError(where, f"expected a list of at most {MAX_QUOTES} quotes")
    if any(not isinstance(q, str) or not q.strip() or len(q) > MAX_QUOTE_CHARS for q in value):
        raise FitError(where, f"each quote must be text of 1 to {MAX_QUOTE_CHARS} characters")
    return tuple(value)
