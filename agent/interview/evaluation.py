"""Scoring the assessor and policy against a labelled set of answers.

Shared by the evaluation test (which enforces the targets) and the benchmark
command (which prints the figures), so both always measure the same thing.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from agent.content.models import Persona, Question
from agent.interview.assess import Assessor
from agent.interview.oneshot import judge

PROBING = {"probe", "curveball", "clarify", "reprompt"}


@dataclass(frozen=True, slots=True)
class LabelledAnswer:
    """One answer of the evaluation set."""

    id: str
    question: str
    label: str  # strong | mixed | weak
    paraphrase: bool
    text: str


@dataclass(frozen=True, slots=True)
class EvalRow:
    """How one labelled answer was judged."""

    id: str
    question: str
    label: str
    paraphrase: bool
    score: int
    action: str
    probe_id: str | None
    signals: tuple[str, ...]

    @property
    def probed(self) -> bool:
        return self.action in PROBING


@dataclass(slots=True)
class EvalResult:
    """Figures over a set of judged answers."""

    rows: list[EvalRow] = field(default_factory=list)

    def _of(self, label: str, paraphrase: bool | None) -> list[EvalRow]:
        return [r for r in self.rows if r.label == label and (paraphrase is None or r.paraphrase == paraphrase)]

    def figures(self, paraphrase: bool | None = None) -> dict[str, float | int]:
        weak, strong, mixed = (self._of(label, paraphrase) for label in ("weak", "strong", "mixed"))
        return {
            "answers": len(weak) + len(strong) + len(mixed),
            "weak_probed_pct": _pct(sum(r.probed for r in weak), len(weak)),
            "strong_scored_4plus_pct": _pct(sum(r.score >= 4 for r in strong), len(strong)),
            "strong_scored_2minus": sum(r.score <= 2 for r in strong),
            "weak_mean_score": _mean([r.score for r in weak]),
            "mixed_mean_score": _mean([r.score for r in mixed]),
            "strong_mean_score": _mean([r.score for r in strong]),
        }

    def confusion(self) -> dict[str, Counter[int]]:
        out: dict[str, Counter[int]] = {}
        for r in self.rows:
            out.setdefault(r.label, Counter())[r.score] += 1
        return out

    def misses(self) -> list[EvalRow]:
        """Weak answers left unprobed and strong answers scored under 4."""
        return [r for r in self.rows if (r.label == "weak" and not r.probed) or (r.label == "strong" and r.score < 4)]


def _mean(values: list[int]) -> float:
    return round(sum(values) / len(values), 2) if values else 0.0


def _pct(n: int, d: int) -> float:
    return round(100.0 * n / d, 1) if d else 0.0


def evaluate(
    answers: Sequence[LabelledAnswer],
    questions: Mapping[str, Question],
    persona: Persona,
    assessor: Assessor,
) -> EvalResult:
    result = EvalResult()
    for a in answers:
        v = judge(questions[a.question], persona, assessor, a.text)
        result.rows.append(EvalRow(
            id=a.id, question=a.question, label=a.label, paraphrase=a.paraphrase, score=v.score,
            action=v.action.kind.value, probe_id=v.action.probe_id,
            signals=tuple(s.id for s in v.assessment.signals),
        ))
    return result
