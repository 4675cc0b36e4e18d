"""Whether the candidate proposes an idea, rejects it or doubts it, read from its clause.

"Raw call volume I'd avoid as the north star" names a weak idea in order to
reject it, which is usually the strong move; "I'm not sure a sandbox is worth
it" doubts a good one. A cue alone cannot tell these apart, so each mention
is read in its own clause: negations before it (up to a word that ends their
reach, such as "until" or "because"), doubts before it, and a judgement
after it that sets it aside.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from agent.content.lexicon import Lexicon
from agent.interview._text import Answer, StartPattern, every_start, phrase_stems, stem, word_starts

# Subjects after "and" that start a new clause of their own ("... and we'd ...").
_NEW_SUBJECT = frozenset({"i", "we", "you", "they", "it", "that", "then", "i'd", "we'd", "you'd", "they'd",
                          "i'll", "we'll", "i'm", "we're"})
# A judgement that sets an idea aside must start this close after it, or it is about something else.
DISMISSAL_REACH = 10
# First words of a sentence that judge the one before ("No.", "That's a trap.").
_JUDGING_OPENERS = frozenset({"no", "nope", "that", "that's", "this", "it", "it's", "those", "which", "not"})
CONDITION_REACH = 8
# A negation further back than this in one unpunctuated run is not about the mention (spoken clauses are shorter).
NEGATION_REACH = 30
_CONDITIONS = frozenset({"until", "unless", "till"})
# "no" before a noun denies that noun: it reaches an idea only this close after it, or through the nouns that
# carry a denial on ("no need for X", "no point tracking X", "no longer X").
_NO_REACH = 2
_NO_HEADS = frozenset({"need", "point", "reason", "use", "value", "sense", "longer", "one", "way", "interest"})
# A reported view reaches this many sentences on when its report stands alone ("I know the arguments."),
# and a turn that sets it aside may come this many sentences after the idea.
_REPORT_REACH = 2
_HEADER_TAIL = 2  # words a standalone report may run on after its phrase
# Words that end a set-up view: the candidate speaking for themselves, or turning.
_OWN_VOICE = frozenset({"i", "i'd", "i'm", "i'll", "i've", "we", "we'd", "we're", "we'll", "my", "but", "however",
                        "instead"})
_TURN_LEAD_IN = frozenset({"and", "so", "um", "uh", "er", "well", "okay", "ok", "yeah"})
_TURN_OPENERS = frozenset({"but", "however"})
_ADDING = frozenset({"also", "too", "still", "additionally"})


class Stance(StrEnum):
    """How the candidate holds an idea they mention."""

    ENDORSED = "endorsed"
    REJECTED = "rejected"
    QUESTIONED = "questioned"


class StanceReader:
    """Reads the stance of a mention from the lexicon's negators, limiters, doubts and dismissals."""

    def __init__(self, lexicon: Lexicon) -> None:
        self._exact, self._single, multi = _split_negators(lexicon.negators)
        # by first stem, so each token is tried only against the phrases that can start there
        self._multi = _by_head(multi)
        self._limiters = _by_head(phrase_stems(x) for x in lexicon.limiters)
        self._dismiss = every_start(lexicon.dismissals)
        self._doubt = every_start(lexicon.doubts)
        self._prefer = every_start(lexicon.preferences)
        self._report = every_start(lexicon.reported_views)
        self._turn = every_start(lexicon.set_aside_turns)
        self._replace = every_start(lexicon.replacements)
        self._set_up = every_start(lexicon.set_ups)
        self._breaks_single = frozenset(w.lower() for w in lexicon.scope_breaks if " " not in w.strip())
        # by their last word: the scope is read backwards, so a phrase is tried only where it could end
        self._breaks_multi: dict[str, list[tuple[str, ...]]] = {}
        for w in lexicon.scope_breaks:
            if " " in w.strip():
                words = tuple(w.lower().split())
                self._breaks_multi.setdefault(words[-1], []).append(words)

    def scan(self, answer: Answer) -> StanceScan:
        """Every dismissal and doubt phrase in the answer, found once for all its mentions."""
        return StanceScan(_Spans.of(self._dismiss, answer), _Spans.of(self._doubt, answer),
                          _Spans.of(self._prefer, answer), _Spans.of(self._report, answer),
                          _turns(answer, _Spans.of(self._turn, answer)), _Spans.of(self._replace, answer).starts,
                          _Spans.of(self._set_up, answer))

    def read(self, answer: Answer, first: int, last: int, *, weak: bool,
             others: Sequence[int] = (), scan: StanceScan | None = None) -> Stance:
        """The stance of the mention at tokens ``first:last``.

        ``weak`` says whether the idea is a weak one: "not just uptime" limits
        uptime (a weak idea set aside) but "not just the time to integrate"
        adds to a strong one. ``others`` are token positions where other ideas
        are mentioned, so a judgement about one of them is not read as about
        this one. ``scan`` is ``scan(answer)``, passed in when many mentions of one answer are read.
        """
        scan = scan or self.scan(answer)
        lo = self._scope_start(answer, first)
        if self._doubted(answer, lo, first, scan.doubts):  # "I'm not sure X is worth it" doubts X; it does not deny it
            return Stance.QUESTIONED
        # a weak idea's cue may hold the choice itself ("pick that over DAU"): what comes after "over" is passed over
        passed = self._passed_over(answer, lo, last - 1 if weak else first, scan)
        negations = self._count_negations(answer, lo, first, weak=weak) + passed
        if negations % 2 == 1 and not self._condition_after(answer, first, last):
            return Stance.REJECTED
        # a weak idea's cue may run on into the words that set it aside ("raw call volume I'd avoid"),
        # so for a weak idea the judgement may start right after its first word
        if self._dismissed(answer, first + 1 if weak else last, others, scan.dismissals):
            return Stance.REJECTED
        if (_reported_then_set_aside(answer, first, last, scan) or _taken_back(answer, last, scan)
                or _set_up(answer, first, scan)):
            return Stance.REJECTED
        return Stance.ENDORSED

    # -- before the mention -------------------------------------------------

    def _scope_start(self, answer: Answer, first: int) -> int:
        """Where the clause that governs the mention starts: a clause mark or a word that ends a negation's reach."""
        tokens = answer.tokens
        clause_start, _ = answer.clause(first)
        clause_start = max(clause_start, first - NEGATION_REACH)
        i = first - 1
        while i >= clause_start:
            word = tokens[i].word
            if word in self._breaks_single or any(_ends_with(tokens, i, m) for m in self._breaks_multi.get(word, ())):
                return i + 1
            if word == "and" and i + 1 < first and tokens[i + 1].word in _NEW_SUBJECT:
                return i + 1
            i -= 1
        return clause_start

    def _count_negations(self, answer: Answer, lo: int, first: int, *, weak: bool) -> int:
        tokens = answer.tokens
        count = 0
        i = lo
        while i < first:
            tok = tokens[i]
            head = tok.stem
            if head in self._limiters:
                limiter = next((len(m) for m in self._limiters[head] if _starts_with(tokens, i, m, first)), 0)
                if limiter:
                    count += 1 if weak else 0
                    i += limiter
                    continue
            if head in self._multi:
                multi = next((len(m) for m in self._multi[head] if _starts_with(tokens, i, m, first)), 0)
                if multi:
                    count += 1
                    i += multi
                    continue
            if tok.word == "no" and first - i > _NO_REACH and (i + 1 >= first or tokens[i + 1].word not in _NO_HEADS):
                i += 1  # "if there's no hit, it goes to the resolver": "no" denies its own noun, not the idea
                continue
            if tok.word in self._exact or tok.stem in self._single or tok.word.endswith(("n't", "n\u2019t")):
                count += 1
            i += 1
        return count

    def _condition_after(self, answer: Answer, first: int, last: int) -> bool:
        """A gated switch-off is affirmed, not denied: "don't switch it off until everyone has moved"."""
        tokens = answer.tokens
        sentence = tokens[first].sentence
        for tok in tokens[last : last + CONDITION_REACH]:
            if tok.sentence != sentence:
                return False
            if tok.word in _CONDITIONS:
                return True
        return False

    @staticmethod
    def _passed_over(answer: Answer, lo: int, before: int, scan: StanceScan) -> int:
        """1 when a choice that ranks something above this mention ("pick live keys over") ends by token
        ``before``, starting inside the mention's clause.
        """
        if lo >= before:
            return 0
        return int(scan.preferences.any_ending_within(answer.tokens[lo].start, answer.tokens[before].start))

    @staticmethod
    def _doubted(answer: Answer, lo: int, first: int, doubts: _Spans) -> bool:
        if lo >= first:
            return False
        lo_char, first_char = answer.tokens[lo].start, answer.tokens[first].start
        return doubts.any_within(lo_char, first_char, first_char)

    # -- after the mention --------------------------------------------------

    @staticmethod
    def _dismissed(answer: Answer, last: int, others: Sequence[int], dismissals: _Spans) -> bool:
        if not dismissals.starts:
            return False
        tokens = answer.tokens
        _, sentence_end = answer.sentence(last - 1)
        end = sentence_end
        nxt = answer.sentence_range(tokens[last - 1].sentence + 1)
        if sentence_end - last <= 2 and nxt is not None and tokens[nxt[0]].word in _JUDGING_OPENERS:
            end = answer.clause(nxt[0])[1]  # "Daily actives? No, that tells you nothing."
        reach = min(end, last + DISMISSAL_REACH)
        k = bisect_left(others, last)  # ``others`` is in order
        stop = others[k] if k < len(others) and others[k] < reach else reach
        if stop <= last:
            return False
        start_char = tokens[last - 1].end
        window_end = tokens[stop - 1].end
        # a dismissal starts inside the window and ends in the sentence (or the judging one after it)
        return dismissals.any_within(start_char, window_end, tokens[end - 1].end)


@dataclass(frozen=True, slots=True)
class _Spans:
    """Where a set of phrase patterns match in one text: every start, in order, with the match's end."""

    starts: list[int]
    ends: list[int]

    @classmethod
    def of(cls, pattern: StartPattern | None, answer: Answer) -> _Spans:
        if pattern is None:
            return cls([], [])
        found = [(m.start(), m.end(1)) for m in word_starts(pattern, answer)]
        return cls([a for a, _ in found], [b for _, b in found])

    def any_ending_within(self, lo: int, end_by: int) -> bool:
        """Does a match start at or after ``lo`` and end by ``end_by``?"""
        i = bisect_left(self.starts, lo)
        while i < len(self.starts) and self.starts[i] < end_by:
            if self.ends[i] <= end_by:
                return True
            i += 1
        return False

    def any_within(self, lo: int, start_before: int, end_by: int) -> bool:
        """Does a match start in ``[lo, start_before)`` and end by ``end_by``?"""
        i = bisect_left(self.starts, lo)
        while i < len(self.starts) and self.starts[i] < start_before:
            if self.ends[i] <= end_by:
                return True
            i += 1
        return False


@dataclass(frozen=True, slots=True)
class StanceScan:
    """The stance phrases of one answer, found in one pass (see ``StanceReader.scan``)."""

    dismissals: _Spans
    doubts: _Spans
    preferences: _Spans
    reports: _Spans = _Spans([], [])
    turns: list[int] = field(default_factory=list)  # character offsets where a reported view is set aside
    replacements: list[int] = field(default_factory=list)  # where a proposal that replaces earlier ones starts
    set_ups: _Spans = _Spans([], [])  # views set up to be argued against


def _turns(answer: Answer, phrases: _Spans) -> list[int]:
    """Where a reported view is set aside: a turn phrase of the lexicon, or a sentence that opens on "But" or
    "However" (not "but also", which adds to what came before).
    """
    out = list(phrases.starts)
    tokens = answer.tokens
    n = len(tokens)
    sentence = -1
    for i, tok in enumerate(tokens):
        if tok.sentence == sentence:
            continue
        sentence = tok.sentence
        j = i
        while j < n and tokens[j].sentence == sentence and tokens[j].word in _TURN_LEAD_IN:
            j += 1
        if j < n and tokens[j].sentence == sentence and tokens[j].word in _TURN_OPENERS:
            following = {t.word for t in tokens[j + 1 : j + 4] if t.sentence == sentence}
            if not following & _ADDING:
                out.append(tokens[j].start)
    return sorted(out)


def _reported_then_set_aside(answer: Answer, first: int, last: int, scan: StanceScan) -> bool:
    """Is the mention part of a view the candidate reports ("the textbook answer is ...", "..., and people do
    suggest that") and then turns away from ("... but in practice")? The report stands in the mention's
    sentence, or is a sentence of its own just before ("I know the arguments."); the turn comes after both, in
    the mention's sentence or the next two, with no turn between a report and a mention after it (an idea
    after the turn is the candidate's own).
    """
    reports = scan.reports
    if not reports.starts:
        return False
    tokens = answer.tokens
    at, m_end = tokens[first].start, tokens[last - 1].end
    s_lo, s_hi = answer.sentence(first)
    m_sentence = tokens[first].sentence
    turns = scan.turns
    opened: int | None = None  # where the governing report starts
    k = bisect_left(reports.starts, at) - 1
    if k >= 0:
        r_tok = answer.token_at(reports.starts[k])
        if r_tok is not None and tokens[r_tok].sentence == m_sentence:
            opened = reports.starts[k]
        elif r_tok is not None and 0 < m_sentence - tokens[r_tok].sentence <= _REPORT_REACH:
            after_report = answer.token_at(reports.ends[k])
            if after_report is None or answer.sentence(r_tok)[1] - after_report <= _HEADER_TAIL:
                opened = reports.starts[k]
        if opened is not None and bisect_left(turns, at) != bisect_left(turns, opened + 1):
            opened = None  # a turn came between the report and the mention
    if opened is None:
        k = bisect_left(reports.starts, m_end)
        if k < len(reports.starts) and reports.starts[k] < tokens[s_hi - 1].end:
            opened = reports.starts[k]  # "..., and people do suggest that"
            m_end = max(m_end, reports.ends[k])
        else:
            return False
    reach = answer.sentence_range(m_sentence + _REPORT_REACH) or answer.sentence_range(m_sentence + 1)
    end_char = tokens[max(reach[1] if reach else s_hi, s_hi) - 1].end
    i = bisect_left(turns, m_end)
    return i < len(turns) and turns[i] < end_char


def _set_up(answer: Answer, first: int, scan: StanceScan) -> bool:
    """Is the mention inside a view set up to be argued against, earlier in its sentence ("You might think
    it's just newest first", "The tempting thing is to promise everything at once")? The set-up reaches until
    the candidate speaks for themselves ("..., and I'd steer away from that") or turns ("but").
    """
    spans = scan.set_ups
    if not spans.starts:
        return False
    tokens = answer.tokens
    at = tokens[first].start
    lo, _ = answer.sentence(first)
    k = bisect_left(spans.starts, at) - 1
    if k < 0 or spans.starts[k] < tokens[lo].start:
        return False
    after = answer.token_at(spans.ends[k])
    return after is None or not any(t.word in _OWN_VOICE for t in tokens[after:first])


def _taken_back(answer: Answer, last: int, scan: StanceScan) -> bool:
    """Does the answer take the mention back: a turn soon after it ("But realistically ...", a sentence opening
    on "But"), then a proposal that replaces it ("so what I'd really do is ...", "I'd just say ...")? The idea
    was the candidate's first thought, not where they stand. A "but" that refines without replacing ("But on
    its own it misses retention, so I'd also track ...") leaves it standing.
    """
    if not scan.replacements or not scan.turns:
        return False
    tokens = answer.tokens
    m_end = tokens[last - 1].end
    i = bisect_left(scan.turns, m_end)
    if i >= len(scan.turns):
        return False
    turn_at = scan.turns[i]
    turn_tok = answer.token_at(turn_at)
    if turn_tok is None or tokens[turn_tok].sentence - tokens[last - 1].sentence > _REPORT_REACH:
        return False
    j = bisect_left(scan.replacements, turn_at)
    if j >= len(scan.replacements):
        return False
    r_tok = answer.token_at(scan.replacements[j])
    return r_tok is not None and tokens[r_tok].sentence - tokens[turn_tok].sentence <= _REPORT_REACH


def _split_negators(negators: Sequence[str]) -> tuple[frozenset[str], frozenset[str], list[tuple[str, ...]]]:
    singles = [n.lower() for n in negators if len(phrase_stems(n)) == 1]
    # short negators match as whole words only: by stem, "notes" would be "not" and "nose" "no"
    exact = frozenset(n for n in singles if len(n) < 4)
    single = frozenset(stem(n) for n in singles if len(n) >= 4)
    multi = [phrase_stems(n) for n in negators if len(phrase_stems(n)) > 1]
    return exact, single, multi


def _by_head(phrases: Iterable[tuple[str, ...]]) -> dict[str, list[tuple[str, ...]]]:
    out: dict[str, list[tuple[str, ...]]] = {}
    for p in phrases:
        if p:
            out.setdefault(p[0], []).append(p)
    return out


def _starts_with(tokens: Sequence, i: int, stems: tuple[str, ...], limit: int) -> bool:
    n = len(stems)
    return i + n <= limit and all(tokens[i + k].stem == stems[k] for k in range(n))


def _ends_with(tokens: Sequence, i: int, words: tuple[str, ...]) -> bool:
    n = len(words)
    return i - n + 1 >= 0 and all(tokens[i - n + 1 + k].word == words[k] for k in range(n))
