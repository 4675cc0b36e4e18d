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

MIN_MINUTES = 3
MAX_MINUTES = 90


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


class RequestError(ValueError):
    """A bad field in a request body; ``field`` names it for the one-line 400."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field


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
    if not isinstance(body, dict):
        raise RequestError("body", "expected a JSON object with persona, track and minutes")
    unknown = sorted(set(body) - {"persona", "track", "minutes"})
    if unknown:
        raise RequestError(unknown[0], "unknown field")
    by_id = {c.id: c for c in choices}
    persona_id = body.get("persona")
    if not isinstance(persona_id, str) or persona_id not in by_id:
        raise RequestError("persona", "unknown persona id")
    persona = by_id[persona_id]
    track = body.get("track", persona.tracks[0] if persona.tracks else None)
    if not isinstance(track, str) or track not in persona.tracks:
        raise RequestError("track", f"must be one of {', '.join(persona.tracks)}")
    minutes = body.get("minutes", persona.default_minutes)
    if isinstance(minutes, bool) or not isinstance(minutes, int) or not MIN_MINUTES <= minutes <= MAX_MINUTES:
        raise RequestError("minutes", f"must be a whole number from {MIN_MINUTES} to {MAX_MINUTES}")
    return RoundRequest(persona=persona_id, track=track, minutes=minutes)
