"""What an answer offers in support of an idea: a reason, a mechanism, a number, an example, a consequence.

Naming the right term is what a candidate who memorised a checklist does;
saying why it matters, how it works, how much, for instance what, or what it
does for the people affected is what a candidate who understands does. The
markers found here are what separates an idea that is *named* from one that
is *explained*. A reason that only appeals to fashion or authority ("it's
more modern", "big companies do it") is hollow and supports nothing.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from agent.content.lexicon import Lexicon, SupportCues
from agent.interview._text import Answer, WordPattern, every_start, word_matches, word_pattern, word_starts

# How far past a marker its reason runs (a hollow appeal, or the people it lands on).
_REASON_REACH = 12
# How far before a marker an appeal that frames it may start ("best practice is to ...").
_APPEAL_BEFORE = 6
# Words a sentence may open with before its real first word ("So, um, that means ...").
_LEAD_IN = frozenset({"and", "so", "um", "uh", "er", "erm", "well", "like", "yeah", "okay", "ok", "right", "but"})


_NEXT_WORD = re.compile(r"[A-Za-z]+")
# What follows a "so" that sums an answer up rather than concluding from the sentence before.
_SUMMING_UP: dict[str, list[tuple[str, ...]]] = {
    w: [(w,)] for w in ("basically", "yeah", "overall", "essentially", "anyway", "generally", "all", "in", "um",
                        "uh", "yes", "long")}
_SUMMING_UP.update({"i'd": [("i'd", "say"), ("i'd", "argue"), ("i'd", "sum")],
                    "i": [("i", "think"), ("i", "guess"), ("i", "mean"), ("i", "would")]})
# Openings of a sentence that concludes from the one before it.
_CONCLUDING: dict[str, list[tuple[str, ...]]] = {
    "so": [("so",)], "that's": [("that's", "why")], "thats": [("thats", "why")], "which": [("which", "is", "why")],
    "hence": [("hence",)], "therefore": [("therefore",)], "as": [("as", "a", "result")],
    "because": [("because", "of", "that")], "that": [("that", "is", "why"), ("that", "meant")],
}
# Units a hyphenated number may carry and still be a figure ("a six-month window").
_UNITS = frozenset("second seconds minute minutes hour hours day days week weeks month months quarter quarters "
                   "year years percent step steps person people team teams times fold x ms".split())


class SupportKind(StrEnum):
    """The kinds of support that make a named idea explained."""

    REASON = "reason"
    MECHANISM = "mechanism"
    NUMBER = "number"
    EXAMPLE = "example"
    CONSEQUENCE = "consequence"


# Support that may come before the idea it supports ("Because teams wait, I'd track ...").
LEADING_KINDS = frozenset({SupportKind.REASON, SupportKind.EXAMPLE})
# On an opinion question a position is explained by why it helps the people affected, not by a figure alone.
OPINION_KINDS = frozenset({SupportKind.REASON, SupportKind.CONSEQUENCE, SupportKind.EXAMPLE, SupportKind.MECHANISM})


@dataclass(frozen=True, slots=True)
class Marker:
    """One piece of support found in the answer."""

    first: int
    last: int  # exclusive
    kind: SupportKind
    hollow: bool
    backward: bool = False  # "so", "that's why": the reason came before it, so it cannot come before an idea
    affects: bool = False  # its reason names someone it lands on (customers, developers, they ...)

    def backs_an_opinion(self) -> bool:
        """On an opinion question only what the choice does to the people affected explains a position."""
        return self.kind is SupportKind.CONSEQUENCE or (self.kind in OPINION_KINDS and self.affects)


class SupportReader:
    """Finds support markers in an answer with the lexicon's words and patterns."""

    def __init__(self, lexicon: Lexicon) -> None:
        sup = lexicon.support
        self._kinds: list[tuple[SupportKind, dict[str, list[tuple[str, ...]]], list[WordPattern]]] = [
            (kind, *_compile(cues))
            for kind, cues in ((SupportKind.REASON, sup.reason), (SupportKind.MECHANISM, sup.mechanism),
                               (SupportKind.NUMBER, sup.number), (SupportKind.EXAMPLE, sup.example),
                               (SupportKind.CONSEQUENCE, sup.consequence))
        ]
        self._openers = _by_first_word(sup.openers)
        self._affected = frozenset(w.lower() for w in sup.affected)
        # handing the call to someone else supports nothing either ("the engineers would know best")
        # one pass over the answer finds every start of any of them
        self._hollow = every_start((*lexicon.hollow_reasons, *lexicon.engineering_deferral))

    def markers(self, answer: Answer) -> list[Marker]:
        """Every support marker in the answer, in order; hollow reasons are flagged, not dropped."""
        hollow_starts = ([m.start() for m in word_starts(self._hollow, answer)]
                         if self._hollow else [])
        spans: list[tuple[int, int, SupportKind]] = []
        for kind, phrases, patterns in self._kinds:
            spans.extend((first, last, kind) for first, last in _phrase_spans(answer, phrases))
            for pattern in patterns:
                for rm in word_matches(pattern, answer):
                    first = answer.token_at(rm.start())
                    last = answer.token_at(max(rm.start(), rm.end() - 1))
                    if first is not None and last is not None and answer.tokens[first].start < rm.end():
                        spans.append((first, last + 1, kind))
        found: dict[tuple[int, int, SupportKind], Marker] = {}
        named: dict[int, int] = {}  # sentence -> its first word naming someone (see _first_named)
        for first, last, kind in spans:
            if (first, last, kind) in found or self._discourse_so(answer, first):
                continue
            if kind is SupportKind.NUMBER and _part_of_a_name(answer, first, last):
                continue
            backward = _points_back(answer, first)
            # the sentence names who the choice lands on before a short reach past the marker
            lo, hi = answer.sentence(first)
            affects = self._first_named(answer, lo, hi, named) < min(hi, first + _REASON_REACH)
            found[(first, last, kind)] = Marker(first, last, kind, _is_hollow(answer, first, hollow_starts, backward),
                                                backward, affects)
        return sorted(found.values(), key=lambda m: (m.first, m.last))

    def _first_named(self, answer: Answer, lo: int, hi: int, seen: dict[int, int]) -> int:
        """The first word of the sentence at tokens ``lo:hi`` that names someone a choice lands on ("if it
        spends money, agents need a confirmation step"), or ``hi``; a possessive names its owner too ("a
        customer's software"). Each sentence is read once (``seen``), so a run-on answer of one long sentence
        costs no more per marker than a short one.
        """
        found = seen.get(lo)
        if found is None:
            affected = self._affected
            words = answer.plain_words
            found = next((i for i in range(lo, hi) if words[i] in affected or words[i].removesuffix("'s") in affected),
                         hi)
            seen[lo] = found
        return found

    def opens_on_previous(self, answer: Answer, sentence_start: int) -> bool:
        """Does the sentence starting at this token carry on from the one before ("That means ...")?"""
        i = _skip_lead_in(answer, sentence_start)
        if i is None:
            return False
        return any(_words_at(answer, i, p) for p in self._openers.get(answer.tokens[i].word, ()))

    @staticmethod
    def concludes_previous(answer: Answer, sentence_start: int) -> bool:
        """Does the sentence starting at this token draw its conclusion from the one before ("So I pushed to
        ...", "That's why we ...", "As a result ...")? Not the answer's first sentence, whose "So" opens the talk.
        """
        if answer.tokens[sentence_start].sentence == 0:
            return False
        i = _skip_lead_in(answer, sentence_start, allow_so=False)
        if i is None or not any(_words_at(answer, i, p) for p in _CONCLUDING.get(answer.tokens[i].word, ())):
            return False
        # "So basically ...", "So I'd say ..." sums up; it does not conclude from a reason
        return not any(_words_at(answer, i + 1, p) for p in _SUMMING_UP.get(answer.plain_words[i + 1], ())) \
            if i + 1 < len(answer.tokens) else True

    @staticmethod
    def _discourse_so(answer: Answer, first: int) -> bool:
        """A "so" that opens a sentence ("So, I'd start with ...") is not a reason."""
        if answer.tokens[first].word != "so":
            return False
        start, _ = answer.sentence(first)
        return _skip_lead_in(answer, start, allow_so=False) == first


def _compile(cues: SupportCues) -> tuple[dict[str, list[tuple[str, ...]]], list[WordPattern]]:
    return _by_first_word(cues.phrases), [word_pattern(p) for p in cues.patterns]


def _by_first_word(phrases: Iterable[str]) -> dict[str, list[tuple[str, ...]]]:
    out: dict[str, list[tuple[str, ...]]] = {}
    for phrase in phrases:
        words = tuple(re.findall(r"[a-z0-9]+(?:['\u2019][a-z]+)?", phrase.lower().replace("-", " ")))
        if words:
            out.setdefault(words[0], []).append(words)
    for group in out.values():
        group.sort(key=len, reverse=True)
    return out


def _phrase_spans(answer: Answer, phrases: dict[str, list[tuple[str, ...]]]) -> Iterable[tuple[int, int]]:
    plain, n_tokens = answer.plain_words, len(answer.tokens)
    for word, options in phrases.items():
        for i in answer.words.get(word, ()):
            following = plain[i + 1] if i + 1 < n_tokens else None
            for words in options:
                # most phrases sharing a first word part at the second: compare it before the whole phrase
                if len(words) > 1 and words[1] != following:
                    continue
                if _words_at(answer, i, words):
                    yield i, i + len(words)
                    break


def _words_at(answer: Answer, i: int, words: tuple[str, ...]) -> bool:
    tokens = answer.tokens
    n = len(words)
    if i + n > len(tokens):
        return False
    # sentence numbers never fall, so the phrase lies in one sentence when its two ends do
    return tuple(answer.plain_words[i : i + n]) == words and tokens[i + n - 1].sentence == tokens[i].sentence


def _skip_lead_in(answer: Answer, start: int, *, allow_so: bool = True) -> int | None:
    """The first token of the sentence after lead-in words ("and so, um, that ..." -> "that")."""
    tokens = answer.tokens
    sentence = tokens[start].sentence
    i = start
    while i < len(tokens) and tokens[i].sentence == sentence:
        word = tokens[i].word
        if word in _LEAD_IN and (allow_so or word != "so") and i + 1 < len(tokens):
            i += 1
            continue
        return i
    return None


def _part_of_a_name(answer: Answer, first: int, last: int) -> bool:
    """A number hyphenated or slashed into a term ("one-to-one", "three-way handshake", "24/7") is a name, not
    a figure; "a six-month window" or "a 90-day notice" is still a figure.
    """
    text = answer.text
    start, end = answer.tokens[first].start, answer.tokens[last - 1].end
    if start > 0 and text[start - 1] in "-/" and start > 1 and text[start - 2].isalnum():
        return True
    if end + 1 < len(text) and text[end] in "-/" and text[end + 1].isalnum():
        nxt = _NEXT_WORD.match(text, end + 1)
        return nxt is None or nxt.group(0).lower() not in _UNITS
    return False


def _points_back(answer: Answer, first: int) -> bool:
    """Markers such as "so", "that's why", "which is why" point back: the reason was said before them."""
    tokens = answer.tokens
    word = tokens[first].word
    nxt = tokens[first + 1].word if first + 1 < len(tokens) else ""
    return word == "so" and nxt != "that" or (word in ("that's", "which", "this") and nxt == "is" or
                                              word in ("that's", "thats") and nxt == "why")


def _reach(answer: Answer, first: int, backward: bool) -> tuple[int, int]:
    """The tokens that hold a marker's reason.

    They are right after it in its clause, or, for a marker that points back, before it in its sentence. An
    appeal just before it in its clause frames it too: "best practice is to protect the core".
    """
    if backward:
        return answer.sentence(first)[0], first
    clause_start, clause_end = answer.clause(first)
    return max(clause_start, first - _APPEAL_BEFORE), min(clause_end, first + _REASON_REACH, len(answer.tokens))


def _is_hollow(answer: Answer, first: int, hollow_starts: list[int], backward: bool) -> bool:
    """A marker is hollow when its reason is a fashion or authority appeal."""
    if not hollow_starts:
        return False
    tokens = answer.tokens
    lo_tok, hi_tok = _reach(answer, first, backward)
    if hi_tok <= lo_tok:
        return False
    lo, hi = tokens[lo_tok].start, tokens[hi_tok - 1].end
    i = bisect_left(hollow_starts, lo)
    return i < len(hollow_starts) and hollow_starts[i] < hi
