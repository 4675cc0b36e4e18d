"""The one check of a spoken-round request, shared by the web app and the worker.

A browser asks the web app for a round; the web app passes the same choice to
the worker as job metadata, and the worker checks it again because it trusts
nothing it did not check itself. Both checks are this function, so the limits
and the error wording cannot drift apart, and neither side imports the other.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from agent.interview.fit import AdFit, FitError

MIN_MINUTES = 3
MAX_MINUTES = 90
MAX_QUESTIONS = 14
BASE_FIELDS = frozenset({"persona", "track", "minutes"})


class Offered(Protocol):
    """What a persona must say about itself for a request to be checked against it."""

    @property
    def tracks(self) -> Sequence[object]: ...

    @property
    def default_minutes(self) -> int: ...


class RequestError(ValueError):
    """A bad field in a round request; ``field`` names it, and the value is never echoed."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@dataclass(frozen=True, slots=True)
class RoundChoice:
    """A checked request: a known persona, one of its tracks, a length in range, known questions."""

    persona: str
    track: str
    minutes: int
    questions: tuple[str, ...] = ()
    fit: AdFit | None = None  # the round was fitted to a job ad: the ad's words behind the questions


def choose_round(data: object, personas: Mapping[str, Offered], *,
                 question_ids: Collection[str] | None = None,
                 also_allowed: Collection[str] = ()) -> RoundChoice:
    """Check ``{"persona", "track", "minutes"}`` (plus ``questions`` and ``fit`` when ``question_ids`` is given).

    ``fit`` is how a job ad chose the questions (``agent.interview.fit``); its reasons may name only the
    request's own questions.

    ``also_allowed`` names extra fields the caller checks itself; any other field is refused.
    """
    if not isinstance(data, dict):
        raise RequestError("body", "expected a JSON object with persona, track and minutes")
    allowed = BASE_FIELDS | set(also_allowed) | ({"questions", "fit"} if question_ids is not None else set())
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise RequestError(unknown[0], "unknown field")
    persona_id = data.get("persona")
    if not isinstance(persona_id, str) or persona_id not in personas:
        raise RequestError("persona", "unknown persona id")
    persona = personas[persona_id]
    tracks = [str(t) for t in persona.tracks]
    track = data.get("track", tracks[0] if tracks else None)
    if not isinstance(track, str) or track not in tracks:
        raise RequestError("track", f"must be one of {', '.join(tracks)}")
    minutes = data.get("minutes", persona.default_minutes)
    if isinstance(minutes, bool) or not isinstance(minutes, int) or not MIN_MINUTES <= minutes <= MAX_MINUTES:
        raise RequestError("minutes", f"must be a whole number from {MIN_MINUTES} to {MAX_MINUTES}")
    questions = data.get("questions", [])
    if not isinstance(questions, list) or len(questions) > MAX_QUESTIONS:
        raise RequestError("questions", f"expected a list of at most {MAX_QUESTIONS} question ids")
    known = question_ids if question_ids is not None else ()
    if any(not isinstance(q, str) or q not in known for q in questions):
        raise RequestError("questions", "unknown question id")
    fit = None
    if data.get("fit") is not None:
        try:
            fit = AdFit.checked(data["fit"], question_ids=questions)
        except FitError as exc:
            raise RequestError(exc.field, exc.message) from None
    return RoundChoice(persona=persona_id, track=track, minutes=minutes, questions=tuple(questions), fit=fit)
