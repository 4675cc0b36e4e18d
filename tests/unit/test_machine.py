import pytest

from agent.interview import machine
from agent.interview.machine import END_PHASE, START_PHASE, TRANSITIONS, Event, Phase, next_phase

pytestmark = pytest.mark.unit


def test_shipped_graph_is_sound():
    assert machine.check_graph() == []


def test_every_phase_reaches_the_end_and_is_reachable():
    assert machine.reachable_from(START_PHASE) == set(Phase)
    for phase in Phase:
        assert END_PHASE in machine.reachable_from(phase)


def test_time_up_goes_to_wrap_up_from_every_phase_but_the_end():
    for phase in Phase:
        if phase is END_PHASE:
            continue
        assert next_phase(phase, Event.TIME_UP) is Phase.WRAP_UP


def test_no_way_out_of_the_end():
    for event in Event:
        with pytest.raises(machine.TransitionError):
            next_phase(END_PHASE, event)


def test_checker_catches_a_broken_table(monkeypatch):
    broken = {p: dict(row) for p, row in TRANSITIONS.items()}
    broken[Phase.CLOSED] = {Event.START: Phase.QUESTION}
    del broken[Phase.FOLLOW_UP][Event.TIME_UP]
    monkeypatch.setattr(machine, "TRANSITIONS", broken)
    problems = machine.check_graph()
    assert any("end has a way out" in p for p in problems)
    assert any("follow_up" in p and "time-up" in p for p in problems)


def test_checker_catches_an_unreachable_phase(monkeypatch):
    broken = {p: dict(row) for p, row in TRANSITIONS.items()}
    broken[Phase.QUESTION] = {k: v for k, v in broken[Phase.QUESTION].items() if v is not Phase.FOLLOW_UP}
    monkeypatch.setattr(machine, "TRANSITIONS", broken)
    assert any("unreachable" in p or "one start" in p for p in machine.check_graph())
