"""The words quoted back to a candidate as evidence of an idea.

A quote has to prove its point: "docs" or "three weeks" proves nothing, the
clause "we'd keep the old version running until traffic on it drops to zero"
does. Evidence is therefore the whole clause holding the idea, stretched to
the clause holding its support, at least three words and never so long that
it stops being a quote.
"""

from __future__ import annotations

from agent.interview._text import Answer

MIN_WORDS = 3
MAX_WORDS = 40
# When a clause has no punctuation to end it (a run-on transcript), this many words either side.
_BEFORE, _AFTER = 10, 14


def clause_evidence(answer: Answer, first: int, last: int, support_first: int | None = None,
                    support_last: int | None = None) -> str:
    """The verbatim clause showing the idea at ``first:last`` and, when given, its support."""
    lo, hi = _clause(answer, first, last)
    if support_first is not None and support_last is not None:
        s_lo, s_hi = _clause(answer, support_first, support_last)
        joined = (min(lo, s_lo), max(hi, s_hi))
        if joined[1] - joined[0] <= MAX_WORDS:
            lo, hi = joined
    lo, hi = _at_least(answer, lo, hi, first)
    return answer.span(lo, hi)


def _clause(answer: Answer, first: int, last: int) -> tuple[int, int]:
    """The clause (or clauses) the tokens span, cut to a window around them when it runs long."""
    lo, _ = answer.clause(first)
    _, hi = answer.clause(max(first, last - 1))
    if hi - lo > MAX_WORDS:
        lo = max(lo, first - _BEFORE)
        hi = min(hi, max(last, first + 1) + _AFTER)
    return lo, hi


def _at_least(answer: Answer, lo: int, hi: int, first: int) -> tuple[int, int]:
    """Grow a too-short quote into its neighbouring clauses, inside its sentence."""
    s_lo, s_hi = answer.sentence(first)
    while hi - lo < MIN_WORDS and (lo > s_lo or hi < s_hi):
        if hi < s_hi:
            hi = min(s_hi, answer.clause(hi)[1])
        elif lo > s_lo:
            lo = max(s_lo, answer.clause(lo - 1)[0])
    if hi - lo > MAX_WORDS:
        lo = max(lo, first - _BEFORE)
        hi = min(hi, lo + MAX_WORDS)
    return lo, hi
