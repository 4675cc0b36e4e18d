"""The core's look-ahead: the reply to the answer so far, worked out on a copy while the candidate pauses."""

import pytest

from agent.interview.assess import CueAssessor
from agent.interview.records import RoundMeta, Speaker
from agent.interview.round import InterviewRound
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


def make_round(clock=None, **persona):
    qs = [fake_question(), fake_question(id="fake-second")]
    meta = RoundMeta(round_id="rid", persona_id="fake-persona", track=None, question_ids=tuple(q.id for q in qs),
                     minutes=20.0, started_at="2026-01-01T00:00:00+00:00")
    return InterviewRound(meta=meta, questions=qs, persona=fake_persona(**persona), assessor=CueAssessor(FAKE_LEXICON),
                          clock=clock or FakeClock())


def said(turns):
    return [(t.seq, t.speaker, t.kind, t.text, t.probe_id, t.question_id) for t in turns]


def test_looking_ahead_changes_nothing_and_answering_with_it_gives_the_same_reply():
    looked, plain = make_round(), make_round()
    looked.start(), plain.start()
    before = said(looked.turns)
    outlook = looked.look_ahead(WEAK, speaking_s=4.0)
    assert said(looked.turns) == before and looked.phase.value == "question"
    assert looked.current_question.id == "fake-metrics" and not looked._qstate.signals
    assert [t.kind for t in outlook.turns] == ["answer", "probe"]

    replied = looked.answer(WEAK, speaking_s=4.0, outlook=outlook)
    assert replied[0] is outlook.turns[0]  # taken as it stood, not judged again
    assert said(replied) == said(plain.answer(WEAK, speaking_s=4.0))
    assert said(looked.turns) == said(plain.turns) and looked.phase == plain.phase
    # the round goes on as if it had been answered the plain way
    assert said(looked.answer(STRONG)) == said(plain.answer(STRONG))


def test_an_outlook_is_worked_out_again_when_the_words_or_the_round_changed():
    clock = FakeClock()
    r = make_round(clock)
    r.start()
    outlook = r.look_ahead(WEAK)
    other = r.answer(WEAK + " And time to integrate.", outlook=outlook)
    assert other[0] is not outlook.turns[0] and other[0].text.endswith("integrate.")

    r2 = make_round(clock)
    r2.start()
    outlook = r2.look_ahead(WEAK)
    clock.now += 60
    assert r2.silence(40)  # a nudge: the round moved on since the look-ahead
    replied = r2.answer(WEAK, outlook=outlook)
    assert replied[0] is not outlook.turns[0] and replied[0].seq == outlook.turns[0].seq + 1


def test_a_speaking_time_far_from_the_look_ahead_is_judged_again():
    r = make_round()
    r.start()
    outlook = r.look_ahead(WEAK, speaking_s=4.0)
    assert r.answer(WEAK, speaking_s=9.0, outlook=outlook)[0] is not outlook.turns[0]


def test_the_look_ahead_is_timed_when_it_was_made():
    clock = FakeClock()
    r = make_round(clock)
    r.start()
    outlook = r.look_ahead(WEAK)
    clock.now += 30
    replied = r.answer(WEAK, outlook=outlook)
    assert replied[0].t == pytest.approx(0.0) and r.elapsed() == pytest.approx(30.0)


def test_the_transcript_gate_reads_the_answer_for_the_question():
    r = make_round()
    r.start()
    assert r.expected_answer_words() == 30
    assert r.look_ahead("Uptime, mostly.").unfinished == "short"
    assert r.look_ahead("I would track uptime and").unfinished == "trailing"
    assert r.look_ahead("I don't know.").unfinished is None  # whole at any length
    # 20 words with a reason: enough for a five-minute question, where a bare claim of that length is not
    reasoned = "I would track the time to integrate for a new team, because that shows whether teams can ship."
    bare = "I would track the time to integrate for a new team and the share of their use cases on the platform."
    assert r.look_ahead(reasoned).unfinished is None
    assert r.look_ahead(bare).unfinished == "short"


def test_no_look_ahead_before_the_round_starts_or_after_it_ends():
    r = make_round()
    assert r.look_ahead(WEAK).turns == ()
    r.start()
    r.end("candidate_left")
    assert r.look_ahead(WEAK).turns == () and r.look_ahead(WEAK).after is None


def test_the_candidates_own_questions_are_whole_at_any_length():
    r = make_round(probe_budget=0, curveballs=dict(use="never"))
    r.start()
    r.answer(STRONG)
    r.answer(STRONG)
    assert r.phase.value == "candidate_questions"
    assert r.look_ahead("No, thanks.").unfinished is None
    assert r.look_ahead("How big is the").unfinished == "trailing"
    assert all(t.speaker is not Speaker.CANDIDATE or t.kind == "candidate_question"
               for t in r.look_ahead("No, thanks.").turns)


def test_a_first_answer_that_touches_none_of_the_questions_ideas_is_a_thin_start():
    r = make_round()
    r.start()
    # long enough, but about something else than what the question asks
    aside = ("I would put the version in the address, because people copy examples from the docs and a version "
             "they can see is one they cannot forget when they write the call into their own code.")
    assert r.look_ahead(aside).unfinished == "no-idea"
    on_point = ("I would start from the job to be done for the consuming teams, because that is why they came to "
                "us in the first place.")
    assert r.look_ahead(on_point).unfinished is None
    long_aside = " ".join([aside] * 3)  # past twice the expected words the cues probably missed the idea
    assert r.look_ahead(long_aside).unfinished is None


def test_a_follow_up_answer_need_not_name_an_idea():
    r = make_round()
    r.start()
    r.answer(WEAK)
    assert r.phase.value == "follow_up"
    aside = ("I would put the version in the address, because people copy examples from the docs and a version "
             "they can see is one they cannot forget.")
    assert r.look_ahead(aside).unfinished is None
