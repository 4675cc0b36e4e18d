"""Scoring the assessor and policy against a labelled set of answers.

Shared by the evaluation test (which enforces the targets) and the benchmark
command (which prints the figures), so both always measure the same thing.
The targets are the ones a strong interviewer would hold a mock interviewer
to: weak answers scored low and followed up (not thrown a curveball), strong
ones scored high and never low, mixed ones in the middle, and quotes long
enough to prove the point they are quoted for.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from agent.content.models import Persona, Question
from agent.interview.assess import Assessor
from agent.interview.oneshot import judge

# Follow-ups that press on the answer itself; a curveball changes the scenario instead.
FOLLOW_UP = frozenset({"probe", "clarify", "reprompt"})
SHORT_QUOTE_WORDS = 3  # a quote under this many words proves nothing


@dataclass(frozen=True, slots=True)
class LabelledAnswer:
    """One answer of an evaluation set."""

    id: str
    question: str
    label: str  # strong | mixed | weak
    paraphrase: bool
    text: str
    category: str = ""  # e.g. buzzword, stance, plain-strong, mixed (sets that tag their items)


@dataclass(frozen=True, slots=True)
class EvalRow:
    """How one labelled answer was judged."""

    id: str
    question: str
    label: str
    paraphrase: bool
    category: str
    score: int
    action: str
    probe_id: str | None
    signals: tuple[str, ...]
    quote_words: tuple[int, ...] = ()  # word counts of the evidence quoted for credited strong ideas

    @property
    def followed_up(self) -> bool:
        return self.action in FOLLOW_UP

    @property
    def on_target(self) -> bool:
        if self.label == "weak":
            return self.score <= 2 and self.followed_up
        if self.label == "strong":
            return self.score >= 4
        return 2 <= self.score <= 4


@dataclass(slots=True)
class EvalResult:
    """Figures over a set of judged answers."""

    rows: list[EvalRow] = field(default_factory=list)

    def _of(self, label: str, rows: Sequence[EvalRow]) -> list[EvalRow]:
        return [r for r in rows if r.label == label]

    def subset(self, *, paraphrase: bool | None = None, category: str | None = None) -> list[EvalRow]:
        return [r for r in self.rows
                if (paraphrase is None or r.paraphrase == paraphrase)
                and (category is None or r.category == category)]

    def figures(self, paraphrase: bool | None = None, category: str | None = None) -> dict[str, float | int]:
        rows = self.subset(paraphrase=paraphrase, category=category)
        weak, strong, mixed = (self._of(label, rows) for label in ("weak", "strong", "mixed"))
        quotes = [n for r in rows for n in r.quote_words]
        return {
            "answers": len(rows),
            "weak": len(weak),
            "weak_2minus_followed_up_pct": _pct(sum(r.on_target for r in weak), len(weak)),
            "weak_curveballed": sum(r.action == "curveball" for r in weak),
            "strong": len(strong),
            "strong_scored_4plus_pct": _pct(sum(r.score >= 4 for r in strong), len(strong)),
            "strong_scored_2minus": sum(r.score <= 2 for r in strong),
            "mixed": len(mixed),
            "mixed_2_to_4_pct": _pct(sum(r.on_target for r in mixed), len(mixed)),
            "strong_quotes": len(quotes),
            "short_quote_pct": _pct(sum(n < SHORT_QUOTE_WORDS for n in quotes), len(quotes)),
            "weak_mean_score": _mean([r.score for r in weak]),
            "mixed_mean_score": _mean([r.score for r in mixed]),
            "strong_mean_score": _mean([r.score for r in strong]),
        }

    def categories(self) -> list[str]:
        return sorted({r.category for r in self.rows if r.category})

    def confusion(self, rows: Sequence[EvalRow] | None = None) -> dict[str, Counter[int]]:
        out: dict[str, Counter[int]] = {}
        for r in self.rows if rows is None else rows:
            out.setdefault(r.label, Counter())[r.score] += 1
        return out

    def misses(self) -> list[EvalRow]:
        """Answers off their label's target."""
        return [r for r in self.rows if not r.on_target]


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
        credited = [s for s in v.assessment.signals if s.polarity == "strong" and _credited(s)]
        result.rows.append(EvalRow(
            id=a.id, question=a.question, label=a.label, paraphrase=a.paraphrase, category=a.category,
            score=v.score, action=v.action.kind.value, probe_id=v.action.probe_id,
            signals=tuple(s.id for s in v.assessment.signals),
            quote_words=tuple(len(s.evidence.split()) for s in credited),
        ))
    return result


def _credited(signal: object) -> bool:
    """A strong idea counts as shown unless the candidate rejected it (older hits carry no stance)."""
    return getattr(signal, "stance", "endorsed") != "rejected"
