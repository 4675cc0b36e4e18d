"""Persistence of rounds and turns (SQLAlchemy Core; SQLite by default, PostgreSQL by URL)."""

from agent.interview.records import RoundSummary
from agent.store.attempts import SignalOutcome
from agent.store.errors import AmbiguousRound, StoreError, UnknownRound
from agent.store.schema import SCHEMA_VERSION
from agent.store.store import Store

__all__ = [
    "SCHEMA_VERSION",
    "AmbiguousRound",
    "RoundSummary",
    "SignalOutcome",
    "Store",
    "StoreError",
    "UnknownRound",
]
