"""Errors the store raises; each message is one line a user can act on."""

from __future__ import annotations


class StoreError(Exception):
    """The database cannot be opened or used (bad URL, wrong schema, I/O)."""


class UnknownRound(StoreError, LookupError):
    """No round has the id (or id prefix) that was asked for."""


class AmbiguousRound(StoreError, LookupError):
    """An id prefix matches more than one round."""


# SQLite's primary result codes (the low byte of an extended code) and PostgreSQL's SQLSTATEs
# for the faults a user can act on.
_SQLITE_READONLY = 8
_SQLITE_FULL = 13
_PG_DISK_FULL = "53100"
DISK_FULL = "the disk holding the database is full: free some space, or move the database elsewhere with --db"
READ_ONLY = "the database file or its folder cannot be written"


def explain(exc: BaseException) -> str:
    """The one-line reason a database call failed, in words a user can act on.

    A full disk (SQLite's SQLITE_FULL "database or disk is full", PostgreSQL's
    disk_full) and a read-only file are said as such; anything else is the
    driver's first line, which already names the fault ("disk I/O error",
    "database is locked", ...).
    """
    orig = getattr(exc, "orig", None) or exc
    code = getattr(orig, "sqlite_errorcode", None)
    primary = code & 0xFF if isinstance(code, int) else None
    sqlstate = getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None)
    text = str(orig).strip().splitlines()
    first = text[0] if text else type(orig).__name__
    if primary == _SQLITE_FULL or sqlstate == _PG_DISK_FULL or "database or disk is full" in first:
        return DISK_FULL
    if primary == _SQLITE_READONLY:
        return f"{READ_ONLY} ({first})"
    return first
