"""What travels with a round that was fitted to a job ad: the ad's own words behind each choice.

The ad itself stays where the candidate gave it (the CLI, or the web app that
read it); only these short quotes go on, through the worker's job metadata to
the round, its stored metadata and its report. They are bounded so the
metadata stays small whatever the ad held, and checked on the way in because
the worker trusts nothing it did not check itself.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Annotated

from pydantic import (
    AfterValidator,
    AliasChoices,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    ValidationInfo,
    field_validator,
)
from pydantic_core import ErrorDetails

from agent.interview._record import Record

MAX_QUOTE_CHARS = 80  # one short clause of the ad around the words that matched
MAX_QUOTES = 2  # per question, and for the track
MAX_REASONS = 14  # one per question, at most a round's worth
_QUOTE_RULE = f"each quote must be text of 1 to {MAX_QUOTE_CHARS} characters"
_QUOTE_LIST = f"expected a list of at most {MAX_QUOTES} quotes"
_REASON_SHAPE = "expected an object with question and quotes"


class FitError(ValueError):
    """A malformed fit; ``field`` is the path inside it, and the value is never echoed."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


def _not_blank(quote: str) -> str:
    if not quote.strip():
        raise ValueError(_QUOTE_RULE)
    return quote


Quote = Annotated[str, StringConstraints(min_length=1, max_length=MAX_QUOTE_CHARS), AfterValidator(_not_blank)]


class FitReason(Record):
    """Words of the ad that led to one question (written as ``{"question", "quotes"}``)."""

    model_config = ConfigDict(extra="forbid")

    question_id: str = Field(serialization_alias="question", validation_alias=AliasChoices("question", "question_id"))
    quotes: tuple[Quote, ...] = Field(min_length=1, max_length=MAX_QUOTES)

    @field_validator("question_id")
    @classmethod
    def _of_this_round(cls, qid: str, info: ValidationInfo) -> str:
        allowed = (info.context or {}).get("question_ids")
        if allowed is not None and qid not in allowed:
            raise ValueError("not a question of this round")
        return qid


class AdFit(Record):
    """How a round was fitted to an ad; empty when nothing in the ad matched a rule."""

    model_config = ConfigDict(extra="forbid")

    track_quotes: tuple[Quote, ...] = Field(default=(), max_length=MAX_QUOTES)
    reasons: tuple[FitReason, ...] = Field(default=(), max_length=MAX_REASONS)

    @property
    def matched(self) -> bool:
        return bool(self.track_quotes or self.reasons)

    @classmethod
    def checked(cls, data: object, question_ids: Collection[str] | None = None) -> AdFit:
        """Read a fit from untrusted JSON data, or raise ``FitError`` naming the one field at fault.

        ``question_ids`` (when given) are the only questions a reason may name.
        """
        try:
            return cls.model_validate(data, context={"question_ids": question_ids})
        except ValidationError as exc:
            errors = exc.errors()
            first = next((e for e in errors if e["type"] == "extra_forbidden" and len(e["loc"]) == 1), errors[0])
            raise _fit_error(first) from None


def _fit_error(error: ErrorDetails) -> FitError:
    """The field path and a fixed message for one validation error (the offending value is never quoted)."""
    loc, kind = error["loc"], error["type"]
    if not loc:
        return FitError("fit", "expected an object with track_quotes and reasons")
    if len(loc) == 1 and kind == "extra_forbidden":
        return FitError(f"fit.{loc[0]}", "unknown field")
    if loc[0] == "track_quotes":
        return FitError("fit.track_quotes", _QUOTE_LIST if len(loc) == 1 else _QUOTE_RULE)
    if len(loc) == 1:
        return FitError("fit.reasons", f"expected a list of at most {MAX_REASONS} reasons")
    reason = f"fit.reasons[{loc[1]}]"
    if len(loc) == 2 or kind in ("missing", "extra_forbidden"):
        return FitError(reason, _REASON_SHAPE)
    if loc[2] in ("question", "question_id"):
        return FitError(f"{reason}.question", "not a question of this round")
    if len(loc) > 3:
        return FitError(f"{reason}.quotes", _QUOTE_RULE)
    return FitError(f"{reason}.quotes", "expected at least one quote" if kind == "too_short" else _QUOTE_LIST)
