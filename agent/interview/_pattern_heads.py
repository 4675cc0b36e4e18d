"""The few letters a lexicon pattern can begin with.

Stance, support, buzzword and cue patterns are alternations tried along an
answer; at most words none of them can start. Knowing a pattern's possible
openings (its first three characters, or fewer where anything may follow)
lets the matcher skip those words without entering the regex engine: the
scans were a fifth of the time it takes to judge a long answer, and a first
character alone still let through most words ("the", "they", "that" all
open on "t"). The analysis reads the parsed pattern from the standard
library's own parser, and answers "anything" whenever a construct is not
understood, so skipping never loses a match.
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

HEAD = 3  # characters of an opening that are told apart
_MAX_OPENINGS = 4096  # past this many, a pattern is treated as one that can start anywhere
_WIDEST_RANGE = 64  # a character range wider than this is "any character"
_ZERO_WIDTH = ("AT", "ASSERT", "ASSERT_NOT")  # \b, ^, lookarounds: consume nothing, only narrow what follows
_DIGITS = "0123456789"

Openings = frozenset[str] | None  # None: it may start anywhere


class _Unknowable(Exception):
    """The pattern is too wide to list its openings."""


def openings(patterns: Sequence[str], flags: int = re.IGNORECASE) -> Openings:
    """Every opening (lower-cased when ``flags`` ignore case) a match of any of ``patterns`` can begin with,
    past the text's first character (which is always tried): a string of ``HEAD`` characters, or a shorter
    one after which anything may follow. None when that cannot be told (a pattern that can open on any
    character, match nothing at all, or opens on a letter outside ASCII, which Unicode case rules can
    match to one it does not lower-case to).
    """
    if _p is None:
        return None
    found: set[str] = set()
    for pattern in patterns:
        try:
            tree = _p.parse(pattern, flags)
            parsed = list(tree.data)
            if _anchored(parsed, tree.state.flags):  # the pattern's own (?m) counts too
                continue  # it can match only where the text begins, and the matcher always tries there
            mine = _openings_of(parsed)
        except Exception:  # noqa: BLE001 - anything unexpected means "do not skip"
            return None
        if mine is None:
            return None
        found |= mine
    return frozenset(found)


def word_openings(pattern: str, flags: int = re.IGNORECASE) -> Openings:
    """The openings of a pattern that starts on a word boundary and then a word character, so it can match
    only where a word begins; None when it can start anywhere else or that cannot be told (also under
    ASCII or LOCALE flags, whose word boundaries differ).
    """
    if _p is None:
        return None
    try:
        tree = _p.parse(pattern, flags)
        parsed = list(tree.data)
        if tree.state.flags & (re.ASCII | re.LOCALE) or not parsed:
            return None
        if str(parsed[0][0]) != "AT" or str(parsed[0][1]) != "AT_BOUNDARY":
            return None
        mine = _openings_of(parsed[1:])
    except Exception:  # noqa: BLE001 - anything unexpected means "try every position"
        return None
    if mine is None or not all(s[0].isalnum() or s[0] == "_" for s in mine):
        return None  # a boundary before a non-word character is no word start
    return frozenset(mine)


def _openings_of(parsed: Sequence[tuple[object, object]]) -> set[str] | None:
    done: set[str] = set()
    try:
        done |= _walk(parsed, {""}, done)
    except _Unknowable:
        return None
    if "" in done or not all(s.isascii() for s in done):
        return None
    return done


def _anchored(parsed: Sequence[tuple[object, object]], flags: int) -> bool:
    """Does the pattern open on a start-of-text anchor (a caret without MULTILINE, or backslash-A)?"""
    if not parsed or str(parsed[0][0]) != "AT" or flags & re.MULTILINE:
        return False
    return str(parsed[0][1]) in ("AT_BEGINNING", "AT_BEGINNING_STRING")


def _walk(items: Iterable[tuple[object, object]], open_: set[str], done: set[str]) -> set[str]:
    """Extend the openings still short of ``HEAD`` characters (``open_``) through a parsed sequence; those
    that reach ``HEAD``, or meet a construct that may consume anything, go to ``done``. Returns the
    openings still short at the sequence's end. Every step keeps a superset of the real openings.
    """
    for op_, arg in items:
        if not open_:
            break
        op = str(op_)
        if op in _ZERO_WIDTH:
            continue
        if op == "LITERAL":
            open_ = {s + chr(arg).lower() for s in open_}  # type: ignore[arg-type]
        elif op == "IN":
            chars = _chars_in(arg)  # type: ignore[arg-type]
            if chars is None:
                done |= open_
                return set()
            open_ = {s + c for s in open_ for c in chars}
        elif op == "SUBPATTERN":
            open_ = _walk(arg[-1], open_, done)  # type: ignore[index]
        elif op == "ATOMIC_GROUP":
            open_ = _walk(arg, open_, done)  # type: ignore[arg-type]
        elif op == "BRANCH":
            open_ = set().union(*(_walk(branch, set(open_), done) for branch in arg[1]))  # type: ignore[index]
        elif op in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
            low: int = arg[0]  # type: ignore[index]
            high: int = arg[1]  # type: ignore[index]
            once = _walk(arg[2], set(open_), done)  # type: ignore[index]
            if high == 1:
                open_ = once | open_ if low == 0 else once  # "x?": with it or without it
            elif low == 0:
                done |= once  # once or more, then anything; none: the openings go on as they were
            else:
                done |= once  # a second repeat and on may be anything: stop telling openings apart
                return set()
        else:  # any character, a negated set, a group reference...: anything may follow
            done |= open_
            return set()
        full = {s for s in open_ if len(s) >= HEAD}
        done |= full
        open_ -= full
        if len(open_) + len(done) > _MAX_OPENINGS:
            raise _Unknowable
    return open_


def _chars_in(arg: Iterable[tuple[object, object]]) -> set[str] | None:
    """The characters (lower-cased) a character set holds, or None for a negated or wide one."""
    chars: set[str] = set()
    for kind_, value in arg:
        kind = str(kind_)
        if kind == "LITERAL":
            chars.add(chr(value).lower())  # type: ignore[arg-type]
        elif kind == "RANGE" and value[1] - value[0] <= _WIDEST_RANGE:  # type: ignore[index]
            chars.update(chr(v).lower() for v in range(value[0], value[1] + 1))  # type: ignore[index]
        elif kind == "CATEGORY" and str(value) == "CATEGORY_DIGIT":
            chars.update(_DIGITS)  # a digit outside ASCII is tried anyway: such positions always are
        else:
            return None
    return chars
