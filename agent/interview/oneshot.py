"""Judge a single answer and choose the next move, outside any round.

Used by ``interviewer assess`` and by the evaluation and decision benchmarks:
the same assessor and policy a live round uses, applied to a fresh question.
"""

from __future__ import annotations

from dataclasses import dataclass

from agent.content.models import Persona, Question
from agent.interview.assess import Assessor, CueAssessor, score_signals
from agent.interview.policy import QuestionState, RoundView, decide
from agent.interview.records import Action, Assessment


@dataclass(frozen=True, slots=True)
class Verdict:
    """An answer's assessment, its 1-5 score and the interviewer's next action."""

    assessment: Assessment
    score: int
    action: Action

    def to_contract(self, question_id: str) -> dict[str, object]:
        return {
            "question": question_id,
            "score": self.score,
            "signals": [s.model_dump(mode="json") for s in self.assessment.signals],
            "next": self.action.to_contract(),
        }


def judge(question: Question, persona: Persona, assessor: Assessor, text: str) -> Verdict:
    """Assess ``text`` as the first answer to ``question`` and decide what comes next."""
    assessment = assessor.assess(question, text)
    state = QuestionState(question=question, started_t=0.0)
    score = (score_signals(question, assessment.scored_hits, reasoning=assessment.reasoning)
             if assessment.answer_kind == "answer" else 1)
    if assessment.answer_kind != "clarification":
        state.absorb(assessment, score)
    clarification = None
    if assessment.answer_kind == "clarification" and isinstance(assessor, CueAssessor):
        clarification = assessor.clarification_term(question, text)
    view = RoundView(round_id="assess", now_t=0.0, deadline_t=persona.default_minutes * 60.0, curveballs_in_round=0)
    action = decide(state, assessment, persona, view, clarification=clarification,
                    press_named=getattr(assessor, "press_phrasings", ()))
    return Verdict(assessment=assessment, score=score, action=action)
