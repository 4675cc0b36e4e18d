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
from agent.interview._text import Match, Token, find_phrase, phrase_stems
from agent.interview.records import Delivery

# A term said with its plain meaning beside it is taught, not thrown at the listener: "DNS, which is basically
# the internet's phone book", "TLS, the padlock", "sets up encryption, that's TLS". These open a gloss after it
# (the appositive "," + article is checked apart) ...
_GLOSS_AFTER: tuple[tuple[str, ...], ...] = (
    ("which", "is"), ("which", "means"), ("that", "is"), ("that's",), ("which's",), ("meaning",), ("basically",),
    ("i", "e"), ("in", "other", "words"), ("think", "of"), ("like", "a"), ("like", "an"), ("like", "the"),
    ("is", "just"), ("is", "basically"), ("is", "like"), ("are", "like"), ("are", "basically"), ("aka",),
    ("or", "in", "plain"), ("so", "basically"), ("the", "internet's"), ("a", "kind", "of"), ("a", "sort", "of"),
)
# ... and these name a thing the candidate has just described: "..., that's called DNS".
_GLOSS_BEFORE: tuple[tuple[str, ...], ...] = (("that's",), ("called",), ("known", "as"), ("aka",), ("named",),
                                              ("the", "technical", "name"), ("the", "fancy", "name"))
_ARTICLES = frozenset({"a", "an", "the", "your", "their", "our"})
_GLOSS_REACH = 3  # words between a term and the gloss that opens after it, or before it and the term
_GLOSS_WORDS = 6  # how long an appositive gloss may run before its closing mark
_CLOSING = re.compile(r"[,.;:!?]")


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
        self, text: str, tokens: Sequence[Token], *, explain_simply: bool, speaking_s: float | None,
        index: dict[str, list[int]] | None = None,
    ) -> Delivery:
        """``index`` (``stem_index`` of the tokens) lets jargon be looked up rather than scanned for."""
        return Delivery(
            words=len(tokens),
            fillers=self._count_fillers(text, tokens),
            jargon=sum(1 for stems in self._jargon for _ in find_phrase(tokens, stems, index)) if explain_simply else 0,
            jargon_checked=explain_simply,
            background_apologies=_spans(self._apology, text),
            engineering_deferrals=_spans(self._deferral, text),
            speaking_s=speaking_s,
        )

    def unglossed_jargon(self, text: str, tokens: Sequence[Token], index: dict[str, list[int]] | None = None) -> int:
        """Jargon said without its plain meaning beside it: what a listener who asked for plain words is left
        with. A glossed term ("CDN, a nearby copy of the site") explains itself.
        """
        # one place, one term: "HTTPS" also stems to "HTTP"
        found = list({(m.first, m.last): m for stems in self._jargon
                      for m in find_phrase(tokens, stems, index)}.values())
        starts = frozenset(m.first for m in found)
        return sum(1 for m in found if not _glossed(text, tokens, m, starts))

    def _count_fillers(self, text: str, tokens: Sequence[Token]) -> int:
        count = 0
        words = [t.word for t in tokens]
        for tok in tokens:
            if tok.word not in self.filler_words:
                continue
            if tok.word == "like" and text[tok.end : tok.end + 1] != ",":
                continue  # "like a waiter" is a simile; "like," is a filler
            count += 1
        heads = {phrase[0] for phrase in self._filler_phrases}
        for i in (i for i, w in enumerate(words) if w in heads):
            count += sum(1 for phrase in self._filler_phrases if tuple(words[i : i + len(phrase)]) == phrase)
        return count


def _glossed(text: str, tokens: Sequence[Token], m: Match, jargon_at: frozenset[int]) -> bool:
    """Is the term at ``m`` given its plain meaning right beside it, in its sentence? A "gloss" that is itself
    jargon ("Redis, which is an in-memory key-value store") explains nothing, and ``jargon_at`` (where jargon
    starts) tells it.
    """
    sentence = tokens[m.first].sentence
    # the gloss runs to the next mark ("TLS, the padlock, and ..."), a few words at most
    close = _CLOSING.search(text, tokens[m.last].start) if m.last < len(tokens) else None
    end = m.last
    while (end < len(tokens) and end < m.last + _GLOSS_REACH + _GLOSS_WORDS and tokens[end].sentence == sentence
           and (close is None or tokens[end].start < close.start())):
        end += 1
    if any(i in jargon_at for i in range(m.last, end)):
        return False
    after = [t.word for t in tokens[m.last : end]]
    # an appositive, short and closed by a mark: "TLS, the padlock, so ...", "an IP address, a numeric address"
    if after and after[0] in _ARTICLES and text[tokens[m.last - 1].end : tokens[m.last].start].strip() == "," \
            and close is not None and len(text[tokens[m.last].start : close.start()].split()) <= _GLOSS_WORDS:
        return True
    for k in range(min(_GLOSS_REACH, len(after))):
        if any(tuple(after[k : k + len(g)]) == g for g in _GLOSS_AFTER):
            return True
    before = [t.word for t in tokens[max(0, m.first - _GLOSS_REACH - 2) : m.first] if t.sentence == sentence]
    return any(tuple(before[k : k + len(g)]) == g for g in _GLOSS_BEFORE for k in range(len(before)))


def _spans(patterns: Sequence[re.Pattern[str]], text: str) -> list[str]:
    found: list[str] = []
    for pattern in patterns:
        found.extend(m.group(0).strip() for m in pattern.finditer(text) if m.group(0).strip())
    return found
