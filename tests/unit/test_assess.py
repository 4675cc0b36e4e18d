import pytest

from agent.interview.assess import CueAssessor, score_signals
from agent.interview.oneshot import judge

from .fake_content import FAKE_LEXICON, fake_persona, fake_question

pytestmark = pytest.mark.unit


@pytest.fixture
def assessor():
    return CueAssessor(FAKE_LEXICON)


def test_weak_answer_scores_low_and_quotes_evidence(assessor):
    text = "Uptime, adoption rate, and the number of integrations."
    a = assessor.assess(fake_question(), text)
    ids = {s.id: s for s in a.signals}
    assert "infra-only" in ids and ids["infra-only"].polarity == "weak"
    assert ids["infra-only"].evidence in text
    assert a.score == 1


def test_strong_answer_scores_high(assessor):
    text = ("I'd start from the job to be done for consuming teams, then look at what share of each team's "
            "eligible use cases moved over, and the time to integrate for a new team.")
    a = assessor.assess(fake_question(), text)
    assert {s.id for s in a.signals} >= {"job-first", "adoption-depth", "time-to-integrate"}
    assert a.score == 5
    for s in a.signals:
        assert s.evidence in text


def test_negated_weak_cue_is_ignored(assessor):
    a = assessor.assess(fake_question(), "Not just uptime: I care about the consuming teams.")
    assert "infra-only" not in {s.id for s in a.signals}


def test_combo_catches_a_paraphrase(assessor):
    a = assessor.assess(fake_question(), "What portion of every workload they own runs on it today?")
    assert "adoption-depth" in {s.id for s in a.signals}


def test_combo_counts_a_plain_occurrence_after_a_negated_one(assessor):
    text = ("Not just the share of each workload on it, that alone misleads. "
            "What I'd watch is the share of every workload a team owns that moved over.")
    a = assessor.assess(fake_question(), text)
    hits = {s.id: s for s in a.signals}
    assert "adoption-depth" in hits
    assert hits["adoption-depth"].evidence in text.split("misleads. ")[1]


def test_a_pattern_does_not_join_two_sentences(assessor):
    signals = [dict(id="speed-for-users", polarity="strong", description="Speed for the people using it",
                    cues=dict(patterns=(r"\bfaster\b.{0,40}\busers\b",))),
               dict(id="infra-only", polarity="weak", description="Stops at uptime", cues=dict(phrases=("uptime",)))]
    probe = dict(id="why-probe", trigger=dict(missing=("speed-for-users",)), assesses=("speed-for-users",),
                 phrasings=("Why does it matter?", "What is the reason?"))
    q = fake_question(signals=signals, probes=[probe], curveballs=[])
    assert {h.id for h in assessor.assess(q, "It gets faster for our users.").signals} == {"speed-for-users"}
    assert assessor.assess(q, "It gets faster. Users of the old one stay put.").signals == []


def test_combo_outside_window_does_not_match(assessor):
    filler = " ".join(["word"] * 30)
    a = assessor.assess(fake_question(), f"share {filler} workload")
    assert "adoption-depth" not in {s.id for s in a.signals}


@pytest.mark.parametrize("text,kind", [
    ("", "empty"),
    ("um, uh", "empty"),
    ("Honestly, I don't know.", "dont_know"),
    ("What do you mean by consuming teams?", "clarification"),
    ("My favourite pizza topping is pineapple and I like sunny beaches.", "off_topic"),
    ("I don't know the exact figure, but consuming teams and time to integrate matter most.", "answer"),
])
def test_answer_kinds(assessor, text, kind):
    assert assessor.assess(fake_question(), text).answer_kind == kind


def test_score_is_monotonic_in_strong_signals():
    q = fake_question()
    assert score_signals(q, []) == 1
    assert score_signals(q, ["job-first"]) < score_signals(q, ["job-first", "adoption-depth"])
    assert score_signals(q, ["job-first", "infra-only"]) < score_signals(q, ["job-first"])


def test_delivery_figures(assessor):
    text = ("Um, so, like, I'm not very technical, you know, but an API is an endpoint that takes a payload. "
            "I'd leave it to the engineers to choose, like a waiter would.")
    a = assessor.assess(fake_question(type="explain-concept"), text)
    d = a.delivery
    assert d.fillers == 3  # um, the comma-adjacent "like", "you know"; "like a waiter" is a simile
    assert d.jargon == 2 and d.jargon_per_100 is not None
    assert d.background_apologies == ["I'm not very technical"]
    assert d.engineering_deferrals == ["leave it to the engineer"]


def test_jargon_not_counted_outside_explain_questions(assessor):
    d = assessor.assess(fake_question(), "The endpoint returns a payload").delivery
    assert d.jargon == 0 and d.jargon_per_100 is None


def test_judge_contract_shape(assessor):
    v = judge(fake_question(), fake_persona(), assessor, "Uptime and the number of integrations.")
    out = v.to_contract("fake-metrics")
    assert out["question"] == "fake-metrics"
    assert out["score"] == 1
    assert out["next"]["action"] == "probe" and out["next"]["probe_id"] == "value-probe"
    assert all(set(s) == {"id", "polarity", "evidence"} for s in out["signals"])
