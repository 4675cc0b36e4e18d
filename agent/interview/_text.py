"""Tokenising, stemming and cue matching over spoken answers.

Answers arrive as speech transcripts: lower-case or not, with or without
punctuation, with every inflection a speaker uses. Cues are therefore matched
on crude word stems (the same stemmer on both sides, so consistency matters
more than linguistic accuracy), and every match keeps character offsets so the
evidence quoted back to the candidate is a verbatim span of what they said.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

_WORD = re.compile(r"[A-Za-z0-9]+(?:['\u2019][A-Za-z]+)?")
# British "-ise" and "-yse" spellings are folded into "-ize" before stemming, so
# "prioritise" and "prioritized" meet; the same fold runs on cues and answers.
_ISE = re.compile(r"(?<=[a-z]{3})([iy])s(e|ed|es|ing)$")
_SENTENCE_BREAK = re.compile(r"[.!?]")
_CLAUSE_BREAK = re.compile(r"[.;:!?,\u2014]|\s-\s|\bbut\b", re.IGNORECASE)

_SUFFIXES: tuple[tuple[str, str, int], ...] = (
    # (suffix, replacement, minimum length of the word before replacing)
    ("izations", "ize", 8),
    ("ization", "ize", 7),
    ("isation", "ize", 7),
    ("ational", "ate", 7),
    ("ations", "ate", 7),
    ("ation", "ate", 6),
    ("ments", "", 8),
    ("ment", "", 7),
    ("ness", "", 6),
    ("ings", "", 6),
    ("ing", "", 5),
    ("edly", "", 6),
    ("ied", "y", 4),
    ("ies", "y", 4),
    ("ed", "", 5),
    ("ly", "", 6),
    ("sses", "ss", 5),
    ("s", "", 4),
)


def stem(word: str) -> str:
    """A small suffix stripper: "integrations", "integrating", "integrated" -> "integrat"."""
    w = word.lower().replace("\u2019", "'")
    if w.endswith("'s"):
        w = w[:-2]
    if "'" in w:
        return w
    w = _ISE.sub(r"\1z\2", w)
    for suffix, repl, min_len in _SUFFIXES:
        if w.endswith(suffix) and len(w) >= min_len:
            if suffix == "s" and (w.endswith("ss") or w.endswith("us") or w.endswith("is")):
                break
            w = w[: len(w) - len(suffix)] + repl
            break
    if len(w) > 3 and w.endswith("e"):
        w = w[:-1]
    if len(w) > 3 and w[-1] == w[-2] and w[-1] not in "lsz" and w[-1].isalpha():
        w = w[:-1]
    return w


@dataclass(frozen=True, slots=True)
class Token:
    """A word of the answer with its stem and character offsets."""

    word: str
    stem: str
    start: int
    end: int
    clause: int  # index of the clause it stands in (split at punctuation and "but")
    sentence: int = 0  # index of the sentence it stands in (split at . ! ?)


def tokenize(text: str) -> list[Token]:
    """Split ``text`` into tokens, remembering offsets and clause and sentence numbers."""
    tokens: list[Token] = []
    clause = 0
    sentence = 0
    last_end = 0
    for m in _WORD.finditer(text):
        between = text[last_end : m.start()]
        if tokens and _CLAUSE_BREAK.search(between):
            clause += 1
        if tokens and _SENTENCE_BREAK.search(between):
            sentence += 1
        word = m.group(0)
        if word.lower() == "but":
            clause += 1
        tokens.append(Token(word.lower(), stem(word), m.start(), m.end(), clause, sentence))
        last_end = m.end()
    return tokens


def phrase_stems(phrase: str) -> tuple[str, ...]:
    """The stem sequence a cue phrase is matched with."""
    return tuple(stem(m.group(0)) for m in _WORD.finditer(phrase))


@dataclass(frozen=True, slots=True)
class Match:
    """A cue found in the answer: token range (inclusive start, exclusive end)."""

    first: int
    last: int  # exclusive


def stem_index(tokens: Sequence[Token]) -> dict[str, list[int]]:
    """Positions of each stem, so a cue is only tried where its first word occurs."""
    index: dict[str, list[int]] = {}
    for i, tok in enumerate(tokens):
        index.setdefault(tok.stem, []).append(i)
    return index


def find_phrase(
    tokens: Sequence[Token], stems: Sequence[str], index: dict[str, list[int]] | None = None
) -> Iterable[Match]:
    """Every occurrence of a stem sequence in the tokens (``index`` from ``stem_index`` makes it fast)."""
    n = len(stems)
    if n == 0:
        return
    starts = index.get(stems[0], ()) if index is not None else range(len(tokens) - n + 1)
    last = len(tokens) - n
    for i in starts:
        if i <= last and tokens[i].stem == stems[0] and all(tokens[i + k].stem == stems[k] for k in range(1, n)):
            yield Match(i, i + n)


def span_text(text: str, tokens: Sequence[Token], match: Match) -> str:
    """The verbatim text of a match."""
    return text[tokens[match.first].start : tokens[match.last - 1].end]


class Negation:
    """Decides whether a cue occurrence is negated by the words just before it.

    "not just uptime", "rather than the number of integrations" and "I wouldn't
    leave it to engineering" must not count as the thing they deny. A negator
    counts only within the same clause and a few words before the cue.

    A negation followed by a condition is not a denial: "don't switch the old
    version off until everyone has moved" affirms a gated switch-off, so a
    cue followed closely by "until" or "unless" keeps its meaning.
    """

    CONDITIONS = frozenset({"until", "unless", "till"})
    CONDITION_REACH = 8

    def __init__(self, negators: Iterable[str], reach: int = 4) -> None:
        singles = [n.lower() for n in negators if len(phrase_stems(n)) == 1]
        # short negators match as whole words only: by stem, "notes" would be "not" and "nose" "no"
        self._exact = {n for n in singles if len(n) < 4}
        self._single = {stem(n) for n in singles if len(n) >= 4}
        self._multi = [phrase_stems(n) for n in negators if len(phrase_stems(n)) > 1]
        self._reach = reach

    def negated(self, tokens: Sequence[Token], first: int, last: int | None = None) -> bool:
        """Is the cue at ``tokens[first:last]`` denied by what comes just before it?"""
        if not self._negator_before(tokens, first):
            return False
        return last is None or not self._condition_after(tokens, first, last)

    def _negator_before(self, tokens: Sequence[Token], first: int) -> bool:
        clause = tokens[first].clause
        lo = max(0, first - self._reach)
        for i in range(first - 1, lo - 1, -1):
            tok = tokens[i]
            if tok.clause != clause:
                return False
            if tok.word in self._exact or tok.stem in self._single or tok.word.endswith(("n't", "n\u2019t")):
                return True
            for multi in self._multi:
                n = len(multi)
                if i - n + 1 >= lo and all(tokens[i - n + 1 + k].stem == multi[k] for k in range(n)):
                    return True
        return False

    def _condition_after(self, tokens: Sequence[Token], first: int, last: int) -> bool:
        # a comma may sit between the cue and the condition ("off, until"), a full stop may not
        sentence = tokens[first].sentence
        for tok in tokens[last : last + self.CONDITION_REACH]:
            if tok.sentence != sentence:
                return False
            if tok.word in self.CONDITIONS:
                return True
        return False
