"""Turning an answer into ideas with a level and a stance, a 1-5 score and an answer kind.

A signal of the rubric is an idea, not a phrase. The content's cues only find
where an answer touches an idea; each such mention is then read in its own
clause for stance (proposed, rejected or doubted) and in its sentence and the
next for support (a reason, mechanism, number, example or consequence). An
idea stated with support is *explained*; the bare term is *named* and earns
little, so an answer made of right-sounding terms cannot score above 2, and
a weak idea the candidate rejects does not count against them. Evidence is
the clause that shows the idea, never a fragment.

No model, no network: the same answer always gets the same judgement, fast.
Other backends (an LLM second opinion) implement the same ``Assessor``
protocol, so the policy never knows which one ran.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

from agent.content.lexicon import Lexicon
from agent.content.models import Polarity, Question, QuestionType, Signal
from agent.interview._text import Answer, every_start, phrase_stems, tokenize, word_starts
from agent.interview.cues import CompiledCues, Mention, compile_cues, find_mentions
from agent.interview.delivery import DeliveryMeter
from agent.interview.evidence import clause_evidence
from agent.interview.outgrown import outgrown
from agent.interview.records import Assessment, SignalHit
from agent.interview.stance import Stance, StanceReader
from agent.interview.support import LEADING_KINDS, Marker, SupportReader

# Covering this share of the strong ideas' weight, explained, earns the top score.
FULL_MARKS_SHARE = 0.7
# A named idea is worth this share of an explained one, and an answer with nothing explained stays at 2 or less.
NAMED_CREDIT = 0.5
# A weak idea rejected with a reason ("daily actives mislead, because one script can ...") is worth this share
# of its weight as an explained strong idea: seeing why the tempting answer is wrong is what the question tests.
ARGUED_CREDIT = 1.0
# Any credited strong idea lifts an answer off the floor: 1 is for an answer that touches none.
TOUCHED_FLOOR = 2
NAMED_ONLY_CEILING = 2
# Reasoning that runs through this many sentences (a reason, mechanism, figure, example or consequence in each)
# lifts an answer that explains at least one idea and proposes no weak one by a point, and each further such
# sentence by another, up to ``REASONING_POINTS``: a candidate who argues every step in their own words shows
# understanding the rubric's vocabulary may not catch. Buzzword lists carry no such support, and a weak idea
# proposed keeps its penalty whole.
REASONED_SENTENCES = 5
REASONING_POINTS = 2
# On a question for a listener who asked for plain words, an answer with this many of the lexicon's jargon terms,
# each left without its plain meaning beside it, explains nothing to them: its ideas count as named at most,
# whatever support it gives in that jargon.
JARGON_RECITAL = 4
# Buzzword salad: at least this many marketing words, this thick, and the ideas around them are named at most.
BUZZ_MIN = 3
BUZZ_PER_100 = 2.5
ADJACENT = 1
WEAK_PENALTY = 0.5

_SHORT_REPLY_WORDS = 30


class Assessor(Protocol):
    """Anything that can judge an answer to a question."""

    def assess(self, question: Question, text: str, *, speaking_s: float | None = None) -> Assessment:
        """Judge ``text`` as an answer to ``question``."""
        ...


@dataclass(slots=True)
class _Read:
    """One mention as read: its signal, stance, and the support it got."""

    signal: Signal
    mention: Mention
    stance: Stance
    marker: Marker | None = None

    def rank(self) -> tuple[int, int]:
        """``SignalHit.rank`` of the hit this read makes, without making it (an answer has dozens of reads)."""
        stance = {Stance.ENDORSED: 2, Stance.QUESTIONED: 1}.get(self.stance, 0)
        strong = self.signal.polarity is Polarity.STRONG
        explained = not strong or (self.marker is not None and self.stance is Stance.ENDORSED)
        return stance, 1 if explained else 0


class CueAssessor:
    """The default, deterministic assessor driven by the content's cues and the shared lexicon."""

    def __init__(self, lexicon: Lexicon) -> None:
        self._lexicon = lexicon
        self._stance = StanceReader(lexicon)
        self._support = SupportReader(lexicon)
        self._delivery = DeliveryMeter(lexicon)
        self._dont_know = [re.compile(p, re.IGNORECASE) for p in lexicon.dont_know]
        self._clarify = [re.compile(p, re.IGNORECASE) for p in lexicon.clarification_request]
        self._buzz = every_start(lexicon.buzzwords)
        self._compiled: dict[tuple[str, str], CompiledCues] = {}
        self._topic: dict[str, frozenset[str]] = {}

    # -- public -----------------------------------------------------------

    def assess(self, question: Question, text: str, *, speaking_s: float | None = None) -> Assessment:
        """Read every idea of ``question`` in ``text`` and score the answer alone."""
        answer = Answer.of(text)
        markers = self._support.markers(answer) if answer.tokens else []
        hits, set_aside = self._read(question, answer, markers)
        delivery = self._delivery.measure(
            text, answer.tokens, explain_simply=question.type is QuestionType.EXPLAIN_CONCEPT, speaking_s=speaking_s,
            index=answer.index,
        )
        recital = delivery.jargon_checked and delivery.jargon >= JARGON_RECITAL and \
            self._delivery.unglossed_jargon(text, answer.tokens, answer.index) >= JARGON_RECITAL
        if recital or self._buzz_salad(answer):
            hits, set_aside = [_unexplained(h) for h in hits], [_unexplained(h) for h in set_aside]
        kind = self._answer_kind(question, text, answer, [*hits, *set_aside])
        if kind == "clarification":
            hits, set_aside = [], []  # a question about the question echoes its words; it shows nothing yet
        reasoning = reasoning_sentences(question, answer, markers) if kind == "answer" else 0
        score = 1 if kind != "answer" else score_signals(question, [*hits, *(h for h in set_aside if h.argued)],
                                                         reasoning=reasoning)
        return Assessment(signals=hits, score=score, delivery=delivery, answer_kind=kind, set_aside=set_aside,
                          reasoning=reasoning)



    def explain_level(self, question: Question, text: str, quote: str) -> str:
        """Whether a quoted stretch of the answer carries support: "explained" or "named"."""
        answer = Answer.of(text)
        start = text.find(quote)
        if start < 0:
            return "named"
        lo, hi = answer.token_at(start), answer.token_at(start + len(quote) - 1)
        if lo is None or hi is None:
            return "named"
        for m in self._support.markers(answer):
            if lo <= m.first <= hi and not m.hollow and (not question.opinion or m.backs_an_opinion()):
                return "explained"
        return "named"

    @property
    def press_phrasings(self) -> tuple[str, ...]:
        """The lexicon's generic follow-ups on a named idea, for signals with none of their own."""
        return self._lexicon.press_named

    def clarification_term(self, question: Question, text: str) -> str | None:
        """The restatement for a term the candidate asked about, if the content has one."""
        stems = {t.stem for t in tokenize(text)}
        for clar in question.clarifications:
            for term in clar.terms:
                if set(phrase_stems(term)) <= stems:
                    return clar.restatement
        return None

    # -- reading ideas ----------------------------------------------------

    def _cues(self, qid: str, signal: Signal) -> CompiledCues:
        key = (qid, signal.id)
        compiled = self._compiled.get(key)
        if compiled is None:
            compiled = self._compiled[key] = compile_cues(signal.cues, self._lexicon)
        return compiled

    def _read(self, question: Question, answer: Answer,
              markers: Sequence[Marker]) -> tuple[list[SignalHit], list[SignalHit]]:
        if not answer.tokens:
            return [], []
        found = [(s, find_mentions(self._cues(question.id, s), answer)) for s in question.signals]
        starts = sorted({m.first for _, ms in found for m in ms})
        reads: list[_Read] = []
        scan = self._stance.scan(answer)
        for signal, mentions in found:
            weak = signal.polarity is Polarity.WEAK
            for m in mentions:
                others = starts[bisect_left(starts, m.last):]
                stance = self._stance.read(answer, m.anchor, m.last, weak=weak, others=others, scan=scan)
                reads.append(_Read(signal, m, stance))
        # a weak idea the candidate rejects can be argued against with a reason, which is itself strong evidence
        self._attach_support(question, answer, markers, [r for r in reads if r.signal.polarity is Polarity.STRONG
                                                         or r.stance is Stance.REJECTED])
        hits: list[SignalHit] = []
        set_aside: list[SignalHit] = []
        for signal in question.signals:
            mine = [r for r in reads if r.signal is signal]
            if not mine:
                continue
            first = min(mine, key=lambda r: r.mention.first)
            if signal.polarity is Polarity.WEAK and first.stance is Stance.REJECTED:
                # a weak idea rejected where it is first brought up stays rejected: its later mentions ("DAU
                # counts humans logging in") are the case against it, not a proposal; argued beats unargued
                rejected = [r for r in mine if r.stance is Stance.REJECTED]
                hit = self._hit(answer, max(rejected, key=lambda r: r.marker is not None))
            else:
                hit = self._hit(answer, max(mine, key=_Read.rank))
            (hits if hit.credited or hit.polarity == Polarity.STRONG.value else set_aside).append(hit)
        return hits, set_aside

    def _attach_support(self, question: Question, answer: Answer, markers: Sequence[Marker],
                        reads: list[_Read]) -> None:
        """Give each support marker to the idea it supports: the nearest one before it in its sentence,
        the last one of the sentence before when this sentence carries on from it, or the next one in its
        sentence (in its clause, unless the marker is a reason or an example said first).
        """
        if not reads:
            return
        by_sentence: dict[int, list[_Read]] = {}
        for r in sorted(reads, key=lambda r: r.mention.first):
            by_sentence.setdefault(answer.tokens[r.mention.anchor].sentence, []).append(r)
        for marker in markers:
            if marker.hollow or (question.opinion and not marker.backs_an_opinion()):
                continue
            sentence = answer.tokens[marker.first].sentence
            here = by_sentence.get(sentence, [])
            before = [r for r in here if r.mention.first <= marker.first]
            if before:
                owners = _clause_mates(answer, before, before[-1])
            elif self._support.opens_on_previous(answer, answer.sentence(marker.first)[0]) and by_sentence.get(
                    sentence - 1):
                prev = by_sentence[sentence - 1]
                owners = _clause_mates(answer, prev, prev[-1])
            elif here and not marker.backward and (
                    marker.kind in LEADING_KINDS
                    or answer.tokens[here[0].mention.anchor].clause == answer.tokens[marker.first].clause):
                owners = _clause_mates(answer, here, here[0])
            else:
                owners = []
            # the clause right before or after the support is part of the same thought
            clause = answer.tokens[marker.first].clause
            owners = [*owners, *(r for r in here if abs(answer.tokens[r.mention.anchor].clause - clause) <= ADJACENT)]
            for r in owners:
                # a marker among the idea's own words ("you don't need to know") is the idea, not support for it
                overlaps = marker.first < r.mention.last and r.mention.first < marker.last
                if r.marker is None and not overlaps:
                    r.marker = marker
        self._attach_concluded(question, answer, markers, by_sentence)

    def _attach_concluded(self, question: Question, answer: Answer, markers: Sequence[Marker],
                          by_sentence: dict[int, list[_Read]]) -> None:
        """An idea in a sentence that concludes from the one before ("So I pushed to flip the order", "That's
        why ...") is supported by that sentence's reason, figure, example or consequence: in a story the support
        comes first and the decision after it.
        """
        by_marker_sentence: dict[int, Marker] = {}
        for marker in markers:
            if not marker.hollow and (not question.opinion or marker.backs_an_opinion()):
                by_marker_sentence[answer.tokens[marker.first].sentence] = marker
        for sentence, reads in by_sentence.items():
            previous = by_marker_sentence.get(sentence - 1)
            if previous is None or all(r.marker is not None for r in reads):
                continue
            if not self._support.concludes_previous(answer, answer.sentence(reads[0].mention.anchor)[0]):
                continue
            for r in reads:
                if r.marker is None:
                    r.marker = previous

    def _hit(self, answer: Answer, r: _Read) -> SignalHit:
        m = r.mention
        strong = r.signal.polarity is Polarity.STRONG
        wanted = Stance.ENDORSED if strong else Stance.REJECTED
        support = r.marker if r.stance is wanted else None
        evidence = clause_evidence(answer, m.first, m.last, support.first if support else None,
                                   support.last if support else None)
        if not strong:
            return SignalHit(id=r.signal.id, polarity=r.signal.polarity.value, evidence=evidence,
                             stance=r.stance.value, support=support.kind.value if support is not None else None)
        return SignalHit(
            id=r.signal.id, polarity=r.signal.polarity.value, evidence=evidence, stance=r.stance.value,
            level="explained" if support is not None else "named",
            term=answer.span(m.term_first, m.term_last),
            support=support.kind.value if support is not None else None,
        )

    def _buzz_salad(self, answer: Answer) -> bool:
        """Is the answer thick with marketing words that stand in for substance?"""
        if self._buzz is None or not answer.tokens:
            return False
        count = sum(1 for _ in word_starts(self._buzz, answer))
        return count >= BUZZ_MIN and 100.0 * count / len(answer.tokens) >= BUZZ_PER_100

    # -- answer kinds -----------------------------------------------------

    def _answer_kind(self, question: Question, text: str, answer: Answer, hits: list[SignalHit]) -> str:
        tokens = answer.tokens
        words = [t for t in tokens if t.word not in self._delivery.filler_words]
        if not words:
            return "empty"
        strong = any(h.polarity == Polarity.STRONG.value and h.credited for h in hits)
        short = len(tokens) <= _SHORT_REPLY_WORDS
        if short and any(p.search(text) for p in self._clarify):
            return "clarification"
        if short and not strong and any(p.search(text) for p in self._dont_know):
            return "dont_know"
        if not hits and len(tokens) >= 6 and not (self._topic_stems(question) & answer.index.keys()):
            return "off_topic"
        return "answer"

    def _topic_stems(self, question: Question) -> frozenset[str]:
        stems = self._topic.get(question.id)
        if stems is None:
            words: set[str] = set()
            for w in question.topic_words:
                words.update(phrase_stems(w))
            stems = self._topic[question.id] = frozenset(words)
        return stems


def reasoning_sentences(question: Question, answer: Answer, markers: Iterable[Marker]) -> int:
    """How many sentences carry real support, whichever idea it belongs to (hollow appeals do not count, nor,
    on an opinion question, a figure that says nothing about the people affected).
    """
    return len({answer.tokens[m.first].sentence for m in markers
                if not m.hollow and (not question.opinion or m.backs_an_opinion())})


def _unexplained(hit: SignalHit) -> SignalHit:
    """The same idea, named but not explained (support given in jargon the listener cannot follow); a weak
    idea set aside in that jargon is set aside without an argument anyone could follow.
    """
    if hit.explained:
        return hit.model_copy(update={"level": "named", "support": None})
    return hit.model_copy(update={"support": None}) if hit.argued else hit


def _clause_mates(answer: Answer, reads: Sequence[_Read], owner: _Read) -> list[_Read]:
    """The owner and the other ideas mentioned in its clause ("time to integrate and hours saved, because ...")."""
    clause = answer.tokens[owner.mention.anchor].clause
    return [r for r in reads if answer.tokens[r.mention.anchor].clause == clause] or [owner]


def score_signals(question: Question, hits: Iterable[SignalHit], *, reasoning: int = 0) -> int:
    """Score 1-5 from the ideas shown: explained ones count in full, named ones a little, rejected ones not;
    ``reasoning`` (sentences with support) adds a point from ``REASONED_SENTENCES`` on, two one sentence later.
    """
    weights = {s.id: s.weight for s in question.signals}
    polarity = {s.id: s.polarity for s in question.signals}
    strong_total = sum(s.weight for s in question.signals if s.polarity is Polarity.STRONG)
    best: dict[str, SignalHit] = {}
    for h in hits:
        if h.id in weights and (h.id not in best or h.rank() > best[h.id].rank()):
            best[h.id] = h
    credit = 0.0
    weak_hit = 0.0
    explained = False
    past = outgrown(question, best.values())
    for sid, h in best.items():
        if polarity[sid] is Polarity.WEAK:
            weak_hit += weights[sid] if h.credited and sid not in past else 0.0
            if h.argued:
                credit += ARGUED_CREDIT * weights[sid]
                explained = True
        elif h.explained:
            credit += weights[sid]
            explained = True
        elif h.credited:
            credit += NAMED_CREDIT * weights[sid]
    ratio = min(1.0, credit / (FULL_MARKS_SHARE * strong_total)) if strong_total else 0.0
    raw = 1.0 + 4.0 * ratio - WEAK_PENALTY * weak_hit
    if not explained:
        raw = min(raw, NAMED_ONLY_CEILING)
    elif reasoning >= REASONED_SENTENCES and not weak_hit:
        raw += min(REASONING_POINTS, reasoning - REASONED_SENTENCES + 1)
    floor = TOUCHED_FLOOR if credit > 0 else 1
    return max(floor, min(5, int(raw + 0.5)))
