import pytest

from agent.interview.assess import CueAssessor, score_signals
from agent.interview.policy import QuestionState, RoundView, decide, eligible_curveball
from agent.interview.records import ActionKind
from tests.fakes.content import FAKE_LEXICON, fake_persona, fake_question

pytestmark = pytest.mark.unit

WEAK = "Uptime, adoption and the number of integrations."
STRONG = ("The job to be done for consuming teams, because that is why they came to us. The share of their use "
          "cases migrated, for example 40 of 60. And the time to integrate for a new team, so that teams can ship "
          "in days.")


def step(state, text, persona, now=10.0, deadline=1200.0, curveballs=0):
    a = CueAssessor(FAKE_LEXICON).assess(state.question, text)
    if a.answer_kind == "answer":
        state.absorb(a, score_signals(state.question, [*state.signals.values(), *a.signals]))
    return decide(state, a, persona, RoundView("r1", now, deadline, curveballs))


def fresh():
    return QuestionState(question=fake_question(), started_t=0.0)


def test_weak_answer_gets_the_value_probe():
    action = step(fresh(), WEAK, fake_persona())
    assert action.kind is ActionKind.PROBE and action.probe_id == "value-probe"


def test_probe_budget_is_respected_and_no_probe_twice():
    persona = fake_persona(probe_budget=2)
    state = fresh()
    asked = []
    for _ in range(4):
        action = step(state, WEAK, persona)
        if action.kind is not ActionKind.PROBE:
            break
        asked.append(action.probe_id)
        state.asked.append(action.probe_id)
        state.probes_used += 1
    assert len(asked) == 2 and len(set(asked)) == 2


def test_lenient_persona_does_not_probe_a_middling_answer():
    # two of three strong ideas, both explained
    text = "Consuming teams first, because they are why we exist. And the time to integrate, so teams can ship."
    assert step(fresh(), text, fake_persona(probe_below_score=5)).kind is ActionKind.PROBE
    lenient = fake_persona(probe_below_score=2, curveballs=dict(use="never"))
    assert step(fresh(), text, lenient).kind is ActionKind.ADVANCE


def test_weak_signal_is_probed_even_when_score_is_high():
    text = STRONG + " I'd also watch uptime."
    action = step(fresh(), text, fake_persona(probe_below_score=1))
    assert action.kind is ActionKind.PROBE and action.probe_id == "value-probe"


def test_strong_answer_gets_a_curveball_then_advances():
    persona = fake_persona(curveballs=dict(use="after-strong", max_per_round=1))
    state = fresh()
    action = step(state, STRONG, persona)
    assert action.kind is ActionKind.CURVEBALL and action.probe_id == "one-metric"
    state.asked.append("one-metric")
    state.curveballs_used += 1
    assert step(state, STRONG, persona).kind is ActionKind.ADVANCE


def _twists(*triggers):
    return [dict(id=f"twist-{i}", trigger=t, assesses=("job-first",), phrasings=(f"Twist {i}?", f"Twist {i}, again?"))
            for i, t in enumerate(triggers)]


def test_a_curveball_aimed_at_a_gap_comes_before_the_others():
    q = fake_question(curveballs=_twists({}, dict(missing=("time-to-integrate",)), {}))
    state = QuestionState(question=q, started_t=0.0)
    state.absorb(CueAssessor(FAKE_LEXICON).assess(q, "consuming teams and the share of their workload"), 4)
    assert eligible_curveball(state, "any-round").id == "twist-1"


def test_untargeted_curveballs_vary_from_round_to_round_and_stay_stable_within_one():
    q = fake_question(curveballs=_twists({}, {}, {}))
    state = QuestionState(question=q, started_t=0.0)
    chosen = {eligible_curveball(state, f"round-{n}").id for n in range(40)}
    assert chosen == {"twist-0", "twist-1", "twist-2"}
    assert eligible_curveball(state, "round-7") == eligible_curveball(state, "round-7")
    state.asked.extend(["twist-0", "twist-1"])
    assert eligible_curveball(state, "round-7").id == "twist-2"


def test_curveball_round_limit():
    persona = fake_persona(curveballs=dict(use="always", max_per_round=1))
    assert step(fresh(), STRONG, persona, curveballs=1).kind is ActionKind.ADVANCE


def test_dont_know_is_acknowledged_and_moved_past():
    action = step(fresh(), "I don't know.", fake_persona())
    assert action.kind is ActionKind.ACKNOWLEDGE and action.text


def test_clarification_restates_with_content_restatement():
    state = fresh()
    a = CueAssessor(FAKE_LEXICON)
    text = "What do you mean by consuming teams?"
    assessment = a.assess(state.question, text)
    action = decide(state, assessment, fake_persona(), RoundView("r", 1, 100, 0),
                    clarification=a.clarification_term(state.question, text))
    assert action.kind is ActionKind.CLARIFY and action.text == "I mean the teams that build on it."


@pytest.mark.parametrize("restatement,expected", [
    ("Put simply: how do you know the platform works for its users?",
     "Put simply: how do you know the platform works for its users?"),
    (None, "Let me put it another way. How would you measure whether the shared platform is a success?"),
])
def test_clarification_with_no_known_term_uses_the_question_restatement(restatement, expected):
    state = QuestionState(question=fake_question(restatement=restatement), started_t=0.0)
    assert step(state, "Could you clarify that a bit?", fake_persona()).text == expected


def test_clarification_limit_then_normal_flow():
    state = fresh()
    state.clarifications = 2
    assert step(state, "What do you mean by consuming teams?", fake_persona()).kind is not ActionKind.CLARIFY


def test_empty_and_off_topic_reprompt_once_then_advance():
    state = fresh()
    first = step(state, "", fake_persona())
    assert first.kind is ActionKind.REPROMPT and fake_question().prompt in first.text
    state.reprompts = 1
    assert step(state, "The weather is lovely in the spring and the beaches are warm.",
                fake_persona()).kind is ActionKind.ADVANCE


def test_question_over_budget_advances_instead_of_probing():
    persona = fake_persona()
    state = fresh()
    assert step(state, WEAK, persona, now=fake_question().time_budget_s * 2).kind is ActionKind.ADVANCE


def test_round_out_of_time_wraps_up():
    assert step(fresh(), WEAK, fake_persona(), now=1300, deadline=1200).kind is ActionKind.WRAP_UP


def test_decision_is_a_pure_function():
    persona = fake_persona()
    a1 = step(fresh(), WEAK, persona)
    a2 = step(fresh(), WEAK, persona)
    assert a1 == a2
