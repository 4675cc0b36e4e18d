"""The round's phase graph, as a typed table checked when this module is imported.

Keeping the graph as data (rather than as scattered ``if`` statements) makes
the properties that matter for a live interview checkable up front: there is
exactly one start, every phase is reachable, the end is reachable from every
phase, running out of time leads to the wrap-up from anywhere, and nothing
leaves the end. A broken edit to the table fails at import, not mid-round.
"""

from __future__ import annotations

from collections import deque
from enum import StrEnum


class Phase(StrEnum):
    """Where the round is."""

    OPENING = "opening"
    QUESTION = "question"  # a main question is asked and awaits its answer
    FOLLOW_UP = "follow_up"  # a probe, curveball or clarification awaits its answer
    CANDIDATE_QUESTIONS = "candidate_questions"
    WRAP_UP = "wrap_up"
    CLOSED = "closed"


class Event(StrEnum):
    """What moves the round from one phase to another."""

    START = "start"
    FOLLOW_UP = "follow_up"
    ADVANCE = "advance"
    QUESTIONS_DONE = "questions_done"
    CANDIDATE_ASKED = "candidate_asked"
    FINISH = "finish"
    TIME_UP = "time_up"
    CLOSE = "close"


START_PHASE = Phase.OPENING
END_PHASE = Phase.CLOSED

TRANSITIONS: dict[Phase, dict[Event, Phase]] = {
    Phase.OPENING: {
        Event.START: Phase.QUESTION,
        Event.TIME_UP: Phase.WRAP_UP,
        Event.FINISH: Phase.WRAP_UP,
    },
    Phase.QUESTION: {
        Event.FOLLOW_UP: Phase.FOLLOW_UP,
        Event.ADVANCE: Phase.QUESTION,
        Event.QUESTIONS_DONE: Phase.CANDIDATE_QUESTIONS,
        Event.TIME_UP: Phase.WRAP_UP,
        Event.FINISH: Phase.WRAP_UP,
    },
    Phase.FOLLOW_UP: {
        Event.FOLLOW_UP: Phase.FOLLOW_UP,
        Event.ADVANCE: Phase.QUESTION,
        Event.QUESTIONS_DONE: Phase.CANDIDATE_QUESTIONS,
        Event.TIME_UP: Phase.WRAP_UP,
        Event.FINISH: Phase.WRAP_UP,
    },
    Phase.CANDIDATE_QUESTIONS: {
        Event.CANDIDATE_ASKED: Phase.CANDIDATE_QUESTIONS,
        Event.FINISH: Phase.WRAP_UP,
        Event.TIME_UP: Phase.WRAP_UP,
    },
    Phase.WRAP_UP: {
        Event.TIME_UP: Phase.WRAP_UP,
        Event.CLOSE: Phase.CLOSED,
    },
    Phase.CLOSED: {},
}


class TransitionError(RuntimeError):
    """An event that the current phase does not accept: a bug in the caller."""


def next_phase(phase: Phase, event: Event) -> Phase:
    """Return the phase that ``event`` leads to from ``phase``."""
    try:
        return TRANSITIONS[phase][event]
    except KeyError:
        raise TransitionError(f"event {event.value!r} is not allowed in phase {phase.value!r}") from None


def reachable_from(phase: Phase) -> set[Phase]:
    """Every phase reachable from ``phase`` (itself included)."""
    seen = {phase}
    queue = deque([phase])
    while queue:
        for target in TRANSITIONS[queue.popleft()].values():
            if target not in seen:
                seen.add(target)
                queue.append(target)
    return seen


def check_graph() -> list[str]:
    """Return every violated property of the table (empty when it is sound)."""
    problems: list[str] = []
    if set(TRANSITIONS) != set(Phase):
        problems.append(f"phases without a row: {sorted(set(Phase) - set(TRANSITIONS))}")
    targets = {t for row in TRANSITIONS.values() for t in row.values()}
    starts = [p for p in Phase if p not in targets]
    if starts != [START_PHASE]:
        problems.append(f"expected exactly one start ({START_PHASE.value}), found {[p.value for p in starts]}")
    unreachable = set(Phase) - reachable_from(START_PHASE)
    if unreachable:
        problems.append(f"unreachable phases: {sorted(p.value for p in unreachable)}")
    for phase in Phase:
        if END_PHASE not in reachable_from(phase):
            problems.append(f"the end is not reachable from {phase.value}")
        if phase is not END_PHASE and TRANSITIONS[phase].get(Event.TIME_UP) is not Phase.WRAP_UP:
            problems.append(f"time-up does not lead to wrap-up from {phase.value}")
    if TRANSITIONS[END_PHASE]:
        problems.append("the end has a way out")
    return problems


_PROBLEMS = check_graph()
if _PROBLEMS:  # pragma: no cover - guards edits to the table
    raise ImportError("invalid phase graph: " + "; ".join(_PROBLEMS))
