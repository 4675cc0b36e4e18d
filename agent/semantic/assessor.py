"""The cue assessor plus a sentence encoder for the ideas the cues do not name.

Cue lists are precise but literal: a candidate who says "half the people see
the new page and half the old one" has described an A/B test without the
words. This backend runs the deterministic cue assessor first, then compares
each clause of the answer with the description of every strong signal the cues
missed, and credits a signal when one clause is close enough in meaning. It
only ever adds strong signals: weak signals (the red flags that make the
interviewer probe) stay with the cues, whose hits are easy to explain. The
evidence for a semantic hit is the clause itself, copied from the answer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from agent.content.models import Lexicon, Polarity, Question
from agent.interview.assess import CueAssessor, score_signals
from agent.interview.records import Assessment, SignalHit
from agent.semantic.encoder import SentenceEncoder

# Calibrated on tests/evals/dev_answers.yaml (the bank authors' own answers), never on
# tests/evals/answers.yaml: see bench/calibrate_semantic.py.
DEFAULT_THRESHOLD = 0.5
# An answer the cues call off-topic is kept as an answer when it is this close to the question.
TOPIC_THRESHOLD = 0.3

_SENTENCE = re.compile(r"[^.!?;]+[.!?;]?")
_PART = re.compile(r"[^,]+,?")
_MAX_CLAUSE_WORDS = 25
_MIN_CLAUSE_WORDS = 4


@dataclass(frozen=True, slots=True)
class _Anchors:
    ids: tuple[str, ...]
    vectors: np.ndarray  # one row per anchor text
    owner: np.ndarray  # for each row, the index in ``ids`` of the signal it describes
    prompt: np.ndarray


_DESCRIPTION_PART = re.compile(r"[^:;()]+")


def anchor_texts(description: str) -> list[str]:
    """A signal's description and its parts: a long rubric line dilutes the match with any one clause."""
    parts = [p.strip(" ,.") for p in _DESCRIPTION_PART.findall(description)]
    return [description] + [p for p in parts if len(p.split()) >= _MIN_CLAUSE_WORDS and p != description]


def clauses(text: str) -> list[tuple[int, int]]:
    """Character spans of the answer's sentences, with long sentences also cut at commas."""
    spans: list[tuple[int, int]] = []
    for m in _SENTENCE.finditer(text):
        s, e = _trim(text, m.start(), m.end())
        if len(text[s:e].split()) < _MIN_CLAUSE_WORDS:
            continue
        spans.append((s, e))
        if len(text[s:e].split()) > _MAX_CLAUSE_WORDS:
            for p in _PART.finditer(text, s, e):
                ps, pe = _trim(text, p.start(), p.end())
                if len(text[ps:pe].split()) >= _MIN_CLAUSE_WORDS:
                    spans.append((ps, pe))
    return spans


def _trim(text: str, s: int, e: int) -> tuple[int, int]:
    while s < e and not text[s].isalnum():
        s += 1
    while e > s and not text[e - 1].isalnum():
        e -= 1
    return s, e


class SemanticAssessor(CueAssessor):
    """Cue detection, then semantic recall of the strong signals the cues missed."""

    def __init__(self, lexicon: Lexicon, encoder: SentenceEncoder, *, threshold: float = DEFAULT_THRESHOLD,
                 topic_threshold: float = TOPIC_THRESHOLD) -> None:
        super().__init__(lexicon)
        self._encoder = encoder
        self.threshold = threshold
        self.topic_threshold = topic_threshold
        self._anchors: dict[str, _Anchors] = {}

    def _anchors_for(self, question: Question) -> _Anchors:
        found = self._anchors.get(question.id)
        if found is None:
            strong = [s for s in question.signals if s.polarity is Polarity.STRONG]
            texts: list[str] = []
            owner: list[int] = []
            for i, s in enumerate(strong):
                parts = anchor_texts(s.description)
                texts.extend(parts)
                owner.extend([i] * len(parts))
            vectors = self._encoder.encode([*texts, question.prompt])
            found = self._anchors[question.id] = _Anchors(
                tuple(s.id for s in strong), vectors[:-1], np.array(owner), vectors[-1])
        return found

    def similarities(self, question: Question, text: str) -> tuple[list[tuple[int, int]], np.ndarray, np.ndarray]:
        """Clause spans, clause x strong-signal similarities, and each clause's similarity to the prompt."""
        spans = clauses(text)
        anchors = self._anchors_for(question)
        if not spans:
            return spans, np.zeros((0, len(anchors.ids)), dtype=np.float32), np.zeros(0, dtype=np.float32)
        emb = self._encoder.encode([text[s:e] for s, e in spans])
        per_anchor = emb @ anchors.vectors.T
        per_signal = np.full((len(spans), len(anchors.ids)), -1.0, dtype=np.float32)
        for j in range(len(anchors.ids)):
            per_signal[:, j] = per_anchor[:, anchors.owner == j].max(axis=1)
        return spans, per_signal, emb @ anchors.prompt

    def assess(self, question: Question, text: str, *, speaking_s: float | None = None) -> Assessment:
        """Judge ``text``: the cue assessment, with strong signals added where a clause means the same."""
        base = super().assess(question, text, speaking_s=speaking_s)
        if base.answer_kind not in ("answer", "off_topic"):
            return base
        spans, sims, to_prompt = self.similarities(question, text)
        if not spans:
            return base
        have = {h.id for h in base.signals}
        hits = list(base.signals)
        ids = self._anchors_for(question).ids
        for j, sid in enumerate(ids):
            if sid in have:
                continue
            best = int(np.argmax(sims[:, j]))
            if float(sims[best, j]) >= self.threshold:
                s, e = spans[best]
                hits.append(SignalHit(sid, Polarity.STRONG.value, text[s:e]))
        kind = base.answer_kind
        if kind == "off_topic" and (len(hits) > len(base.signals) or float(to_prompt.max()) >= self.topic_threshold):
            kind = "answer"
        if kind == base.answer_kind and len(hits) == len(base.signals):
            return base
        score = score_signals(question, {h.id for h in hits}) if kind == "answer" else base.score
        return Assessment(signals=hits, score=score, delivery=base.delivery, answer_kind=kind)
