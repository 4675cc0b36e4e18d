"""Finding where an answer touches an idea: the content's cues, compiled once.

A cue occurrence is only a *mention*: a place worth reading. Whether the
candidate proposed, rejected or doubted the idea there, and whether they
explained it, is decided by the stance and support readers, never by the
cue alone.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass

from agent.content.lexicon import Lexicon
from agent.content.models import Cues
from agent.interview._text import (
    Answer,
    Heads,
    WordPattern,
    by_head,
    find_any,
    phrase_stems,
    word_matches,
    word_pattern,
)

# A pattern match that runs across a full stop joins two thoughts the candidate kept apart.
_SENTENCE_INSIDE = re.compile(r"[.!?]\s")
# Enough places to judge an idea by; an answer that repeats a term hundreds of times gains nothing more.
MAX_MENTIONS = 48
_TERM_WORDS = 6


@dataclass(frozen=True, slots=True)
class Mention:
    """One place an idea's cue occurs: token range, and the candidate's own words for it."""

    first: int
    last: int  # exclusive
    anchor: int  # the token that stands for the mention when reading its clause
    term_first: int
    term_last: int  # exclusive


@dataclass(frozen=True, slots=True)
class CompiledCues:
    """One signal's cues turned into stem tuples and compiled patterns once, not on every answer."""

    phrases: Heads
    combos: tuple[tuple[Heads, ...], ...]  # each combo: one group of alternatives per word that must occur
    patterns: tuple[WordPattern, ...]
    window: int


def compile_cues(cues: Cues, lexicon: Lexicon) -> CompiledCues:
    """Stems for phrases and combos, compiled patterns (with any lexicon lists the cues share)."""
    shared = [p for name in cues.shared for p in getattr(lexicon, name)]
    return CompiledCues(
        phrases=by_head(phrase_stems(p) for p in cues.phrases),
        combos=tuple(tuple(by_head(phrase_stems(alt) for alt in group) for group in combo) for combo in cues.combos),
        patterns=tuple(word_pattern(p) for p in (*cues.patterns, *shared)),
        window=cues.window,
    )


def find_mentions(cues: CompiledCues, answer: Answer) -> list[Mention]:
    """Every place (up to ``MAX_MENTIONS``) where a cue occurs, in answer order."""
    found: dict[tuple[int, int], Mention] = {}

    def add(m: Mention) -> bool:
        found.setdefault((m.first, m.last), m)
        return len(found) >= MAX_MENTIONS

    for m in find_any(answer.tokens, cues.phrases, answer.index, answer.stems):
        if add(Mention(m.first, m.last, m.first, m.first, m.last)):
            return _ordered(found)
    for combo in cues.combos:
        for mention in _combo_mentions(answer, combo, cues.window):
            if add(mention):
                return _ordered(found)
    for pattern in cues.patterns:
        for rm in word_matches(pattern, answer):
            found_here = _pattern_mention(answer, rm)
            if found_here is not None and add(found_here):
                return _ordered(found)
    return _ordered(found)


def _ordered(found: dict[tuple[int, int], Mention]) -> list[Mention]:
    return sorted(found.values(), key=lambda m: (m.first, m.last))


def _pattern_mention(answer: Answer, rm: re.Match[str]) -> Mention | None:
    evidence = rm.group(0).strip()
    if not evidence or _SENTENCE_INSIDE.search(evidence):
        return None
    first = answer.token_at(rm.start())
    last = answer.token_at(max(rm.start(), rm.end() - 1))
    if first is None or last is None or answer.tokens[first].start >= rm.end():
        return None
    end = last + 1
    term_last = min(end, first + _TERM_WORDS)
    return Mention(first, end, first, first, term_last)


def _combo_mentions(
    answer: Answer, combo: tuple[Heads, ...], window: int
) -> list[Mention]:
    """Places where one alternative of every group occurs within ``window`` words of the first group's,
    in the same sentence (an idea is stated in one sentence; its support may come in the next).

    Each occurrence of the first group anchors one candidate, so when one was
    negated ("not just uptime") a later, plain occurrence of the same idea is
    still read on its own. Occurrences are sorted once and searched by
    bisection, so the cost is linear in the answer's length.
    """
    groups: list[list[tuple[int, int]]] = []
    for group in combo:
        spans = sorted({(m.first, m.last) for m in find_any(answer.tokens, group, answer.index, answer.stems)})
        if not spans:
            return []
        groups.append(spans)
    starts = [[s[0] for s in spans] for spans in groups]
    out: list[Mention] = []
    for a_first, a_last in groups[0]:
        first, last = a_first, a_last
        for spans, firsts in zip(groups[1:], starts[1:], strict=True):
            near = _nearest(spans, firsts, a_first, window)
            if near is None or answer.tokens[near[0]].sentence != answer.tokens[a_first].sentence:
                break
            first, last = min(first, near[0]), max(last, near[1])
        else:
            whole = last - first <= _TERM_WORDS
            out.append(Mention(first, last, a_first, first if whole else a_first, last if whole else a_last))
    return out


def _nearest(spans: list[tuple[int, int]], firsts: list[int], at: int, window: int) -> tuple[int, int] | None:
    i = bisect_left(firsts, at)
    best: tuple[int, int] | None = None
    for j in (i - 1, i):
        if 0 <= j < len(spans) and abs(spans[j][0] - at) <= window:
            if best is None or abs(spans[j][0] - at) < abs(best[0] - at):
                best = spans[j]
    return best
