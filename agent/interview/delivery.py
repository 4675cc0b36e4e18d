"""Delivery figures read from the words of an answer.

Interviewers notice how an answer is delivered as much as what it covers:
filler words, jargon thrown at a listener who asked for plain words,
apologising for one's background before saying anything, and handing a
product decision to engineering. These are counted from text so the same
figures come out of a typed round and a transcribed one.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from agent.content.lexicon import Lexicon
from agent.interview._text import Token, find_phrase, phrase_stems
from agent.interview.records import Delivery


class DeliveryMeter:
    """Counts delivery figures with the shared lexicon."""

    def __init__(self, lexicon: Lexicon) -> None:
        single = [f.lower() for f in lexicon.fillers if " " not in f.strip()]
        self.filler_words = frozenset(single)
        self._filler_phrases = [tuple(f.lower().split()) for f in lexicon.fillers if " " in f.strip()]
        self._jargon = [phrase_stems(j) for j in lexicon.jargon]
        self._apology = [re.compile(p, re.IGNORECASE) for p in lexicon.background_apology]
        self._deferral = [re.compile(p, re.IGNORECASE) for p in lexicon.engineering_deferral]

    def measure(
        self, text: str, tokens: Sequence[Token], *, explain_simply: bool, speaking_s: float | None
    ) -> Delivery:
        return Delivery(
            words=len(tokens),
            fillers=self._count_fillers(text, tokens),
            jargon=sum(1 for stems in self._jargon for _ in find_phrase(tokens, stems)) if explain_simply else 0,
            jargon_checked=explain_simply,
            background_apologies=_spans(self._apology, text),
            engineering_deferrals=_spans(self._deferral, text),
            speaking_s=speaking_s,
        )

    def _count_fillers(self, text: str, tokens: Sequence[Token]) -> int:
        count = 0
        words = [t.word for t in tokens]
        for tok in tokens:
            if tok.word not in self.filler_words:
                continue
            if tok.word == "like" and text[tok.end : tok.end + 1] != ",":
                continue  # "like a waiter" is a simile; "like," is a filler
            count += 1
        for phrase in self._filler_phrases:
            n = len(phrase)
            count += sum(1 for i in range(len(words) - n + 1) if tuple(words[i : i + n]) == phrase)
        return count


def _spans(patterns: Sequence[re.Pattern[str]], text: str) -> list[str]:
    found: list[str] = []
    for pattern in patterns:
        found.extend(m.group(0).strip() for m in pattern.finditer(text) if m.group(0).strip())
    return found
