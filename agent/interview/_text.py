"""Tokenising, stemming and cue matching over spoken answers.

Answers arrive as speech transcripts: lower-case or not, with or without
punctuation, with every inflection a speaker uses. Cues are therefore matched
on crude word stems (the same stemmer on both sides, so consistency matters
more than linguistic accuracy), and every match keeps character offsets so the
evidence quoted back to the candidate is a verbatim span of what they said.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import NamedTuple

from agent.interview._pattern_heads import HEAD, Openings, openings, word_openings

_WORD = re.compile(r"[A-Za-z0-9]+(?:['\u2019][A-Za-z]+)?")
# British "-ise" and "-yse" spellings are folded into "-ize" before stemming, so
# "prioritise" and "prioritized" meet; the same fold runs on cues and answers.
_ISE = re.compile(r"(?<=[a-z]{3})([iy])s(e|ed|es|ing)$")
_SENTENCE_BREAK = re.compile(r"[.!?]")
_GROUP_REFERENCE = re.compile(r"\\[1-9]|\(\?P=")  # a phrase that refers to a group by number or name
_WORD_HEAD = re.compile(r"\b\w")  # where a regex's \b\w can match: a word's first character
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


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """A small suffix stripper: "integrations", "integrating", "integrated" -> "integrat".

    Cached: a spoken answer repeats a few hundred distinct words, and stemming is most of tokenizing.
    """
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


class Token(NamedTuple):
    """A word of the answer with its stem and character offsets (a named tuple: an answer makes hundreds,
    and a tuple is built in a third of the time of a frozen dataclass).
    """

    word: str
    stem: str
    start: int
    end: int
    clause: int  # index of the clause it stands in (split at punctuation and "but")
    sentence: int = 0  # index of the sentence it stands in (split at . ! ?)


def tokenize(text: str) -> list[Token]:
    """Split ``text`` into tokens, remembering offsets and clause and sentence numbers."""
    tokens: list[Token] = []
    # every break is found in one pass; a word opens a new clause (sentence) when one lies since the last word
    clause_marks = [m.start() for m in _CLAUSE_BREAK.finditer(text)]
    sentence_marks = [m.start() for m in _SENTENCE_BREAK.finditer(text)]
    clause = sentence = 0
    ci = si = 0
    last_end = 0
    for m in _WORD.finditer(text):
        start, end = m.span()
        if tokens:
            while ci < len(clause_marks) and clause_marks[ci] < last_end:
                ci += 1
            if ci < len(clause_marks) and clause_marks[ci] < start:
                clause += 1
            while si < len(sentence_marks) and sentence_marks[si] < last_end:
                si += 1
            if si < len(sentence_marks) and sentence_marks[si] < start:
                sentence += 1
        word = m.group(0)
        low = word.lower()
        if low == "but":
            clause += 1
        tokens.append(Token(low, stem(word), start, end, clause, sentence))
        last_end = end
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


Heads = dict[str, tuple[tuple[str, ...], ...]]


def by_head(phrases: Iterable[tuple[str, ...]]) -> Heads:
    """Stem sequences grouped by their first stem, for ``find_any``."""
    out: dict[str, list[tuple[str, ...]]] = {}
    for stems in phrases:
        if stems:
            out.setdefault(stems[0], []).append(stems)
    return {head: tuple(options) for head, options in out.items()}


def find_any(tokens: Sequence[Token], heads: Heads, index: dict[str, list[int]],
             stems_: Sequence[str] | None = None) -> Iterable[Match]:
    """Every occurrence of any of the phrases in ``heads``: only where a phrase's first stem occurs, and
    only over the smaller of the phrase list and the answer's vocabulary (``stems_``, the tokens' stems in
    order, saves rebuilding them when the caller has them).
    """
    all_stems = stems_ if stems_ is not None else [t.stem for t in tokens]
    n_tokens = len(tokens)
    pairs: Iterable[tuple[tuple[tuple[str, ...], ...] | None, list[int] | None]]
    if len(heads) <= len(index):
        pairs = ((options, index.get(head)) for head, options in heads.items())
    else:
        pairs = ((heads.get(stem_), positions) for stem_, positions in index.items())
    for options, positions in pairs:
        if not options or not positions:
            continue
        for i in positions:
            for stems in options:
                n = len(stems)
                if n == 1 or (i + n <= n_tokens and tuple(all_stems[i : i + n]) == stems):
                    yield Match(i, i + n)


@dataclass(frozen=True, slots=True)
class StartPattern:
    """One pattern for a whole list of lexicon phrases (see ``every_start``) and the openings they can
    begin with, so ``word_starts`` tries it only at words where one of them could start.
    """

    regex: re.Pattern[str]
    opens: Openings  # None: anywhere
    # by a start's lower-cased ASCII character: the same pattern made of only the phrases that can begin with
    # it (and those that can begin with anything), so a word is tried against a handful of phrases, not all
    by_char: dict[str, re.Pattern[str]] = field(default_factory=dict)


def every_start(patterns: Sequence[str]) -> StartPattern | None:
    """One pattern that matches, empty, at every position where any of ``patterns`` starts; group 1 is
    that phrase, so one pass over the text finds every start and end (overlapping ones too).
    """
    if not patterns:
        return None
    each = [openings([p]) for p in patterns]
    every: Openings = None if any(o is None for o in each) else frozenset().union(*each)  # type: ignore[arg-type]
    by_char: dict[str, re.Pattern[str]] = {}
    if not any(_GROUP_REFERENCE.search(p) for p in patterns):
        heads = [None if o is None else {s[0] for s in o} for o in each]
        anywhere = [p for p, h in zip(patterns, heads, strict=True) if h is None]
        for ch in sorted(set().union(*(h for h in heads if h is not None))):
            # the phrases keep their order, so the first that matches is the one the whole pattern finds
            mine = [p for p, h in zip(patterns, heads, strict=True) if h is None or ch in h]
            by_char[ch] = _starts_regex(mine)
        if anywhere:
            by_char[""] = _starts_regex(anywhere)
    return StartPattern(_starts_regex(patterns), every, by_char)


def _starts_regex(patterns: Sequence[str]) -> re.Pattern[str]:
    return re.compile("(?=(" + "|".join(f"(?:{p})" for p in patterns) + "))", re.IGNORECASE)


def word_starts(pattern: StartPattern, answer: Answer) -> Iterable[re.Match[str]]:
    """``pattern``'s matches that begin at the start of the text or where a phrase can begin (in order).

    The lexicon's phrase patterns begin at a word or at an apostrophe inside one
    ("'s", "'re"; ``Answer.phrase_starts``), so trying them only there
    finds what a scan of every character would, for a fraction of the cost:
    a long alternation is tried once per word instead of once per letter, and
    not at all at a word none of the phrases can begin with. Past the text's
    first character (where anchored phrases match) a plain ASCII character is
    tried only against the phrases that can begin with it.
    """
    regex, text, by_char = pattern.regex, answer.text, pattern.by_char
    only_anywhere = by_char.get("")
    for pos in answer.starts_for(pattern.opens):
        ch = text[pos]
        if pos == 0 or not by_char or not ch.isascii():
            tried: re.Pattern[str] | None = regex
        else:
            tried = by_char.get(ch.lower(), only_anywhere)
        m = tried.match(text, pos) if tried is not None else None
        if m is not None:
            yield m


@dataclass(frozen=True, slots=True)
class WordPattern:
    """A cue or support pattern with, when it can match only where a word begins, the openings it can
    begin with (see ``word_matches``).
    """

    regex: re.Pattern[str]
    opens: Openings  # None: it may match anywhere


def word_pattern(pattern: str) -> WordPattern:
    """``pattern`` compiled to ignore case, with where its matches can begin."""
    return WordPattern(re.compile(pattern, re.IGNORECASE), word_openings(pattern))


def word_matches(pattern: WordPattern, answer: Answer) -> Iterable[re.Match[str]]:
    """What ``pattern.regex.finditer(answer.text)`` yields, in the same order.

    A pattern that opens on a word boundary and a word character is tried only at
    the words it can begin with, skipping any that start inside the previous
    match, as a scan does; a scan of every character costs more than the rest
    of reading a long answer's cues.
    """
    if pattern.opens is None:
        yield from pattern.regex.finditer(answer.text)
        return
    regex, text = pattern.regex, answer.text
    end = 0
    for pos in answer.word_heads_for(pattern.opens):
        if pos < end:
            continue
        m = regex.match(text, pos)
        if m is not None:
            end = m.end()  # the pattern cannot match empty: it opens on a word character
            yield m


def span_text(text: str, tokens: Sequence[Token], match: Match) -> str:
    """The verbatim text of a match."""
    return text[tokens[match.first].start : tokens[match.last - 1].end]


@dataclass(slots=True)
class Answer:
    """An answer tokenised once, with the indexes every detector shares.

    Built once per assessment so that cue matching, stance, support and
    evidence all look things up in constant or logarithmic time: the cost of
    assessing an answer grows with its length, not with its length squared.
    """

    text: str
    tokens: list[Token]
    index: dict[str, list[int]] = field(default_factory=dict)
    words: dict[str, list[int]] = field(default_factory=dict)
    _starts: list[int] = field(default_factory=list)
    _sentence_bounds: dict[int, tuple[int, int]] = field(default_factory=dict)
    _clause_bounds: dict[int, tuple[int, int]] = field(default_factory=dict)
    _phrase_starts: list[int] | None = None
    _phrase_heads: _Openings | None = None  # phrase starts by the characters they open with
    _word_heads: _Openings | None = None  # regex word starts by the characters they open with
    stems: list[str] = field(default_factory=list)  # each token's stem, in order
    plain_words: list[str] = field(default_factory=list)  # each token's word with a typographic apostrophe made plain

    @classmethod
    def of(cls, text: str) -> Answer:
        tokens = tokenize(text)
        answer = cls(text, tokens, stem_index(tokens))
        for i, tok in enumerate(tokens):
            answer.words.setdefault(tok.word, []).append(i)
        answer._starts = [t.start for t in tokens]
        answer.stems = [t.stem for t in tokens]
        answer.plain_words = [t.word.replace("\u2019", "'") for t in tokens]
        answer._sentence_bounds = _bounds([t.sentence for t in tokens])
        answer._clause_bounds = _bounds([t.clause for t in tokens])
        return answer

    @property
    def starts(self) -> list[int]:
        """The character offset where each token starts, in order."""
        return self._starts

    @property
    def phrase_starts(self) -> list[int]:
        """Where a lexicon phrase can begin: each word, and each apostrophe inside one ("it's" holds "'s")."""
        if self._phrase_starts is None:
            out: list[int] = []
            for t in self.tokens:
                out.append(t.start)
                if "'" in t.word or "\u2019" in t.word:
                    out.extend(t.start + k for k, ch in enumerate(self.text[t.start : t.end]) if ch in "'\u2019")
            self._phrase_starts = out
        return self._phrase_starts

    def starts_for(self, first: Openings) -> list[int]:
        """Where a phrase opening with one of ``first`` (lower-cased; None: anything) could begin: the text's
        start, always, and each phrase start that opens so (see ``_Openings``).
        """
        if first is None:
            every = self.phrase_starts
            return every if every and every[0] == 0 else [0, *every]
        if self._phrase_heads is None:
            self._phrase_heads = _Openings(self.text, self.phrase_starts)
        return self._phrase_heads.opening(first, always=0)

    def word_heads_for(self, first: Openings) -> list[int]:
        r"""Where a regex word (``\b\w``) begins with one of ``first``, in order (see ``_Openings``)."""
        if self._word_heads is None:
            self._word_heads = _Openings(self.text, [m.start() for m in _WORD_HEAD.finditer(self.text)])
        if first is None:
            return self._word_heads.positions
        return self._word_heads.opening(first)

    def token_at(self, offset: int) -> int | None:
        """Index of the token that holds or follows character ``offset``."""
        i = bisect_right(self._starts, offset) - 1
        if i >= 0 and self.tokens[i].end > offset:
            return i
        return i + 1 if i + 1 < len(self.tokens) else None

    def sentence(self, i: int) -> tuple[int, int]:
        """Token range (start, exclusive end) of the sentence holding token ``i``."""
        return self._sentence_bounds[self.tokens[i].sentence]

    def clause(self, i: int) -> tuple[int, int]:
        """Token range (start, exclusive end) of the clause holding token ``i``."""
        return self._clause_bounds[self.tokens[i].clause]

    def sentence_range(self, n: int) -> tuple[int, int] | None:
        """Token range of sentence number ``n``, if there is one."""
        return self._sentence_bounds.get(n)

    def span(self, first: int, last: int) -> str:
        """The verbatim text of tokens ``first`` to ``last`` (exclusive)."""
        return self.text[self.tokens[first].start : self.tokens[last - 1].end]


class _Openings:
    """Positions in a text grouped by the one, two and three characters that open there (lower-cased), so
    the positions where any of a pattern's openings occurs are a few dictionary lookups away. A position
    whose opening holds a character outside ASCII is always included: Unicode case rules can make it match
    a letter it does not lower-case to.
    """

    __slots__ = ("_by", "_cache", "_outside", "positions")

    def __init__(self, text: str, positions: list[int]) -> None:
        self.positions = positions
        self._by: list[dict[str, list[int]]] = [{} for _ in range(HEAD + 1)]
        self._outside: list[int] = []
        self._cache: dict[frozenset[str], list[int]] = {}
        for pos in positions:
            head = text[pos : pos + HEAD]
            if not head.isascii():
                self._outside.append(pos)
                continue
            head = head.lower()
            for n in range(1, len(head) + 1):
                self._by[n].setdefault(head[:n], []).append(pos)

    def opening(self, first: frozenset[str], *, always: int | None = None) -> list[int]:
        """The positions that open with one of ``first`` (and ``always``), in order."""
        found = self._cache.get(first)
        if found is None:
            chosen = [hit for o in first if (hit := self._by[len(o)].get(o))]
            if self._outside:
                chosen.append(self._outside)
            if always is not None:
                chosen.append([always])
            found = chosen[0] if len(chosen) == 1 else sorted(set().union(*chosen))
            self._cache[first] = found
        return found


def _bounds(numbers: Sequence[int]) -> dict[int, tuple[int, int]]:
    """(start, exclusive end) token range of each run of equal, non-decreasing numbers."""
    out: dict[int, tuple[int, int]] = {}
    start = 0
    for i in range(1, len(numbers) + 1):
        if i == len(numbers) or numbers[i] != numbers[start]:
            out[numbers[start]] = (start, i)
            start = i
    return out
