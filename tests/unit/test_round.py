import pytest

from agent.interview.assess import CueAssessor
from agent.interview.records import RoundMeta, Speaker
from agent.interview.round import WARN_AFTER_SILENCE_S, InterviewRound, RoundClosed, spoken_time_left
from tests.fakes.content import FAKE_LEXICON, fake_persona, fake_question

pytestmark = pytest.mark.unit

WEAK = "Uptime, adoption and the number of integrations."
STRONG = ("The job to be done for consuming teams, because that is why they came to us. The share of their use "
          "cases migrated, for example 40 of 60. And the time to integrate for a new team, so that teams can ship "
          "in days.")


class FakeClock:
    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now


def make_round(minutes=20.0, persona=None, questions=None, clock=None):
    qs = questions or [fake_question(), fake_question(id="fake-second")]
    meta = RoundMeta(round_id="rid", persona_id="fake-persona", track=None, question_ids=tuple(q.id for q in qs),
                     minutes=minutes, started_at="2026-01-01T00:00:00+00:00")
    return InterviewRound(meta=meta, questions=qs, persona=persona or fake_persona(),
                          assessor=CueAssessor(FAKE_LEXICON), clock=clock or FakeClock())


def kinds(turns):
    return [t.kind for t in turns if t.speaker is Speaker.INTERVIEWER]


def test_full_round_flow_and_sequence_numbers():
    r = make_round()
    first = r.start()
    assert kinds(first) == ["opening", "question"]
    assert "Robin" in first[0].text and "20 minutes" in first[0].text
    assert kinds(r.answer(WEAK)) == ["probe"]
    out = r.answer(STRONG)
    assert kinds(out) in (["curveball"], ["question"])
    while r.phase.value != "candidate_questions":
        r.answer(STRONG)
    assert kinds(r.answer("How big is the team?")) == ["answer_candidate_question"]
    assert kinds(r.answer("No, that's all.")) == ["wrap_up"]
    assert r.done and r.completed
    assert [t.seq for t in r.turns] == list(range(len(r.turns)))
    with pytest.raises(RoundClosed):
        r.answer("hello?")


def test_finished_question_is_never_reopened():
    r = make_round(persona=fake_persona(probe_budget=0, curveballs=dict(use="never")))
    r.start()
    r.answer("I don't know.")
    assert r.current_question.id == "fake-second"
    r.answer(WEAK)
    asked = [t.question_id for t in r.turns if t.kind == "question"]
    assert asked == ["fake-metrics", "fake-second"]


def test_dont_know_moves_on_without_looping():
    r = make_round()
    r.start()
    out = r.answer("I really don't know.")
    assert kinds(out) == ["acknowledge", "question"]


def test_time_warning_then_time_up_wraps_up():
    clock = FakeClock()
    r = make_round(minutes=5, clock=clock)
    r.start()
    clock.now += 4.5 * 60
    out = r.answer(WEAK)
    assert "time_warning" in kinds(out)
    warning = next(t for t in out if t.kind == "time_warning")
    assert warning.text == "We have under a minute left."
    clock.now += 120
    out = r.answer(WEAK)
    assert kinds(out) == ["time_up", "wrap_up"] and r.done


@pytest.mark.parametrize("seconds,spoken", [(20, "under a minute"), (70, "about a minute"),
                                            (100, "about two minutes"), (170, "about three minutes"),
                                            (900, "about 15 minutes")])
def test_time_left_is_said_the_way_people_say_it(seconds, spoken):
    assert spoken_time_left(seconds) == spoken


def test_time_warning_reaches_a_candidate_who_is_thinking_quietly():
    clock = FakeClock()
    r = make_round(minutes=5, clock=clock)
    r.start()
    clock.now += 4.5 * 60
    assert r.silence(0.5) == []  # not on the heels of the question
    out = r.silence(WARN_AFTER_SILENCE_S)
    assert kinds(out) == ["time_warning"]
    assert r.silence(WARN_AFTER_SILENCE_S + 1) == []  # said once
    assert "time_warning" not in kinds(r.answer(WEAK))


def test_tick_ends_a_round_past_the_deadline_with_grace():
    clock = FakeClock()
    r = make_round(minutes=5, clock=clock, persona=fake_persona(timekeeping=dict(style="relaxed")))
    r.start()
    clock.now += 5 * 60 + 10
    assert r.tick() == []  # relaxed persona allows a grace period
    clock.now += 30
    assert kinds(r.tick()) == ["time_up", "wrap_up"]


def test_strict_persona_has_no_grace():
    clock = FakeClock()
    r = make_round(minutes=5, clock=clock, persona=fake_persona(timekeeping=dict(style="strict")))
    r.start()
    clock.now += 5 * 60 + 1
    assert kinds(r.tick())[-1] == "wrap_up"


def test_silence_nudges_once_then_ends_after_absence():
    r = make_round(persona=fake_persona(turn_taking=dict(silence_nudge_s=10, absence_end_s=40)))
    r.start()
    assert r.silence(5) == []
    assert kinds(r.silence(11)) == ["nudge"]
    assert r.silence(20) == []
    out = r.silence(41)
    assert kinds(out) == ["wrap_up"] and r.done and not r.completed


def test_rambling_answer_is_cut_off_by_a_persona_that_does_so():
    persona = fake_persona(rambling=dict(cut_off=True, max_answer_words=60))
    r = make_round(persona=persona)
    r.start()
    out = r.answer(" ".join([WEAK] * 20))
    assert kinds(out)[0] == "cut_off"
    patient = make_round()
    patient.start()
    assert "cut_off" not in kinds(patient.answer(" ".join([WEAK] * 20)))


def test_voice_cut_off_counts_time_or_words_heard_so_far():
    r = make_round(persona=fake_persona(rambling=dict(cut_off=True, max_answer_words=60, max_answer_s=90)))
    r.start()
    assert not r.should_cut_off(30.0, words=40)
    assert r.should_cut_off(30.0, words=61)
    assert r.should_cut_off(91.0)
    assert not make_round().should_cut_off(600.0, words=5000)


def test_end_mid_round_gives_a_partial_scorecard():
    r = make_round()
    r.start()
    r.answer(WEAK)
    out = r.end("stopped")
    assert kinds(out) == ["wrap_up"]
    card = r.scorecard()
    assert card.completed is False
    assert card.questions[0].score == 1
    assert card.questions[0].weak[0].evidence in WEAK


def test_scorecard_follow_up_score_change_and_quotes():
    r = make_round()
    r.start()
    r.answer(WEAK)
    r.answer("Really it's about the consuming teams, because they are who we serve. And the time to integrate "
             "for each new team, so that a new team ships in days.")
    card = r.scorecard()
    q = card.questions[0]
    fu = q.follow_ups[0]
    assert fu.kind == "probe" and fu.score_before == 1 and fu.score_after > 1
    assert {h.id for h in q.hit} == {"job-first", "time-to-integrate"}
    assert q.named == []
    assert [m.id for m in q.missed] == ["adoption-depth"]


def test_scorecard_keeps_named_ideas_apart_from_explained_ones():
    r = make_round()
    r.start()
    r.answer("Really it's about the consuming teams and the time to integrate for each new team.")
    q = r.scorecard().questions[0]
    assert q.hit == []
    assert {h.id for h in q.named} == {"job-first", "time-to-integrate"}
    assert all(len(h.evidence.split()) >= 3 for h in q.named)


def test_wrap_up_feedback_quotes_the_candidate():
    r = make_round(questions=[fake_question()])
    r.start()
    r.answer("It starts with the job to be done for consuming teams, because that is why they use us at all.")
    while not r.done:
        r.answer("No, that's all.")
    wrap = r.turns[-1]
    assert wrap.kind == "wrap_up"
    assert "you said \"It starts with the job to be done for consuming teams" in wrap.text
    assert "on measuring the fake platform" in wrap.text  # the question's title, not its id


def test_upcoming_texts_include_probe_phrasings():
    r = make_round()
    r.start()
    upcoming = r.upcoming_texts()
    out = r.answer(WEAK)
    assert out[-1].text in upcoming
