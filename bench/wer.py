"""Word error rate: word-level edit distance between a reference and a hypothesis, over the reference length.

Both texts are lower-cased and stripped of punctuation first (an apostrophe is
dropped, so "I'd" and "Id" agree); nothing else is normalised, so "10" against
"ten" counts as one substitution.
"""

from __future__ import annotations

import re

_NOT_WORD = re.compile(r"[^a-z0-9\s]+")


def normalise(text: str) -> list[str]:
    """Lower-case, drop punctuation, split on whitespace."""
    return _NOT_WORD.sub("", text.lower().replace("-", " ")).split()


def edit_distance(ref: list[str], hyp: list[str]) -> int:
    """Fewest substitutions, insertions and deletions turning ``ref`` into ``hyp`` (two rows of the table)."""
    prev = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, 1):
        cur = [i]
        for j, h in enumerate(hyp, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (r != h)))
        prev = cur
    return prev[-1]


def wer(reference: str, hypothesis: str) -> float:
    """Edit distance over the number of reference words; an empty reference gives 0.0 or 1.0."""
    ref, hyp = normalise(reference), normalise(hypothesis)
    if not ref:
        return 0.0 if not hyp else 1.0
    return edit_distance(ref, hyp) / len(ref)
