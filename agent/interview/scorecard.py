"""The round scorecard, rebuilt from stored turn records.

The scorecard is derived, never stored as the source of truth: any prefix of a
round's turns (a crash, a dropped candidate, a worker told to stop) yields a
valid partial scorecard, and the report for a finished round is the same
function applied to all of its turns.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from pydantic import BaseModel, ConfigDict

from agent.content.models import Polarity, Question
from agent.interview.records import Delivery, RoundMeta, Speaker, TurnRecord

FOLLOW_UP_KINDS = ("probe", "curveball", "clarify", "reprompt")


class Model(BaseModel):
    """Base for report models: plain data, unknown keys rejected."""

    model_config = ConfigDict(extra="forbid")


class QuotedSignal(Model):
    """A signal with the candidate's own words that showed it."""

    id: str
    description: str
    evidence: str


class MissedSignal(Model):
    """A strong signal the candidate never showed for this question."""

    id: str
    description: str


class FollowUp(Model):
    """One probe or curveball and what the answer to it did to the score."""

    probe_id: str | None
    kind: str
    text: str
    answer: str | None
    score_before: int | None
    score_after: int | None


class Comparison(Model):
    """How a repeated question compares with the candidate's earlier attempt."""

    previous_round_id: str
    previous_score: int
    improved: list[str]
    still_missing: list[str]


class DeliveryFigures(Model):
    """Delivery figures as reported (see records.Delivery)."""

    words: int
    fillers: int
    filler_per_100: float
    jargon_per_100: float | None
    background_apologies: list[str]
    engineering_deferrals: list[str]
    words_per_minute: float | None

    @classmethod
    def of(cls, delivery: Delivery) -> DeliveryFigures:
        return cls(
            words=delivery.words,
            fillers=delivery.fillers,
            filler_per_100=delivery.filler_per_100,
            jargon_per_100=delivery.jargon_per_100,
            background_apologies=delivery.background_apologies,
            engineering_deferrals=delivery.engineering_deferrals,
            words_per_minute=delivery.words_per_minute,
        )


class QuestionScore(Model):
    """Everything the report says about one question."""

    question_id: str
    prompt: str
    type: str
    score: int | None  # None when the question was asked but never answered
    outcome: str  # answered | dont_know | unanswered
    answer: str | None
    follow_ups: list[FollowUp]
    hit: list[QuotedSignal]
    weak: list[QuotedSignal]
    missed: list[MissedSignal]
    strong_answer: list[str]
    weak_answer: str
    delivery: DeliveryFigures
    comparison: Comparison | None = None


class TimelinePoint(Model):
    """One candidate answer, for the delivery-over-the-round chart."""

    seq: int
    t: float
    question_id: str | None
    score: int | None
    filler_per_100: float
    jargon_per_100: float | None
    words_per_minute: float | None


class Scorecard(Model):
    """The whole round as the report presents it."""

    round_id: str
    persona_id: str
    track: str | None
    mode: str
    started_at: str
    minutes_planned: float
    duration_s: float
    completed: bool
    overall_score: float | None
    questions: list[QuestionScore]
    delivery: DeliveryFigures
    timeline: list[TimelinePoint]


class PreviousAttempt(Model):
    """The latest earlier attempt at a question, for comparisons in loops."""

    round_id: str
    score: int
    hit_ids: list[str]


def build_scorecard(
    meta: RoundMeta,
    turns: Sequence[TurnRecord],
    questions: Mapping[str, Question],
    *,
    completed: bool,
    previous: Mapping[str, PreviousAttempt] | None = None,
) -> Scorecard:
    """Derive the scorecard from a round's turns (complete or not)."""
    ordered = sorted(turns, key=lambda t: t.seq)
    asked: list[str] = []
    for turn in ordered:
        if turn.speaker is Speaker.INTERVIEWER and turn.kind == "question" and turn.question_id:
            if turn.question_id not in asked:
                asked.append(turn.question_id)
    question_scores = [
        _question_score(qid, [t for t in ordered if t.question_id == qid], questions[qid], previous)
        for qid in asked
        if qid in questions
    ]
    answers = [t for t in ordered if t.speaker is Speaker.CANDIDATE and t.assessment is not None]
    total = Delivery()
    for turn in answers:
        assert turn.assessment is not None
        total = total.merged(turn.assessment.delivery)
    scored = [q.score for q in question_scores if q.score is not None]
    return Scorecard(
        round_id=meta.round_id,
        persona_id=meta.persona_id,
        track=meta.track,
        mode=meta.mode,
        started_at=meta.started_at,
        minutes_planned=meta.minutes,
        duration_s=round(ordered[-1].t, 1) if ordered else 0.0,
        completed=completed,
        overall_score=round(sum(scored) / len(scored), 1) if scored else None,
        questions=question_scores,
        delivery=DeliveryFigures.of(total),
        timeline=[_timeline_point(t) for t in answers],
    )


def _timeline_point(turn: TurnRecord) -> TimelinePoint:
    assert turn.assessment is not None
    d = turn.assessment.delivery
    return TimelinePoint(
        seq=turn.seq,
        t=round(turn.t, 1),
        question_id=turn.question_id,
        score=turn.question_score,
        filler_per_100=d.filler_per_100,
        jargon_per_100=d.jargon_per_100,
        words_per_minute=d.words_per_minute,
    )


def _question_score(
    qid: str,
    turns: list[TurnRecord],
    question: Question,
    previous: Mapping[str, PreviousAttempt] | None,
) -> QuestionScore:
    descriptions = {s.id: s.description for s in question.signals}
    answers = [t for t in turns if t.speaker is Speaker.CANDIDATE and t.assessment is not None]
    hit: dict[str, QuotedSignal] = {}
    weak: dict[str, QuotedSignal] = {}
    delivery = Delivery()
    for turn in answers:
        assert turn.assessment is not None
        delivery = delivery.merged(turn.assessment.delivery)
        for s in turn.assessment.signals:
            target = hit if s.polarity == Polarity.STRONG else weak
            target.setdefault(s.id, QuotedSignal(id=s.id, description=descriptions.get(s.id, s.id),
                                                 evidence=s.evidence))
    missed = [
        MissedSignal(id=s.id, description=s.description)
        for s in question.signals
        if s.polarity is Polarity.STRONG and s.id not in hit
    ]
    score = next((t.question_score for t in reversed(answers) if t.question_score is not None), None)
    kinds = {t.assessment.answer_kind for t in answers if t.assessment}
    if not answers:
        outcome = "unanswered"
    elif kinds == {"dont_know"}:
        outcome = "dont_know"
    else:
        outcome = "answered"
    comparison = None
    if previous and qid in previous and score is not None:
        before = previous[qid]
        comparison = Comparison(
            previous_round_id=before.round_id,
            previous_score=before.score,
            improved=[sid for sid in hit if sid not in before.hit_ids],
            still_missing=[m.id for m in missed],
        )
    main = next((t.text for t in answers if t.kind == "answer"), None)
    return QuestionScore(
        question_id=qid,
        prompt=question.prompt,
        type=question.type.value,
        score=score,
        outcome=outcome,
        answer=main,
        follow_ups=list(_follow_ups(turns)),
        hit=list(hit.values()),
        weak=list(weak.values()),
        missed=missed,
        strong_answer=list(question.strong_answer),
        weak_answer=question.weak_answer,
        delivery=DeliveryFigures.of(delivery),
        comparison=comparison,
    )


def _follow_ups(turns: Iterable[TurnRecord]) -> Iterable[FollowUp]:
    """Pair each follow-up the interviewer asked with the answer that came after it."""
    pending: FollowUp | None = None
    last_score: int | None = None
    for turn in turns:
        if turn.speaker is Speaker.INTERVIEWER and turn.kind in FOLLOW_UP_KINDS:
            if pending is not None:
                yield pending
            pending = FollowUp(probe_id=turn.probe_id, kind=turn.kind, text=turn.text, answer=None,
                               score_before=last_score, score_after=None)
        elif turn.speaker is Speaker.CANDIDATE and turn.assessment is not None:
            if pending is not None and pending.answer is None:
                pending.answer = turn.text
                pending.score_after = turn.question_score
                yield pending
                pending = None
            last_score = turn.question_score
    if pending is not None:
        yield pending
