"""Turning an answer into rubric signals, a 1-5 score and an answer kind.

The deterministic backend below needs no model and no network: it matches the
content's cues on word stems, drops cues the candidate negated, and quotes the
exact words that showed each signal. Other backends (semantic, LLM) implement
the same ``Assessor`` protocol, so the policy never knows which one ran.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

from agent.content.models import Cues, Lexicon, Polarity, Question, QuestionType, Signal
from agent.interview._text import Match, Negation, Token, find_phrase, phrase_stems, span_text, stem_index, tokenize
from agent.interview.delivery import DeliveryMeter
from agent.interview.records import Assessment, SignalHit

# A strong answer need not touch every rubric point: covering this share of
# the strong signals' weight earns the top score.
FULL_MARKS_SHARE = 0.6
WEAK_PENALTY = 0.75

_SHORT_REPLY_WORDS = 30
# A pattern match that runs across a full stop joins two thoughts the candidate kept apart.
_SENTENCE_INSIDE = re.compile(r"[.!?]\s")


class Assessor(Protocol):
    """Anything that can judge an answer to a question."""

    def assess(self, question: Question, text: str, *, speaking_s: float | None = None) -> Assessment:
        """Judge ``text`` as an answer to ``question``."""
        ...


@dataclass(frozen=True, slots=True)
class _CompiledCues:
    phrases: tuple[tuple[str, ...], ...]
    combos: tuple[tuple[tuple[tuple[str, ...], ...], ...], ...]
    patterns: tuple[re.Pattern[str], ...]
    window: int


def _compile(cues: Cues) -> _CompiledCues:
    return _CompiledCues(
        phrases=tuple(s for s in (phrase_stems(p) for p in cues.phrases) if s),
        combos=tuple(
            tuple(tuple(s for s in (phrase_stems(alt) for alt in group) if s) for group in combo)
            for combo in cues.combos
        ),
        patterns=tuple(re.compile(p, re.IGNORECASE) for p in cues.patterns),
        window=cues.window,
    )


class CueAssessor:
    """The default, deterministic assessor driven by the content's cues."""

    def __init__(self, lexicon: Lexicon) -> None:
        self._negation = Negation(lexicon.negators)
        self._delivery = DeliveryMeter(lexicon)
        self._dont_know = [re.compile(p, re.IGNORECASE) for p in lexicon.dont_know]
        self._clarify = [re.compile(p, re.IGNORECASE) for p in lexicon.clarification_request]
        self._dismiss = [re.compile(p, re.IGNORECASE) for p in lexicon.dismissals]
        self._compiled: dict[tuple[str, str], _CompiledCues] = {}
        self._topic: dict[str, frozenset[str]] = {}

    # -- public -----------------------------------------------------------

    def assess(self, question: Question, text: str, *, speaking_s: float | None = None) -> Assessment:
        """Detect every signal of ``question`` in ``text`` and score the answer alone."""
        tokens = tokenize(text)
        index = stem_index(tokens)
        hits = [hit for s in question.signals if (hit := self._detect(question.id, s, text, tokens, index))]
        delivery = self._delivery.measure(
            text, tokens, explain_simply=question.type is QuestionType.EXPLAIN_CONCEPT, speaking_s=speaking_s
        )
        kind = self._answer_kind(question, text, tokens, hits)
        if kind == "clarification":
            hits = []  # a question about the question echoes its words; it shows nothing yet
        score = 1 if kind != "answer" else score_signals(question, {h.id for h in hits})
        return Assessment(signals=hits, score=score, delivery=delivery, answer_kind=kind)

    def clarification_term(self, question: Question, text: str) -> str | None:
        """The restatement for a term the candidate asked about, if the content has one."""
        stems = {t.stem for t in tokenize(text)}
        for clar in question.clarifications:
            for term in clar.terms:
                if set(phrase_stems(term)) <= stems:
                    return clar.restatement
        return None

    # -- detection --------------------------------------------------------

    def _cues(self, qid: str, signal: Signal) -> _CompiledCues:
        key = (qid, signal.id)
        compiled = self._compiled.get(key)
        if compiled is None:
            compiled = self._compiled[key] = _compile(signal.cues)
        return compiled

    def _detect(
        self, qid: str, signal: Signal, text: str, tokens: Sequence[Token], index: dict[str, list[int]]
    ) -> SignalHit | None:
        cues = self._cues(qid, signal)
        weak = signal.polarity is Polarity.WEAK
        for stems in cues.phrases:
            for m in find_phrase(tokens, stems, index):
                if self._counts(text, tokens, m, weak):
                    return SignalHit(signal.id, signal.polarity.value, span_text(text, tokens, m))
        for combo in cues.combos:
            for cm in _find_combos(tokens, combo, cues.window, index):
                if self._counts(text, tokens, cm, weak):
                    return SignalHit(signal.id, signal.polarity.value, span_text(text, tokens, cm))
        for pattern in cues.patterns:
            for rm in pattern.finditer(text):
                evidence = rm.group(0).strip()
                first = _token_at(tokens, rm.start())
                last = _token_at(tokens, max(rm.start(), rm.end() - 1))
                if not evidence or _SENTENCE_INSIDE.search(evidence) or first is None or last is None:
                    continue
                if self._counts(text, tokens, Match(first, last + 1), weak):
                    return SignalHit(signal.id, signal.polarity.value, evidence)
        return None

    def _counts(self, text: str, tokens: Sequence[Token], m: Match, weak: bool) -> bool:
        """A cue occurrence counts unless it is negated, or (for a weak cue) dismissed later in its sentence."""
        if self._negation.negated(tokens, m.first, m.last):
            return False
        if not weak or not self._dismiss:
            return True
        rest = text[tokens[m.last - 1].end : _sentence_end(text, tokens, m.last - 1)]
        return not any(p.search(rest) for p in self._dismiss)

    # -- answer kinds -----------------------------------------------------

    def _answer_kind(self, question: Question, text: str, tokens: Sequence[Token], hits: list[SignalHit]) -> str:
        words = [t for t in tokens if t.word not in self._delivery.filler_words]
        if not words:
            return "empty"
        strong = any(h.polarity == Polarity.STRONG.value for h in hits)
        short = len(tokens) <= _SHORT_REPLY_WORDS
        if short and any(p.search(text) for p in self._clarify):
            return "clarification"
        if short and not strong and any(p.search(text) for p in self._dont_know):
            return "dont_know"
        if not hits and len(tokens) >= 6 and not (self._topic_stems(question) & {t.stem for t in tokens}):
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


def score_signals(question: Question, present: Iterable[str]) -> int:
    """Score 1-5 from which of the question's signals are present."""
    ids = set(present)
    strong_total = sum(s.weight for s in question.signals if s.polarity is Polarity.STRONG)
    strong_hit = sum(s.weight for s in question.signals if s.polarity is Polarity.STRONG and s.id in ids)
    weak_hit = sum(s.weight for s in question.signals if s.polarity is Polarity.WEAK and s.id in ids)
    ratio = min(1.0, strong_hit / (FULL_MARKS_SHARE * strong_total)) if strong_total else 0.0
    raw = 1.0 + 4.0 * ratio - WEAK_PENALTY * weak_hit
    return max(1, min(5, int(raw + 0.5)))


def _sentence_end(text: str, tokens: Sequence[Token], i: int) -> int:
    """Character offset where the sentence holding ``tokens[i]`` ends."""
    sentence = tokens[i].sentence
    for tok in tokens[i + 1 :]:
        if tok.sentence != sentence:
            return tok.start
    return len(text)


def _token_at(tokens: Sequence[Token], offset: int) -> int | None:
    for i, tok in enumerate(tokens):
        if tok.end > offset:
            return i
    return None


def _find_combos(
    tokens: Sequence[Token], combo: Sequence[Sequence[Sequence[str]]], window: int,
    index: dict[str, list[int]] | None = None,
) -> list[Match]:
    """Every place where one alternative of every group occurs within ``window`` words, tightest first.

    Each occurrence of the first group anchors one candidate, so when the
    tightest one was negated ("not just uptime") a later, plain occurrence of
    the same idea still counts.
    """
    occurrences: list[list[Match]] = []
    for group in combo:
        found = [m for alt in group for m in find_phrase(tokens, alt, index)]
        if not found:
            return []
        occurrences.append(found)
    spans: list[Match] = []
    for anchor in occurrences[0]:
        first, last = anchor.first, anchor.last
        for found_in_group in occurrences[1:]:
            near = [m for m in found_in_group if abs(m.first - anchor.first) <= window]
            if not near:
                break
            closest = min(near, key=lambda m: abs(m.first - anchor.first))
            first, last = min(first, closest.first), max(last, closest.last)
        else:
            spans.append(Match(first, last))
    return sorted(set(spans), key=lambda m: (m.last - m.first, m.first))
