"""What the page may ask for: personas, their tracks and round lengths, and a job ad to fit.

The page's pickers and the token endpoint's validation read the same catalog,
so a request the page could never have produced is refused before a token is
minted. The catalog is a callable so tests (and a deployment that trims the
bank) can pass their own; the default lists the bank the entry point loaded. A job ad
pasted on the page is read here, in the web app, and only what it chose (the
question ids and the ad's short quotes behind them) goes on to the worker.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from agent.content.loader import DEFAULT_PERSONA, Bank
from agent.content.models import Track
from agent.interview.fit import AdFit
from agent.interview.job_ad import ad_problem, plan_for_ad
from agent.interview.request import RequestError, RoundChoice, choose_round

__all__ = ["Catalog", "JobAdFitter", "PersonaChoice", "RequestError", "RoundRequest", "bank_catalog",
           "bank_fitter", "job_ad_of", "validate_round"]


@dataclass(frozen=True, slots=True)
class PersonaChoice:
    """The part of a persona the browser needs to offer it."""

    id: str
    name: str
    title: str
    description: str
    tracks: tuple[str, ...]
    default_minutes: int
    warn_before_end_s: int

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form for GET /api/personas."""
        return {"id": self.id, "name": self.name, "title": self.title, "description": self.description,
                "tracks": list(self.tracks), "default_minutes": self.default_minutes,
                "warn_before_end_s": self.warn_before_end_s}


Catalog = Callable[[], Sequence[PersonaChoice]]


@dataclass(frozen=True, slots=True)
class RoundRequest:
    """A validated request for a new spoken round."""

    persona: str
    track: str
    minutes: int
    track_given: bool = True  # False: the page left the track to the job ad
    questions: tuple[str, ...] = field(default=())  # set by a job ad, in the order it chose
    fit: AdFit | None = None

    def to_dict(self) -> dict[str, Any]:
        """The dispatch metadata the worker receives (questions and fit only for a round fitted to an ad)."""
        data: dict[str, Any] = {"persona": self.persona, "track": self.track, "minutes": self.minutes}
        if self.fit is not None:
            data.update(questions=list(self.questions), fit=self.fit.model_dump(mode="json"))
        elif self.questions:  # a redo: the one question asked again
            data.update(questions=list(self.questions))
        return data


# Reads a job ad for a validated request and returns the request fitted to it (run in a worker thread).
JobAdFitter = Callable[[str, RoundRequest], RoundRequest]


def bank_catalog(bank: Bank) -> Sequence[PersonaChoice]:
    """The personas of ``bank``, the default first."""
    found = bank.personas.values() if isinstance(bank.personas, Mapping) else bank.personas
    personas = sorted(found, key=lambda p: p.id != DEFAULT_PERSONA)  # the default first, the rest as loaded
    return [
        PersonaChoice(
            id=p.id,
            name=p.name,
            title=p.title,
            description=p.description,
            tracks=tuple(str(t) for t in p.tracks),
            default_minutes=p.default_minutes,
            warn_before_end_s=p.timekeeping.warn_before_end_s,
        )
        for p in personas
    ]


def validate_round(body: object, choices: Sequence[PersonaChoice]) -> RoundRequest:
    """Check a POST /api/session body against the catalog; raise RequestError naming the field.

    ``job_ad`` is allowed here and read by ``job_ad_of``; a missing ``track`` with an ad lets the ad choose.
    """
    choice: RoundChoice = choose_round(body, {c.id: c for c in choices}, also_allowed={"job_ad", "redo"})
    given = isinstance(body, dict) and body.get("track") is not None
    return RoundRequest(persona=choice.persona, track=choice.track, minutes=choice.minutes, track_given=given)


# A redo is a short round: one question and its follow-ups.
REDO_MINUTES = 6


def redo_of(body: object, request: RoundRequest, question_ids: Sequence[str]) -> RoundRequest:
    """``request`` turned into a one-question round when the page asks to redo a question ("try this question
    again" on a report); RequestError naming ``redo`` when the id is unknown or comes with a job ad.
    """
    redo = body.get("redo") if isinstance(body, dict) else None
    if redo is None:
        return request
    if not isinstance(redo, str) or redo not in question_ids:
        raise RequestError("redo", "unknown question id")
    if isinstance(body, dict) and isinstance(body.get("job_ad"), str) and body["job_ad"].strip():
        raise RequestError("redo", "asks one question again; leave out the job ad")
    return RoundRequest(persona=request.persona, track=request.track, minutes=min(request.minutes, REDO_MINUTES),
                        track_given=request.track_given, questions=(redo,))


def bank_question_ids(bank: Bank) -> Sequence[str]:
    """The bank's question ids (what a redo may name)."""
    return tuple(bank.questions)


def job_ad_of(body: object) -> str | None:
    """The job ad pasted on the page, or None when there is none; RequestError when it cannot be one."""
    ad = body.get("job_ad") if isinstance(body, dict) else None
    if ad is None:
        return None
    if not isinstance(ad, str):
        raise RequestError("job_ad", "expected the text of a job ad")
    if not ad.strip():
        return None
    problem = ad_problem(ad)
    if problem is not None:
        raise RequestError("job_ad", f"the ad {problem}")
    return ad


def bank_fitter(bank: Bank, ad: str, request: RoundRequest) -> RoundRequest:
    """Fit ``request`` to ``ad`` with the bank's rules; the persona's own round length and count."""
    persona = bank.personas[request.persona]
    plan = plan_for_ad(ad, bank.job_ad, bank.questions, persona, count=persona.default_questions,
                       track=Track(request.track) if request.track_given else None)
    track = plan.track.value if plan.track is not None else request.track
    return RoundRequest(persona=request.persona, track=track, minutes=request.minutes,
                        track_given=request.track_given, questions=plan.question_ids, fit=plan.fit)
