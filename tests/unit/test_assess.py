import pytest

from agent.interview.assess import CueAssessor, score_signals
from agent.interview.oneshot import judge
from agent.interview.records import SignalHit
from tests.fakes.content import FAKE_LEXICON, fake_persona, fake_question

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


STRONG = ("I'd start from the job to be done for consuming teams, because that is why they came to us. "
          "Then I'd look at what share of each team's eligible use cases moved over, for example 40 of 60. "
          "And the time to integrate for a new team, so that teams can ship in days rather than weeks.")


def test_strong_answer_scores_high(assessor):
    a = assessor.assess(fake_question(), STRONG)
    hits = {s.id: s for s in a.signals}
    assert set(hits) >= {"job-first", "adoption-depth", "time-to-integrate"}
    assert all(h.level == "explained" for h in hits.values())
    assert a.score == 5
    for s in a.signals:
        assert s.evidence in STRONG
        assert len(s.evidence.split()) >= 3


def test_named_ideas_without_support_cannot_score_above_two(assessor):
    text = "Consuming teams, the share of each workload, and the time to integrate."
    a = assessor.assess(fake_question(), text)
    hits = {s.id: s for s in a.signals}
    assert set(hits) >= {"job-first", "adoption-depth", "time-to-integrate"}
    assert all(h.level == "named" for h in hits.values())
    assert a.score <= 2


def test_support_in_the_next_sentence_explains_an_idea(assessor):
    text = "I'd watch the time to integrate. That matters because every week of waiting is a week lost."
    hit = next(s for s in assessor.assess(fake_question(), text).signals if s.id == "time-to-integrate")
    assert hit.level == "explained" and hit.support == "reason"
    assert "because" in hit.evidence and "time to integrate" in hit.evidence


def test_support_two_sentences_away_does_not_explain(assessor):
    text = "I'd watch the time to integrate. Uptime too. The dashboards are blue because we like blue."
    hit = next(s for s in assessor.assess(fake_question(), text).signals if s.id == "time-to-integrate")
    assert hit.level == "named"


def test_a_rejected_weak_idea_is_set_aside_not_held_against(assessor):
    text = ("Uptime isn't enough, so I'd measure the time to integrate for a new team, "
            "because teams can then ship sooner.")
    a = assessor.assess(fake_question(), text)
    assert "infra-only" not in {s.id for s in a.signals}
    assert [s.id for s in a.set_aside] == ["infra-only"] and a.set_aside[0].stance == "rejected"


def test_a_weak_idea_rejected_where_it_is_first_brought_up_stays_rejected(assessor):
    # the later mention is the case against it, not a proposal
    text = "Uptime isn't enough. Uptime says the servers answer, it says nothing about the teams."
    a = assessor.assess(fake_question(), text)
    assert "infra-only" not in {s.id for s in a.signals}
    # proposed first and doubted later, it still counts as proposed
    later = assessor.assess(fake_question(), "I'd track uptime. Later, uptime isn't enough.")
    assert "infra-only" in {s.id for s in later.signals}


def test_a_rejected_strong_idea_earns_nothing(assessor):
    text = "I'd avoid the time to integrate as a measure, it is noise. Uptime is what counts."
    a = assessor.assess(fake_question(), text)
    hit = next((s for s in a.signals if s.id == "time-to-integrate"), None)
    assert hit is not None and hit.stance == "rejected" and not hit.credited
    assert a.score == 1


def test_a_named_idea_is_pressed_with_the_candidates_term(assessor):
    v = judge(fake_question(), fake_persona(), assessor, "Mostly the time to integrate, and the dashboards.")
    assert v.action.kind.value == "probe"
    assert v.action.probe_id == "press-time-to-integrate"
    assert "time to integrate" in v.action.text


def test_a_red_flag_in_the_answer_is_pressed_before_its_named_terms(assessor):
    v = judge(fake_question(), fake_persona(), assessor, "Mostly the time to integrate, and uptime of course.")
    assert v.action.probe_id == "value-probe"  # the probe the bank aims at uptime, not "you said time to integrate"


def test_negated_weak_cue_is_ignored(assessor):
    a = assessor.assess(fake_question(), "Not just uptime: I care about the consuming teams.")
    assert "infra-only" not in {s.id for s in a.signals}


def test_combo_catches_a_paraphrase(assessor):
    a = assessor.assess(fake_question(), "What portion of every workload they own runs on it today?")
    assert "adoption-depth" in {s.id for s in a.signals}


def test_combo_counts_a_plain_occurrence_after_a_negated_one(assessor):
    text = ("We never counted the share of each workload on it. "
            "What I'd watch is the share of every workload a team owns that moved over.")
    a = assessor.assess(fake_question(), text)
    hits = {s.id: s for s in a.signals}
    assert "adoption-depth" in hits
    assert hits["adoption-depth"].stance == "endorsed"
    assert hits["adoption-depth"].evidence in text.split("on it. ")[1]


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
    def hit(sid: str, level: str = "explained", stance: str = "endorsed") -> SignalHit:
        return SignalHit(id=sid, polarity="weak" if sid == "infra-only" else "strong", evidence="...",
                         stance=stance, level=None if sid == "infra-only" else level)

    assert score_signals(q, []) == 1
    assert score_signals(q, [hit("job-first")]) < score_signals(q, [hit("job-first"), hit("adoption-depth")])
    assert score_signals(q, [hit("job-first"), hit("infra-only")]) < score_signals(q, [hit("job-first")])
    named = [hit(s, "named") for s in ("job-first", "adoption-depth", "time-to-integrate")]
    assert score_signals(q, named) <= 2
    assert score_signals(q, [hit("job-first", stance="rejected")]) == 1
    assert score_signals(q, [hit("job-first"), hit("infra-only", stance="rejected")]) == score_signals(
        q, [hit("job-first")])


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
    assert all(set(s) == {"id", "polarity", "evidence", "stance"} for s in out["signals"] if s["polarity"] == "weak")
    assert all(set(s) == {"id", "polarity", "evidence", "stance", "level", "term", "support"}
               for s in out["signals"] if s["polarity"] == "strong")


def test_a_weak_idea_argued_against_with_a_reason_earns_credit(assessor):
    bare = assessor.assess(fake_question(), "I'd avoid uptime.")
    argued = assessor.assess(fake_question(), "I'd avoid uptime, because teams can fail in ways it never shows.")
    assert [h.stance for h in bare.set_aside] == ["rejected"] and bare.set_aside[0].support is None
    assert argued.set_aside[0].support == "reason" and argued.set_aside[0].argued
    assert "because" in argued.set_aside[0].evidence
    assert bare.score == 1 and argued.score > bare.score
    assert judge(fake_question(), fake_persona(), assessor, "I'd avoid uptime, because teams can fail in ways it "
                 "never shows.").score == argued.score  # assess --json and a round score it the same way


def test_any_idea_touched_keeps_an_answer_off_the_floor():
    from agent.content.models import Signal

    q = fake_question()
    heavy = [Signal.model_validate(dict(id=f"heavy-{i}", polarity="strong", weight=5.0, description="A heavy idea",
                                        cues=dict(phrases=(f"heavy thing {i}",)))) for i in range(2)]
    q = q.model_copy(update={"signals": [*q.signals, *heavy]})
    named = SignalHit(id="adoption-depth", polarity="strong", evidence="the share of each workload", level="named")
    assert score_signals(q, [named]) == 2
    assert score_signals(q, []) == 1


def test_reasoning_that_runs_through_the_answer_adds_a_point_only_to_an_explained_idea():
    q = fake_question()
    explained = SignalHit(id="adoption-depth", polarity="strong",
                          evidence="the share of each workload, for example 40 of 60", level="explained",
                          support="example")
    named = SignalHit(id="adoption-depth", polarity="strong", evidence="the share of each workload", level="named")
    proposed_weak = SignalHit(id="infra-only", polarity="weak", evidence="uptime", stance="endorsed")
    assert score_signals(q, [explained], reasoning=5) == score_signals(q, [explained]) + 1
    assert score_signals(q, [explained], reasoning=4) == score_signals(q, [explained])
    assert score_signals(q, [explained], reasoning=6) == score_signals(q, [explained]) + 2  # a second point
    assert score_signals(q, [explained], reasoning=12) == score_signals(q, [explained], reasoning=6)  # no more
    assert score_signals(q, [named], reasoning=9) <= 2  # the right words with reasons elsewhere are still named
    assert score_signals(q, [explained, proposed_weak], reasoning=9) == score_signals(q, [explained, proposed_weak])


def test_reasoning_sentences_count_real_support_once_per_sentence(assessor):
    text = ("I'd look at what share of each team's work moved over, for example 40 of 60, because that is the "
            "real test. It's best practice, because big companies do it. A slow start hurts, which means "
            "teams won't stay. We'd fix onboarding first.")
    a = assessor.assess(fake_question(), text)
    assert a.reasoning == 2  # the authority appeal carries nothing; one sentence with three markers counts once
    assert a.model_dump(mode="json")["reasoning_sentences"] == a.reasoning
    from agent.interview.records import Assessment

    assert Assessment.model_validate(a.model_dump(mode="json")) == a


def _explain_question():
    return fake_question(id="fake-explain", type="explain-concept", prompt="Explain it to a friend.")


def test_support_given_in_jargon_does_not_explain_to_a_plain_listener(assessor):
    plain = "I'd tell them the time to integrate matters because teams wait weeks otherwise."
    jargon = ("I'd tell them the time to integrate, the REST endpoint with an HTTP payload and a token, matters "
              "because teams wait weeks otherwise.")
    assert next(h for h in assessor.assess(_explain_question(), plain).signals).level == "explained"
    hits = assessor.assess(_explain_question(), jargon)
    assert {h.level for h in hits.signals if h.polarity == "strong"} == {"named"}
    assert hits.score <= 2
    # the same words to a question that did not ask for plain words are judged on their support
    assert next(h for h in assessor.assess(fake_question(), jargon).signals).level == "explained"


def test_buzzword_salad_names_ideas_without_explaining_them(assessor):
    salad = ("We leverage big data and synergy for consuming teams, because a seamless AI-first platform is the "
             "job to be done, so teams can ship.")
    a = assessor.assess(fake_question(), salad)
    assert {h.level for h in a.signals if h.polarity == "strong"} == {"named"}
    assert a.score <= 2
    one_word = "For consuming teams, because they can ship, we leverage what we have."
    assert next(h for h in assessor.assess(fake_question(), one_word).signals).level == "explained"


def test_an_appeal_that_frames_a_reason_makes_it_hollow(assessor):
    text = "Watch the time to integrate as best practice because it stays short."
    hit = next(h for h in assessor.assess(fake_question(), text).signals if h.id == "time-to-integrate")
    assert hit.level == "named"
    text = "Watch the time to integrate as a habit because it stays short."
    hit = next(h for h in assessor.assess(fake_question(), text).signals if h.id == "time-to-integrate")
    assert hit.level == "explained"


def test_a_sentence_that_concludes_from_the_one_before_is_explained_by_it(assessor):
    story = "Teams waited 9 weeks to get started. So I made the time to integrate our first goal."
    hit = next(h for h in assessor.assess(fake_question(), story).signals if h.id == "time-to-integrate")
    assert hit.level == "explained" and "9 weeks" in hit.evidence  # the quote shows the idea and its support
    summing_up = "Teams waited 9 weeks to get started. So basically the time to integrate."
    hit = next(h for h in assessor.assess(fake_question(), summing_up).signals if h.id == "time-to-integrate")
    assert hit.level == "named"


@pytest.fixture(scope="module")
def shipped_meter():
    """A delivery meter on the shipped jargon list, built once for the glossing cases."""
    from agent.content.loader import load_bank
    from agent.interview.delivery import DeliveryMeter

    return DeliveryMeter(load_bank().lexicon)


@pytest.mark.parametrize("text,unglossed", [
    # each term said with its plain meaning beside it
    ("The browser looks the name up in DNS, which is basically a phone book, then sets up encryption, that's "
     "TLS, the padlock, and gets the page from a CDN, a nearby copy of the site.", 0),
    # the same terms thrown at the listener
    ("The browser does a DNS lookup, a TLS handshake, then pulls the HTML from the CDN.", 4),
    # a gloss made of jargon explains nothing, and a clause that runs on is not an appositive
    ("Put it in Redis, which is a key-value store.", 2),
    ("It goes over HTTP, the server checks the token and sends the page back to the browser for you.", 2),
])
def test_jargon_glossed_in_plain_words_is_not_thrown_at_the_listener(shipped_meter, text, unglossed):
    from agent.interview._text import Answer

    assert shipped_meter.unglossed_jargon(text, Answer.of(text).tokens) == unglossed


def test_an_answer_that_glosses_its_terms_is_not_a_jargon_recital(assessor):
    glossed = ("I'd tell them the time to integrate matters because teams wait weeks otherwise: an endpoint, which "
               "is basically a door, a REST call, that's a knock on it, and a token, a kind of key.")
    thrown = ("I'd tell them the time to integrate matters because teams wait weeks otherwise, the REST endpoint "
              "with an HTTP payload and a token.")
    assert any(h.level == "explained" for h in assessor.assess(_explain_question(), glossed).signals)
    assert {h.level for h in assessor.assess(_explain_question(), thrown).signals if h.polarity == "strong"} \
        == {"named"}
