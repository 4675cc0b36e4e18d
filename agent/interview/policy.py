"""The interviewer's next move, chosen from signals, persona and history.

This is the persona state machine's decision function. It is a pure function
of its inputs (no clock reads, no randomness beyond a stable hash of the round
id), so the voice bridge may call it twice for one turn and get the same
answer, and every rule can be tested in isolation.
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TypeVar

from agent.content.models import Curveball, Persona, Polarity, Probe, Question, Trigger
from agent.interview.outgrown import outgrown
from agent.interview.records import Action, ActionKind, Assessment, SignalHit

T = TypeVar("T")

MAX_CLARIFICATIONS = 2
MAX_REPROMPTS = 1


@dataclass(slots=True)
class QuestionState:
    """What has happened on the current question so far."""

    question: Question
    started_t: float
    signals: dict[str, SignalHit] = field(default_factory=dict)  # cumulative: each idea's strongest showing
    argued: dict[str, SignalHit] = field(default_factory=dict)  # weak ideas argued against, kept for the score
    score: int | None = None
    asked: list[str] = field(default_factory=list)  # probe and curveball ids, in order
    probes_used: int = 0
    curveballs_used: int = 0
    clarifications: int = 0
    reprompts: int = 0
    reasoning: int = 0  # the most sentences with support in one answer so far

    def absorb(self, assessment: Assessment, score: int) -> None:
        self.reasoning = max(self.reasoning, assessment.reasoning)
        for hit in assessment.signals:
            held = self.signals.get(hit.id)
            if held is None or hit.rank() > held.rank():
                self.signals[hit.id] = hit
        for hit in assessment.set_aside:
            if hit.argued:
                self.argued[hit.id] = hit
        self.score = score


@dataclass(frozen=True, slots=True)
class RoundView:
    """The slice of round state the policy needs."""

    round_id: str
    now_t: float
    deadline_t: float
    curveballs_in_round: int


def pick(options: Sequence[T], *key: object) -> T:
    """An option chosen by a stable hash, so replays of a round say the same words."""
    digest = zlib.crc32(":".join(str(k) for k in key).encode())
    return options[digest % len(options)]


def fires(trigger: Trigger, present: set[str]) -> bool:
    """Whether a trigger fires given the signal ids present so far."""
    if not trigger.missing and not trigger.present:
        return True
    return any(s not in present for s in trigger.missing) or any(s in present for s in trigger.present)


def eligible_probes(state: QuestionState) -> list[Probe]:
    """Probes whose trigger fires and that were not asked yet, best first."""
    present = set(state.signals) - outgrown(state.question, state.signals.values())
    found = [p for p in state.question.probes if p.id not in state.asked and fires(p.trigger, present)]
    order = {p.id: i for i, p in enumerate(state.question.probes)}
    return sorted(found, key=lambda p: (-p.priority, order[p.id]))


def eligible_curveball(state: QuestionState, round_id: str = "") -> Curveball | None:
    """The twist to throw: one aimed at a gap in the answer if any fired, else one of the rest by round.

    Varying the untargeted twists by round means a candidate who practises the
    same question again meets a different one.
    """
    present = set(state.signals)
    fired = [cb for cb in state.question.curveballs if cb.id not in state.asked and fires(cb.trigger, present)]
    targeted = [cb for cb in fired if cb.trigger.missing or cb.trigger.present]
    if targeted:
        return targeted[0]
    return pick(fired, round_id, state.question.id, "curveball") if fired else None


PRESS_PREFIX = "press-"


def named_to_press(state: QuestionState) -> list[SignalHit]:
    """Strong ideas the candidate named but has not explained, not pressed yet, weightiest first."""
    weights = {s.id: (s.weight, -i) for i, s in enumerate(state.question.signals)}
    found = [h for h in state.signals.values()
             if h.named_only and h.term and PRESS_PREFIX + h.id not in state.asked and h.id in weights]
    return sorted(found, key=lambda h: weights[h.id], reverse=True)


def _mostly_named(state: QuestionState) -> bool:
    """Does the answer so far rest more on named ideas than on explained ones?"""
    weights = {s.id: s.weight for s in state.question.signals}
    named = sum(weights.get(h.id, 0.0) for h in state.signals.values() if h.named_only)
    explained = sum(weights.get(h.id, 0.0) for h in state.signals.values() if h.explained)
    return named > explained


def _answers_a_flag(probe: Probe, answer: Assessment, past: frozenset[str]) -> bool:
    """Is the probe triggered by a weak idea this answer proposes (and has not outgrown)?"""
    proposed = {h.id for h in answer.signals if h.polarity == Polarity.WEAK.value and h.credited}
    return bool(set(probe.trigger.present) & (proposed - past))


def press_action(state: QuestionState, hit: SignalHit, generic: Sequence[str], round_id: str) -> Action | None:
    """A follow-up that picks up the candidate's own term for an idea they named without explaining."""
    signal = next(s for s in state.question.signals if s.id == hit.id)
    phrasings = signal.press or tuple(generic)
    if not phrasings or not hit.term:
        return None
    text = pick(phrasings, round_id, state.question.id, PRESS_PREFIX + hit.id).format(term=spoken_term(hit.term))
    return Action(kind=ActionKind.PROBE, text=text, probe_id=PRESS_PREFIX + hit.id)


def spoken_term(term: str) -> str:
    """The candidate's words as they sit inside a sentence: no trailing punctuation, a capital only where meant."""
    words = term.strip().strip(".,;:!?").split()
    if words and words[0][:1].isupper() and words[0][1:].islower():
        words[0] = words[0].lower()
    return " ".join(words)


def decide(
    state: QuestionState,
    answer: Assessment,
    persona: Persona,
    view: RoundView,
    *,
    clarification: str | None = None,
    press_named: Sequence[str] = (),
) -> Action:
    """Choose the next action after ``answer`` to the current question.

    ``state`` must already include ``answer`` (see ``QuestionState.absorb``).
    The round engine turns ADVANCE into the next question or the closing
    phase; this function only says what should happen to this question.
    """
    q = state.question
    lines = persona.lines
    kind = answer.answer_kind
    if kind == "clarification" and state.clarifications < MAX_CLARIFICATIONS:
        text = clarification or q.restatement or f"Let me put it another way. {q.prompt}"
        return Action(kind=ActionKind.CLARIFY, text=text)
    if kind in ("empty", "off_topic"):
        if state.reprompts < MAX_REPROMPTS:
            opener = pick(lines.empty_answer if kind == "empty" else lines.off_topic, view.round_id, q.id, kind)
            return Action(kind=ActionKind.REPROMPT, text=f"{opener} {q.prompt}")
        return Action(kind=ActionKind.ADVANCE, text="")
    if kind == "dont_know":
        return Action(kind=ActionKind.ACKNOWLEDGE, text=pick(lines.acknowledge_unknown, view.round_id, q.id))
    if view.now_t >= view.deadline_t:
        return Action(kind=ActionKind.WRAP_UP, text="")
    elapsed = view.now_t - state.started_t
    over_budget = elapsed >= q.time_budget_s * persona.timekeeping.question_overrun_factor
    if over_budget:
        return Action(kind=ActionKind.ADVANCE, text="")

    past = outgrown(q, state.signals.values())
    weak_now = any(h.polarity == Polarity.WEAK.value and h.id not in past for h in answer.signals)
    score = state.score if state.score is not None else answer.score
    if state.probes_used < persona.probe_budget and (score <= persona.probe_below_score or weak_now):
        # an answer that mostly names the right terms is pressed on its own words first; otherwise the
        # biggest gap comes first and a named idea is pressed once no gap probe is left
        named = named_to_press(state)
        press = press_action(state, named[0], press_named, view.round_id) if named else None
        probes = eligible_probes(state)
        # a red flag in this answer ("uptime and adoption", a jargon recital) is pressed before its own terms
        flagged = [p for p in probes if _answers_a_flag(p, answer, past)]
        if flagged:
            probe = flagged[0]
            return Action(kind=ActionKind.PROBE, text=pick(probe.phrasings, view.round_id, q.id, probe.id),
                          probe_id=probe.id)
        if press is not None and _mostly_named(state) and not (weak_now and probes):
            return press
        if probes:
            probe = probes[0]
            text = pick(probe.phrasings, view.round_id, q.id, probe.id)
            return Action(kind=ActionKind.PROBE, text=text, probe_id=probe.id)
        if press is not None:
            return press

    use = persona.curveballs.use
    if (
        use != "never"
        and view.curveballs_in_round < persona.curveballs.max_per_round
        and state.curveballs_used == 0
        and (use == "always" or score >= 4)
        and elapsed < q.time_budget_s
    ):
        cb = eligible_curveball(state, view.round_id)
        if cb is not None:
            return Action(kind=ActionKind.CURVEBALL, text=pick(cb.phrasings, view.round_id, q.id, cb.id),
                          probe_id=cb.id)
    return Action(kind=ActionKind.ADVANCE, text="")
