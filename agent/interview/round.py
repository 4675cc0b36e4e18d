"""A timed interview round: the loop that the text, voice and browser paths share.

The round owns the phase machine, the per-question state and the clock, and
hands back every turn as a ``TurnRecord`` for the caller to persist and to
speak. It never sleeps, reads the wall clock or does I/O: time comes from the
injected clock, so a scripted round is reproducible and a voice round can run
it from the event loop without blocking.
"""

from __future__ import annotations

import copy
import dataclasses
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from agent.content.models import Persona, Question
from agent.interview.assess import Assessor, score_signals
from agent.interview.completeness import expected_words
from agent.interview.feedback import spoken_feedback
from agent.interview.machine import END_PHASE, Event, Phase, next_phase
from agent.interview.outlook import Outlook, readiness
from agent.interview.policy import QuestionState, RoundView, decide, pick
from agent.interview.records import Action, ActionKind, Assessment, RoundMeta, Speaker, TurnRecord
from agent.interview.scorecard import PreviousAttempt, Scorecard, build_scorecard

MAX_CANDIDATE_QUESTIONS = 2
MIN_SECONDS_FOR_NEW_QUESTION = 45.0
RELAXED_GRACE_S = 30.0
_QUESTION_LIKE = re.compile(r"\?|^\s*(what|how|why|when|where|who|which|is|are|do|does|can|could|would|will)\b",
                            re.IGNORECASE)
_NOTHING_MORE = re.compile(r"^\W*(no|nope|nothing|none|i'?m good|that'?s (it|all))\b", re.IGNORECASE)


class RoundClosed(RuntimeError):
    """Input arrived after the round ended."""


class _Fmt(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


# A time check during a quiet spell waits this long, so it never lands on the heels of the question.
WARN_AFTER_SILENCE_S = 3.0

_NUMBER_WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")


def spoken_time_left(seconds: float) -> str:
    """How an interviewer says the time that is left: "under a minute", "about two minutes"."""
    if seconds < 45:
        return "under a minute"
    if seconds < 90:
        return "about a minute"
    n = int(round(seconds / 60.0))
    return f"about {_NUMBER_WORDS[n] if n < len(_NUMBER_WORDS) else n} minutes"


class InterviewRound:
    """One round with one candidate; feed it answers, speak what it returns."""

    def __init__(
        self,
        *,
        meta: RoundMeta,
        questions: Sequence[Question],
        persona: Persona,
        assessor: Assessor,
        clock: Callable[[], float],
        previous: Mapping[str, PreviousAttempt] | None = None,
        preface: str = "",
    ) -> None:
        # ``preface``: said after the opening, before the first question (how the round was fitted to a job ad)
        if not questions:
            raise ValueError("a round needs at least one question")
        self.meta = meta
        self.persona = persona
        self.questions = list(questions)
        self._assessor = assessor
        self._clock = clock
        self._t0 = clock()
        self._deadline = meta.minutes * 60.0
        self._previous = dict(previous or {})
        self._preface = preface
        self.phase = Phase.OPENING
        self.turns: list[TurnRecord] = []
        self._index = -1
        self._qstate: QuestionState | None = None
        self._warned = False
        self._nudged = False
        self._curveballs = 0
        self._candidate_questions = 0
        self.completed = False
        self.end_reason: str | None = None

    # -- state ------------------------------------------------------------

    @property
    def done(self) -> bool:
        return self.phase is END_PHASE

    @property
    def current_question(self) -> Question | None:
        return self._qstate.question if self._qstate else None

    def expected_answer_words(self) -> int:
        """How many words the answer in progress should reach before a short pause may end it."""
        q = self.current_question
        if q is None or self.phase not in (Phase.QUESTION, Phase.FOLLOW_UP):
            return 0
        return expected_words(q.time_budget_s, follow_up=self.phase is Phase.FOLLOW_UP)

    def elapsed(self) -> float:
        return self._clock() - self._t0

    def remaining(self) -> float:
        return self._deadline - self.elapsed()

    def scorecard(self) -> Scorecard:
        by_id = {q.id: q for q in self.questions}
        return build_scorecard(self.meta, self.turns, by_id, completed=self.completed, previous=self._previous)

    # -- inputs -----------------------------------------------------------

    def start(self) -> list[TurnRecord]:
        """The opening line and the first question."""
        if self.phase is not Phase.OPENING or self.turns:
            raise RuntimeError("start() was already called")
        p = self.persona
        opening = pick(p.lines.opening, self.meta.round_id, "opening").format_map(
            _Fmt(name=p.name, title=p.title, minutes=int(round(self.meta.minutes)))
        )
        out = [self._say("opening", opening)]
        if self._preface:
            out.append(self._say("job_ad", self._preface))
        self._index = 0
        self._move(Event.START)
        self._enter_question(out, transition="")
        return out

    def look_ahead(self, text: str, *, speaking_s: float | None = None) -> Outlook:
        """Judge the answer so far as if it ended now, on a copy: this round does not change.

        A pure function of the history, the words, their speaking time and
        the clock's reading now (the copy's clock stands still there), so
        the voice layer can work out the reply while the candidate pauses
        and recompute only when the words change.
        """
        base = self.history_mark()
        if self.done or self.phase is Phase.OPENING:
            return Outlook(text, speaking_s, None, base=base)
        now = self._clock()
        after = self._fork(lambda: now)
        try:
            turns = tuple(after.answer(text, speaking_s=speaking_s))
        except RoundClosed:
            return Outlook(text, speaking_s, None, base=base)
        assessment = turns[0].assessment if turns and turns[0].speaker is Speaker.CANDIDATE else None
        unfinished = readiness(text, assessment, min_words=self.expected_answer_words(),
                               any_length=self.phase is Phase.CANDIDATE_QUESTIONS,
                               first_answer=self.phase is Phase.QUESTION)
        return Outlook(text, speaking_s, unfinished, turns, base, after)

    def answer(self, text: str, *, speaking_s: float | None = None,
               outlook: Outlook | None = None) -> list[TurnRecord]:
        """Take one candidate turn; return the candidate record and the interviewer's reply.

        ``outlook``: a :meth:`look_ahead` of these words; when nothing has
        happened since, its reply is taken as it stands.
        """
        if outlook is not None and outlook.holds_for(text, speaking_s, self.history_mark()):
            assert outlook.after is not None
            state = dict(vars(outlook.after))
            state["_clock"] = self._clock
            vars(self).update(state)
            return list(outlook.turns)
        if self.done:
            raise RoundClosed("the round has ended")
        if self.phase is Phase.OPENING:
            raise RuntimeError("answer() before start()")
        self._nudged = False
        if self.phase is Phase.CANDIDATE_QUESTIONS:
            return self._candidate_question(text)
        record, assessment = self._judge_answer(text, speaking_s)
        qs = self._qstate
        assert qs is not None
        q = qs.question
        out = [record]
        if self.remaining() + self._grace() <= 0:
            out.extend(self._time_up())
            return out
        rambling = self.persona.rambling
        too_long = assessment.delivery.words > rambling.max_answer_words or (
            speaking_s is not None and speaking_s > rambling.max_answer_s
        )
        if rambling.cut_off and too_long:
            out.append(self._say("cut_off", pick(self.persona.lines.rambling_cut, self.meta.round_id, q.id)))
        clarification = None
        term_of = getattr(self._assessor, "clarification_term", None)
        if assessment.answer_kind == "clarification" and term_of is not None:
            clarification = term_of(q, text)
        press_named = getattr(self._assessor, "press_phrasings", ())
        action = decide(qs, assessment, self.persona, self._view(), clarification=clarification,
                        press_named=press_named)
        self._maybe_warn(out)
        out.extend(self._apply(action))
        return out

    def silence(self, seconds: float) -> list[TurnRecord]:
        """The candidate has said nothing for ``seconds`` since the interviewer finished."""
        if self.done or self.phase is Phase.OPENING:
            return []
        tt = self.persona.turn_taking
        if seconds >= tt.absence_end_s:
            return self.end("absent")
        if self.phase in (Phase.QUESTION, Phase.FOLLOW_UP) and seconds >= WARN_AFTER_SILENCE_S:
            # a candidate thinking quietly near the end hears the time check then, not after their answer
            warning: list[TurnRecord] = []
            self._maybe_warn(warning)
            if warning:
                return warning
        if seconds >= tt.silence_nudge_s and not self._nudged:
            self._nudged = True
            key = self.current_question.id if self.current_question else "close"
            return [self._say("nudge", pick(self.persona.lines.silence_nudge, self.meta.round_id, key))]
        return []

    def tick(self) -> list[TurnRecord]:
        """Check the round clock; past the deadline (plus grace) the round is wrapped up."""
        if self.done or self.phase is Phase.OPENING:
            return []
        if self.remaining() + self._grace() <= 0:
            return self._time_up()
        return []

    def take_last_words(self, text: str, *, speaking_s: float | None = None) -> list[TurnRecord]:
        """Words heard as the round was ending (End pressed, worker stopping): scored and kept, never answered.

        The candidate's last answer counts in the report even when nobody is
        left to reply to it.
        """
        if self.done or self.phase not in (Phase.QUESTION, Phase.FOLLOW_UP) or not text.strip():
            return []
        return [self._judge_answer(text, speaking_s)[0]]

    def should_cut_off(self, speaking_s: float, words: int = 0) -> bool:
        """For the voice path: has the answer in progress run long enough (time or words so far) to interrupt?"""
        r = self.persona.rambling
        too_long = speaking_s > r.max_answer_s or words > r.max_answer_words
        return r.cut_off and too_long and self.phase in (Phase.QUESTION, Phase.FOLLOW_UP)

    def end(self, reason: str) -> list[TurnRecord]:
        """End early (candidate left, worker stopping); the partial round still reports."""
        if self.done:
            return []
        self.end_reason = reason
        return self._wrap_up(Event.FINISH, completed=False)

    def upcoming_texts(self) -> list[str]:
        """What the interviewer may say next, so the voice path can synthesize it ahead of time."""
        texts: list[str] = []
        qs = self._qstate
        if qs is not None and self.phase in (Phase.QUESTION, Phase.FOLLOW_UP):
            q = qs.question
            for probe in q.probes:
                if probe.id not in qs.asked:
                    texts.append(pick(probe.phrasings, self.meta.round_id, q.id, probe.id))
            for cb in q.curveballs:
                if cb.id not in qs.asked:
                    texts.append(pick(cb.phrasings, self.meta.round_id, q.id, cb.id))
            nxt = self._index + 1
            if nxt < len(self.questions):
                texts.append(self._question_text(self.questions[nxt]))
        return texts

    # -- internals --------------------------------------------------------

    def history_mark(self) -> tuple[int, str]:
        """What a look-ahead depends on: every change to the round adds a turn or moves the phase."""
        return len(self.turns), self.phase.value

    def _fork(self, clock: Callable[[], float]) -> InterviewRound:
        """A copy that can take an answer without touching this round (content and assessor are shared)."""
        twin = copy.copy(self)
        twin.turns = list(self.turns)
        if self._qstate is not None:
            qs = self._qstate
            twin._qstate = dataclasses.replace(qs, signals=dict(qs.signals), argued=dict(qs.argued),
                                               asked=list(qs.asked))
        twin._clock = clock
        return twin

    def _judge_answer(self, text: str, speaking_s: float | None) -> tuple[TurnRecord, Assessment]:
        """Assess an answer to the current question, fold it into the question's state, and record it."""
        qs = self._qstate
        assert qs is not None
        q = qs.question
        assessment = self._assessor.assess(q, text, speaking_s=speaking_s)
        if assessment.answer_kind == "answer":
            shown = [*qs.signals.values(), *qs.argued.values(), *assessment.scored_hits]
            qs.absorb(assessment, score_signals(q, shown, reasoning=max(qs.reasoning, assessment.reasoning)))
        elif assessment.answer_kind != "clarification":
            qs.absorb(assessment, qs.score or 1)
        follow_up_id = qs.asked[-1] if self.phase is Phase.FOLLOW_UP and qs.asked else None
        record = self._record(Speaker.CANDIDATE, "answer", text, probe_id=follow_up_id, assessment=assessment,
                              question_score=qs.score)
        return record, assessment

    def _grace(self) -> float:
        """A relaxed interviewer lets the answer in progress finish a little past the deadline."""
        return 0.0 if self.persona.timekeeping.style == "strict" else RELAXED_GRACE_S

    def _view(self) -> RoundView:
        return RoundView(self.meta.round_id, self.elapsed(), self._deadline + self._grace(), self._curveballs)

    def _apply(self, action: Action) -> list[TurnRecord]:
        qs = self._qstate
        assert qs is not None
        if action.kind in (ActionKind.PROBE, ActionKind.CURVEBALL, ActionKind.CLARIFY, ActionKind.REPROMPT):
            if action.kind is ActionKind.PROBE:
                qs.probes_used += 1
            elif action.kind is ActionKind.CURVEBALL:
                qs.curveballs_used += 1
                self._curveballs += 1
            elif action.kind is ActionKind.CLARIFY:
                qs.clarifications += 1
            else:
                qs.reprompts += 1
            if action.probe_id:
                qs.asked.append(action.probe_id)
            self._move(Event.FOLLOW_UP)
            return [self._say(action.kind.value, action.text, probe_id=action.probe_id)]
        if action.kind is ActionKind.WRAP_UP:
            return self._time_up()
        out: list[TurnRecord] = []
        if action.kind is ActionKind.ACKNOWLEDGE:
            out.append(self._say("acknowledge", action.text))
        out.extend(self._advance())
        return out

    def _advance(self) -> list[TurnRecord]:
        self._index += 1
        out: list[TurnRecord] = []
        if self._index < len(self.questions) and self.remaining() >= MIN_SECONDS_FOR_NEW_QUESTION:
            self._move(Event.ADVANCE)
            self._enter_question(out, transition=None)
            return out
        self._qstate = None
        self._move(Event.QUESTIONS_DONE)
        out.append(self._say("candidate_questions",
                             pick(self.persona.lines.candidate_questions, self.meta.round_id, "cq")))
        return out

    def _question_text(self, q: Question, transition: str | None = None) -> str:
        if transition is None:
            transition = pick(self.persona.lines.transition, self.meta.round_id, q.id, "transition")
        return f"{transition} {q.prompt}".strip()

    def _enter_question(self, out: list[TurnRecord], *, transition: str | None) -> None:
        q = self.questions[self._index]
        self._qstate = QuestionState(question=q, started_t=self.elapsed())
        out.append(self._say("question", self._question_text(q, transition)))

    def _candidate_question(self, text: str) -> list[TurnRecord]:
        out = [self._record(Speaker.CANDIDATE, "candidate_question", text)]
        asked = bool(_QUESTION_LIKE.search(text)) and not _NOTHING_MORE.search(text)
        if asked and self._candidate_questions < MAX_CANDIDATE_QUESTIONS and self.remaining() > 0:
            self._candidate_questions += 1
            self._move(Event.CANDIDATE_ASKED)
            line = pick(self.persona.lines.answer_candidate_question, self.meta.round_id,
                        "cq", self._candidate_questions)
            out.append(self._say("answer_candidate_question", line))
            return out
        out.extend(self._wrap_up(Event.FINISH, completed=True))
        return out

    def _maybe_warn(self, out: list[TurnRecord]) -> None:
        warn_at = self.persona.timekeeping.warn_before_end_s
        remaining = self.remaining()
        if self._warned or warn_at <= 0 or not 0 < remaining <= warn_at:
            return
        self._warned = True
        minutes = max(1, int(round(remaining / 60.0)))
        line = pick(self.persona.lines.time_warning, self.meta.round_id, "warning").format_map(
            _Fmt(minutes=minutes, time_left=spoken_time_left(remaining)))
        out.append(self._say("time_warning", line))

    def _time_up(self) -> list[TurnRecord]:
        out = [self._say("time_up", pick(self.persona.lines.time_up, self.meta.round_id, "time_up"))]
        out.extend(self._wrap_up(Event.TIME_UP, completed=True))
        return out

    def _wrap_up(self, event: Event, *, completed: bool) -> list[TurnRecord]:
        self._move(event)
        self.completed = completed
        self._qstate = None
        closing = pick(self.persona.lines.wrap_up, self.meta.round_id, "wrap_up")
        feedback = spoken_feedback(self.scorecard())
        turn = self._say("wrap_up", f"{closing} {feedback}".strip())
        self._move(Event.CLOSE)
        return [turn]

    def _move(self, event: Event) -> None:
        self.phase = next_phase(self.phase, event)

    def _say(self, kind: str, text: str, *, probe_id: str | None = None) -> TurnRecord:
        return self._record(Speaker.INTERVIEWER, kind, text, probe_id=probe_id)

    def _record(self, speaker: Speaker, kind: str, text: str, **extra: Any) -> TurnRecord:
        qid = self._qstate.question.id if self._qstate else None
        turn = TurnRecord(
            round_id=self.meta.round_id,
            seq=len(self.turns),
            t=self.elapsed(),
            speaker=speaker,
            kind=kind,
            text=text,
            phase=self.phase.value,
            question_id=qid,
            **extra,
        )
        self.turns.append(turn)
        return turn
