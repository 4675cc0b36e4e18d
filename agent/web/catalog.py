"""What the page may ask for: personas, their tracks and round lengths.

The page's pickers and the token endpoint's validation read the same catalog,
so a request the page could never have produced is refused before a token is
minted. The catalog is a callable so tests (and a deployment that trims the
bank) can pass their own; the default reads the content bank once.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from agent.interview.request import RequestError, RoundChoice, choose_round

__all__ = ["Catalog", "PersonaChoice", "RequestError", "RoundRequest", "bank_catalog", "validate_round"]


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
        data = asdict(self)
        data["tracks"] = list(self.tracks)
        return data


Catalog = Callable[[], Sequence[PersonaChoice]]


@dataclass(frozen=True, slots=True)
class RoundRequest:
    """A validated request for a new spoken round."""

    persona: str
    track: str
    minutes: int

    def to_dict(self) -> dict[str, Any]:
        """The dispatch metadata the worker receives."""
        return asdict(self)


def bank_catalog() -> Sequence[PersonaChoice]:
    """Personas from the content bank (``agent.content.loader.load_bank``)."""
    from agent.content.loader import DEFAULT_PERSONA, load_bank  # imported late: read only when needed

    bank = load_bank()
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
    """Check a POST /api/session body against the catalog; raise RequestError naming the field."""
    choice: RoundChoice = choose_round(body, {c.id: c for c in choices})
    return RoundRequest(persona=choice.persona, track=choice.track, minutes=choice.minutes)
