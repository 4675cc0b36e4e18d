"""Cue specificity: a cue that fires on answers to other questions, or on everyday words, credits nobody.

A cue is meant to show that an answer touched one idea of one question. If
the same phrase turns up in a good share of answers to *other* questions, it
is vocabulary of the whole interview, not evidence of the idea, and it hands
out credit to whoever says it. A one-word cue that most answers contain
anyway ("value", "teams") is the same failure in its plainest form. Both are
measured here against a background of real answers (the development set),
so the check is data, not hope; ``interviewer bank validate`` reports it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from agent.content.models import Question
from agent.interview._text import Token, find_phrase, phrase_stems, stem_index, tokenize

# A cue found in at least this share of the answers to other questions is not specific to its own.
OTHER_QUESTION_SHARE = 0.10
# A one-word cue found in at least this share of all answers is an everyday word.
COMMON_WORD_SHARE = 0.20
# Below this many answers to other questions the shares mean nothing, so nothing is flagged.
MIN_BACKGROUND = 20


@dataclass(frozen=True, slots=True)
class CueFlag:
    """One cue that is not specific enough, with the share that shows it."""

    question: str
    signal: str
    cue: str
    reason: str  # "other-questions" | "common-word"
    share: float

    def line(self) -> str:
        where = ("of answers to other questions" if self.reason == "other-questions" else "of all answers")
        return (f"{self.question}: signal {self.signal}: cue '{self.cue}' fires on {self.share:.0%} {where} "
                f"({'not specific to this question' if self.reason == 'other-questions' else 'an everyday word'})")


def cue_flags(questions: Mapping[str, Question], background: Iterable[tuple[str, str]]) -> list[CueFlag]:
    """Every phrase cue of ``questions`` that is too general, judged on ``background`` (question id, text)."""
    answers = [(qid, _Indexed.of(text)) for qid, text in background]
    if len(answers) < MIN_BACKGROUND:
        return []
    flags: list[CueFlag] = []
    for q in questions.values():
        others = [a for qid, a in answers if qid != q.id]
        for signal in q.signals:
            for phrase in signal.cues.phrases:
                stems = phrase_stems(phrase)
                if not stems:
                    continue
                if len(others) >= MIN_BACKGROUND:
                    share = _share(stems, others)
                    if share >= OTHER_QUESTION_SHARE:
                        flags.append(CueFlag(q.id, signal.id, phrase, "other-questions", share))
                        continue
                if len(stems) == 1:
                    share = _share(stems, [a for _, a in answers])
                    if share >= COMMON_WORD_SHARE:
                        flags.append(CueFlag(q.id, signal.id, phrase, "common-word", share))
    return flags


@dataclass(frozen=True, slots=True)
class _Indexed:
    """One background answer, tokenized and indexed once for every cue tried on it."""

    tokens: list[Token]
    index: dict[str, list[int]]

    @classmethod
    def of(cls, text: str) -> _Indexed:
        tokens = tokenize(text)
        return cls(tokens, stem_index(tokens))

    def has(self, stems: Sequence[str]) -> bool:
        return next(iter(find_phrase(self.tokens, stems, self.index)), None) is not None


def _share(stems: Sequence[str], answers: Sequence[_Indexed]) -> float:
    return sum(1 for a in answers if a.has(stems)) / len(answers)
