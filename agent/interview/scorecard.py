"""The round scorecard, rebuilt from stored turn records.

The scorecard is derived, never stored as the source of truth: any prefix of a
round's turns (a crash, a dropped candidate, a worker told to stop) yields a
valid partial scorecard, and the report for a finished round is the same
function applied to all of its turns. ``load_scorecard`` is that function
applied to a stored round, for every front end that shows one.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Annotated, Any, Protocol

from pydantic import ConfigDict, PlainSerializer

from agent.content.models import Polarity, Question
from agent.interview._record import Record
from agent.interview.outgrown import outgrown
from agent.interview.records import Delivery, RoundMeta, SignalHit, Speaker, TurnRecord

FOLLOW_UP_KINDS = ("probe", "curveball", "clarify", "reprompt")
# What a report shows of a delivery, in this order: the counts behind the rates stay in the stored turns.
REPORTED_DELIVERY = ("words", "fillers", "filler_per_100", "jargon_per_100", "background_apologies",
                     "engineering_deferrals", "words_per_minute")


def _reported(delivery: Delivery) -> dict[str, Any]:
    data = delivery.model_dump(mode="json")
    return {key: data[key] for key in REPORTED_DELIVERY}


# A delivery as a report writes it out; a text round's delivery has no pace (see ``Delivery.unpaced``).
ReportedDelivery = Annotated[Delivery, PlainSerializer(_reported, return_type=dict)]


class Model(Record):
    """Base for report models: built in code from records, unknown keys rejected."""

    model_config = ConfigDict(extra="forbid")


class QuotedSignal(Model):
    """An idea with the candidate's own words that showed it, and how they held it."""

    id: str
    description: str
    evidence: str
    level: str | None = None  # strong ideas: "named" | "explained"
    stance: str = "endorsed"
    term: str | None = None
    weight: float = 1.0


class MissedSignal(Model):
    """A strong idea the candidate never brought up for this question."""

    id: str
    description: str
    weight: float = 1.0


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
    improved: list[str]  # ideas explained now that the earlier attempt did not explain
    still_missing: list[str]
    still_named: list[str] = []  # named now, still not explained
    lost: list[str] = []  # explained the earlier time, not this time


class QuestionScore(Model):
    """Everything the report says about one question."""

    question_id: str
    title: str
    prompt: str
    type: str
    score: int | None  # None when the question was asked but never answered
    outcome: str  # answered | dont_know | unanswered
    answer: str | None
    follow_ups: list[FollowUp]
    hit: list[QuotedSignal]  # strong ideas explained (or shown, in rounds stored before levels existed)
    named: list[QuotedSignal]  # strong ideas named without support: what to explain next time
    rejected: list[QuotedSignal]  # strong ideas the candidate argued against
    weak: list[QuotedSignal]
    set_aside: list[QuotedSignal]  # weak ideas the candidate rightly set aside
    missed: list[MissedSignal]  # weightiest first
    strong_answer: list[str]
    weak_answer: str
    delivery: ReportedDelivery
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


class FitLine(Model):
    """One question a job ad brought forward, and the ad's words that did it."""

    question_id: str
    title: str
    quotes: list[str]


class JobAdFit(Model):
    """How the round was fitted to a job ad (``matched`` False: nothing in the ad matched, the usual round)."""

    matched: bool
    track_quotes: list[str] = []
    reasons: list[FitLine] = []


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
    delivery: ReportedDelivery
    timeline: list[TimelinePoint]
    job_ad: JobAdFit | None = None


class PreviousAttempt(Model):
    """The latest earlier attempt at a question, for comparisons in loops."""

    round_id: str
    score: int
    hit_ids: list[str]


class StoredRounds(Protocol):
    """Where stored rounds are read from (``agent.store.Store``; the core names only what it reads)."""

    def get_round(self, round_id: str) -> tuple[RoundMeta, str, list[TurnRecord]]: ...

    def previous_attempts(self, question_ids: Sequence[str],
                          before_round_id: str | None = None) -> Mapping[str, PreviousAttempt]: ...


def load_scorecard(rounds: StoredRounds, questions: Mapping[str, Question], round_id: str) -> Scorecard:
    """The scorecard of a stored round; partial unless the round was marked completed.

    Raises the store's ``UnknownRound`` for an id that is not stored.
    """
    meta, status, turns = rounds.get_round(round_id)
    known = {qid: questions[qid] for qid in meta.question_ids if qid in questions}
    previous = rounds.previous_attempts(list(meta.question_ids), before_round_id=round_id)
    return build_scorecard(meta, turns, known, completed=status == "completed", previous=previous)


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
    spoken = meta.mode != "text"
    asked: list[str] = []
    for turn in ordered:
        if turn.speaker is Speaker.INTERVIEWER and turn.kind == "question" and turn.question_id:
            if turn.question_id not in asked:
                asked.append(turn.question_id)
    question_scores = [
        _question_score(qid, [t for t in ordered if t.question_id == qid], questions[qid], previous, spoken)
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
        delivery=total if spoken else total.unpaced(),
        timeline=[_timeline_point(t, spoken) for t in answers],
        job_ad=_job_ad(meta, questions),
    )


def _job_ad(meta: RoundMeta, questions: Mapping[str, Question]) -> JobAdFit | None:
    fit = meta.job_ad
    if fit is None:
        return None
    reasons = [FitLine(question_id=r.question_id, quotes=list(r.quotes),
                       title=questions[r.question_id].title if r.question_id in questions else r.question_id)
               for r in fit.reasons]
    return JobAdFit(matched=fit.matched, track_quotes=list(fit.track_quotes), reasons=reasons)


def _timeline_point(turn: TurnRecord, spoken: bool) -> TimelinePoint:
    assert turn.assessment is not None
    d = turn.assessment.delivery
    return TimelinePoint(
        seq=turn.seq,
        t=round(turn.t, 1),
        question_id=turn.question_id,
        score=turn.question_score,
        filler_per_100=d.filler_per_100,
        jargon_per_100=d.jargon_per_100,
        words_per_minute=d.words_per_minute if spoken else None,
    )


def _question_score(
    qid: str,
    turns: list[TurnRecord],
    question: Question,
    previous: Mapping[str, PreviousAttempt] | None,
    spoken: bool = True,
) -> QuestionScore:
    signals = {s.id: s for s in question.signals}
    answers = [t for t in turns if t.speaker is Speaker.CANDIDATE and t.assessment is not None]
    best: dict[str, SignalHit] = {}
    aside: dict[str, SignalHit] = {}
    delivery = Delivery()
    for turn in answers:
        assert turn.assessment is not None
        delivery = delivery.merged(turn.assessment.delivery)
        for h in turn.assessment.signals:
            if h.id in signals and (h.id not in best or h.rank() > best[h.id].rank()):
                best[h.id] = h
        for h in turn.assessment.set_aside:
            aside.setdefault(h.id, h)

    def quoted(h: SignalHit) -> QuotedSignal:
        s = signals[h.id]
        return QuotedSignal(id=h.id, description=s.description, evidence=h.evidence, level=h.level,
                            stance=h.stance, term=h.term, weight=s.weight)

    order = {s.id: i for i, s in enumerate(question.signals)}
    shown = sorted(best.values(), key=lambda h: order[h.id])
    strong = [h for h in shown if h.polarity == Polarity.STRONG.value]
    hit = [quoted(h) for h in strong if h.explained]
    named = [quoted(h) for h in strong if h.named_only]
    rejected = [quoted(h) for h in strong if not h.credited]
    past = outgrown(question, shown)
    weak = [quoted(h) for h in shown if h.polarity == Polarity.WEAK.value and h.credited and h.id not in past]
    set_aside = [quoted(h) for h in aside.values() if h.id not in {w.id for w in weak}]
    missed = sorted(
        (MissedSignal(id=s.id, description=s.description, weight=s.weight)
         for s in question.signals if s.polarity is Polarity.STRONG and s.id not in best),
        key=lambda m: (-m.weight, order[m.id]),
    )
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
            improved=[q.id for q in hit if q.id not in before.hit_ids],
            still_missing=[m.id for m in missed],
            still_named=[q.id for q in named],
            lost=[sid for sid in before.hit_ids if sid in signals and signals[sid].polarity is Polarity.STRONG
                  and sid not in {q.id for q in hit}],
        )
    main = next((t.text for t in answers if t.kind == "answer"), None)
    return QuestionScore(
        question_id=qid,
        title=question.title,
        prompt=question.prompt,
        type=question.type.value,
        score=score,
        outcome=outcome,
        answer=main,
        follow_ups=list(_follow_ups(turns)),
        hit=hit,
        named=named,
        rejected=rejected,
        weak=weak,
        set_aside=set_aside,
        missed=missed,
        strong_answer=list(question.strong_answer),
        weak_answer=question.weak_answer,
        delivery=delivery if spoken else delivery.unpaced(),
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
                yield pending.model_copy(update={"answer": turn.text, "score_after": turn.question_score})
                pending = None
            last_score = turn.question_score
    if pending is not None:
        yield pending
