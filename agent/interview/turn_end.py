"""The candidate saying they are done: an explicit end of turn, so the interviewer need not wait it out.

No silence threshold can tell a finished answer from a thinking pause for
certain, and a long wait makes every reply feel slow. A candidate who says
"that's my answer" has said which it is. Only the end of what they said
counts: "that's my answer for onboarding, now the second part" goes on, so it
is no end. The closers are content (``_lexicon.yaml: turn_closers``); short
ones that also open sentences ("that's it", "that's all") are left out on
purpose, because a pause right after them would end an answer mid-way.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

# The data-packet topic on which the web app relays a pressed Done (or space bar) into the room.
DONE_TOPIC = "interviewer.done"

_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
# Words a candidate may add after the closer itself ("that's my answer, thanks").
_TAIL = frozenset({"thanks", "thank", "you", "yeah", "ok", "okay", "so"})


def _words(text: str) -> list[str]:
    return _WORD.findall(text.lower().replace("\u2019", "'"))


def closer_at_end(text: str, closers: Sequence[str]) -> int | None:
    """How many words at the end of ``text`` are a closer (and its polite tail), or None if it does not end
    with one.
    """
    words = _words(text)
    tail = 0
    while tail < 3 and len(words) > tail and words[-1 - tail] in _TAIL:
        tail += 1
    for closer in sorted((_words(c) for c in closers), key=len, reverse=True):
        n = len(closer)
        if n and len(words) >= n + tail and words[len(words) - tail - n : len(words) - tail] == closer:
            return n + tail
    return None


def without_closer(text: str, closers: Sequence[str]) -> str:
    """The answer without its closing words ("... time to integrate. That's my answer." -> "... integrate.")."""
    n = closer_at_end(text, closers)
    if not n:
        return text
    matches = list(_WORD.finditer(text.lower().replace("\u2019", "'")))
    cut = matches[len(matches) - n].start()
    return text[:cut].rstrip(" ,;-") or text
