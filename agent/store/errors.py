"""Errors the store raises; each message is one line a user can act on."""

from __future__ import annotations


class StoreError(Exception):
    """The database cannot be opened or used (bad URL, wrong schema, I/O)."""


class UnknownRound(StoreError, LookupError):
    """No round has the id (or id prefix) that was asked for."""


class AmbiguousRound(StoreError, LookupError):
    """An id prefix matches more than one round."""
