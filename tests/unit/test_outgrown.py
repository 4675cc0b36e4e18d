"""A weak idea that is a fault only on its own costs nothing beside explained strong ideas."""

import pytest
from pydantic import ValidationError

from agent.content.models import Signal
from agent.interview.assess import score_signals
from agent.interview.outgrown import outgrown
from agent.interview.policy import QuestionState, eligible_probes
from agent.interview.records import SignalHit
from agent.interview.scorecard import build_scorecard
from tests.fakes.content import fake_question
from tests.fakes.rounds import TurnScript, make_question, meta

pytestmark = pytest.mark.unit


def _alone(question, sid: str = "infra-only"):
    signals = [s.model_copy(update={"only_when_alone": True}) if s.id == sid else s for s in question.signals]
    return question.model_copy(update={"signals": signals})


def _explained(sid: str) -> SignalHit:
    return SignalHit(id=sid, polarity="strong", evidence=f"{sid} because teams wait", level="explained",
                     support="reason")


UPTIME = SignalHit(id="infra-only", polarity="weak", evidence="uptime as a guardrail")


def test_two_explained_strong_ideas_outgrow_it_and_one_does_not():
    q = _alone(fake_question())
    two = [_explained("job-first"), _explained("adoption-depth"), UPTIME]
    assert outgrown(q, two) == {"infra-only"}
    assert outgrown(q, [_explained("job-first"), UPTIME]) == frozenset()
    assert outgrown(fake_question(), two) == frozenset()  # not marked: still a fault whatever else is said
    assert score_signals(q, two) == score_signals(q, two[:2])
    assert score_signals(fake_question(), two) < score_signals(fake_question(), two[:2])


def test_the_probe_aimed_at_it_is_not_asked_once_outgrown():
    q = _alone(fake_question())
    state = QuestionState(question=q, started_t=0.0)
    state.signals = {"infra-only": UPTIME}
    assert [p.id for p in eligible_probes(state)][0] == "value-probe"
    state.signals.update({"job-first": _explained("job-first"), "adoption-depth": _explained("adoption-depth")})
    assert "value-probe" not in [p.id for p in eligible_probes(state)]


def test_the_report_does_not_call_it_a_weakness_once_outgrown():
    q = _alone(make_question("q-one"), "vanity")
    s = TurnScript("r-out")
    turns = [s.ask("q-one"), s.answer("q-one", "Uptime as a guardrail; teams ship faster; more workloads moved.", 4,
                                      [("vanity", "weak", "uptime"), ("value", "strong", "teams ship faster"),
                                       ("depth", "strong", "more workloads moved")])]
    card = build_scorecard(meta("r-out", ("q-one",)), turns, {"q-one": q}, completed=True)
    assert [w.id for w in card.questions[0].weak] == []
    plain = build_scorecard(meta("r-out", ("q-one",)), turns, {"q-one": make_question("q-one")}, completed=True)
    assert [w.id for w in plain.questions[0].weak] == ["vanity"]


def test_only_weak_ideas_can_be_marked():
    with pytest.raises(ValidationError, match="only_when_alone"):
        Signal.model_validate(dict(id="value", polarity="strong", description="d", only_when_alone=True,
                                   cues=dict(phrases=("value",))))
