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
from agent.interview._text import phrase_stems, stem_index, tokenize

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
    answers = [(qid, stem_index(tokenize(text))) for qid, text in background]
    if len(answers) < MIN_BACKGROUND:
        return []
    flags: list[CueFlag] = []
    for q in questions.values():
        others = [index for qid, index in answers if qid != q.id]
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
                    share = _share(stems, [index for _, index in answers])
                    if share >= COMMON_WORD_SHARE:
                        flags.append(CueFlag(q.id, signal.id, phrase, "common-word", share))
    return flags


def _share(stems: Sequence[str], indexes: Sequence[dict[str, list[int]]]) -> float:
    hits = sum(1 for index in indexes if _occurs(stems, index))
    return hits / len(indexes)


def _occurs(stems: Sequence[str], index: dict[str, list[int]]) -> bool:
    firsts = index.get(stems[0])
    if not firsts:
        return False
    if len(stems) == 1:
        return True
    after = [set(index.get(s, ())) for s in stems[1:]]
    return any(all(i + k + 1 in pos for k, pos in enumerate(after)) for i in firsts)
