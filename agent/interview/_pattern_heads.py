"""The characters a lexicon pattern can begin with.

Stance, support and buzzword patterns are long alternations tried at every word
of an answer; most words cannot start any of them. Knowing a pattern's possible
first characters lets the matcher skip those words without entering the regex
engine, which was a fifth of the time it takes to judge a long answer. The
analysis reads the parsed pattern from the standard library's own parser, and
answers "any character" whenever a construct is not understood, so skipping
never loses a match.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Iterable, Sequence
from types import ModuleType

_p: ModuleType | None
try:  # the standard library's own regex parser
    _p = importlib.import_module("re._parser")
except ImportError:  # pragma: no cover - another Python: no skipping, the same matches
    _p = None

_ANY = None  # "any character can start it"
_ZERO_WIDTH = ("AT",)  # \b, ^: consume nothing


def first_chars(patterns: Sequence[str], flags: int = re.IGNORECASE) -> frozenset[str] | None:
    """Every character a match of any of ``patterns`` can start with (lower-cased when ``flags`` ignore case),
    past the text's first character (which is always tried), or None when that cannot be told (a class of
    characters such as "any word character", or a pattern that can match nothing at all).
    """
    if _p is None:
        return _ANY
    chars: set[str] = set()
    for pattern in patterns:
        try:
            tree = _p.parse(pattern, flags)
            parsed = tree.data
            if _anchored(parsed, tree.state.flags):  # the pattern's own (?m) counts too
                continue  # it can match only where the text begins, and the matcher always tries there
            found, nullable = _first(parsed)
        except Exception:  # noqa: BLE001 - anything unexpected means "do not skip"
            return _ANY
        if found is _ANY or nullable:
            return _ANY
        chars |= found
    if any(c.isalpha() and not c.isascii() for c in chars):
        return _ANY  # Unicode case rules can match such a letter to one it does not lower-case to
    if flags & re.IGNORECASE:
        chars = {c.lower() for c in chars}
    return frozenset(chars)


def _anchored(parsed: Sequence[tuple[object, object]], flags: int) -> bool:
    """Does the pattern open on a start-of-text anchor (a caret without MULTILINE, or backslash-A)?"""
    if not parsed or str(parsed[0][0]) != "AT" or flags & re.MULTILINE:
        return False
    return str(parsed[0][1]) in ("AT_BEGINNING", "AT_BEGINNING_STRING")


def _first(items: Iterable[tuple[object, object]]) -> tuple[set[str] | None, bool]:
    """(first characters, can match empty) of a parsed sequence."""
    out: set[str] = set()
    for op, arg in items:
        found, nullable = _one(str(op), arg)
        if found is _ANY:
            return _ANY, False
        out |= found
        if not nullable:
            return out, False
    return out, True


def _one(op: str, arg: object) -> tuple[set[str] | None, bool]:  # noqa: PLR0911 - one branch per construct
    if op == "LITERAL":
        return {chr(arg)}, False  # type: ignore[arg-type]
    if op in _ZERO_WIDTH or op in ("ASSERT", "ASSERT_NOT"):
        return set(), True  # lookarounds only narrow what follows; skipping them keeps a superset
    if op == "IN":
        chars: set[str] = set()
        for kind, value in arg:  # type: ignore[attr-defined]
            if str(kind) == "LITERAL":
                chars.add(chr(value))
            elif str(kind) == "RANGE" and value[1] - value[0] <= 64:
                chars.update(chr(v) for v in range(value[0], value[1] + 1))
            else:
                return _ANY, False  # negated sets, categories, wide ranges
        return chars, False
    if op == "SUBPATTERN":
        return _first(arg[-1])  # type: ignore[index]
    if op == "ATOMIC_GROUP":
        return _first(arg)  # type: ignore[arg-type]
    if op == "BRANCH":
        union: set[str] = set()
        any_empty = False
        for branch in arg[1]:  # type: ignore[index]
            found, nullable = _first(branch)
            if found is _ANY:
                return _ANY, False
            union |= found
            any_empty = any_empty or nullable
        return union, any_empty
    if op in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
        low: int = arg[0]  # type: ignore[index]
        found, nullable = _first(arg[2])  # type: ignore[index]
        return found, (nullable or low == 0) if found is not _ANY else False
    return _ANY, False  # ANY, NOT_LITERAL, CATEGORY, GROUPREF, ...
