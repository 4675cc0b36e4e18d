"""When a candidate's turn is over: the two gates, the "Okay." and taking it back, the look-ahead made in the
pause, and explicit ends (closers, Done), driven through a real AgentSession with text only and a fake audio
turn model (acoustic models misjudge synthetic voices, so these tests control the words and the timings).
"""

from __future__ import annotations

import types
from pathlib import Path

import pytest
from livekit.agents import AgentSession, llm

from agent.session import RoundRequest, start_round
from agent.store import Store
from agent.voice.bridge import InterviewerAgent
from agent.voice.conductor import RoundConductor
from agent.voice.policy_llm import PolicyLLM
from tests.fakes.content import FAKE_LEXICON, fake_persona, fake_question
from tests.fakes.turn_gate import FakeTurnGate

pytestmark = pytest.mark.unit

WEAK = "We would track uptime and the number of integrations, plus how many teams signed up."
STRONG = "I would start from the consuming teams and the job to be done, then the time to integrate."


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def bank():
    q = fake_question()
    p = fake_persona()
    return types.SimpleNamespace(personas={p.id: p}, questions={q.id: q}, lexicon=FAKE_LEXICON)


@pytest.fixture
def store(tmp_path: Path):
    s = Store(f"sqlite:///{tmp_path / 'rounds.db'}")
    yield s
    s.close()


def conductor_for(bank, store) -> RoundConductor:
    logged = start_round(bank, store, RoundRequest(persona_id="fake-persona", question_ids=("fake-metrics",),
                                                   mode="simulate"), clock=FakeClock())
    return RoundConductor(logged)




LONG_DONE = ("I would start from the consuming teams and the job to be done for them, then measure how long a "
             "new team needs to ship something real, because that is why the platform exists at all.")


@pytest.mark.parametrize("finished,text,reason", [
    (True, LONG_DONE, None),  # both gates say finished: reply at once
    (False, LONG_DONE, "voice"),  # the voice sounds unfinished
    (None, LONG_DONE, "voice"),  # the audio model could not say in time: wait, never guess
    (True, "Uptime, mostly.", "short"),  # too short for a five-minute question
    (True, LONG_DONE.rstrip(".") + ", and", "trailing"),
])
async def test_two_gates_reply_fast_only_when_both_say_finished(bank, store, finished, text, reason):
    conductor = conductor_for(bank, store)
    await conductor.start()
    gate = FakeTurnGate(finished)
    agent = InterviewerAgent(conductor=conductor, turn_gate=gate)  # type: ignore[arg-type]
    assert await agent._unfinished(text) == (reason, bool(finished) and reason != "trailing")
    # the model is asked only when the words pass, or are whole but thin
    assert gate.asked == (1 if reason in (None, "voice", "short") else 0)
    await conductor.aclose()


async def test_one_gate_personas_hold_only_a_turn_that_stops_mid_sentence(bank, store):
    conductor = conductor_for(bank, store)
    await conductor.start()
    agent = InterviewerAgent(conductor=conductor)
    assert await agent._unfinished("Uptime, mostly.") == (None, False)
    assert await agent._unfinished("Uptime, and") == ("trailing", False)
    await conductor.aclose()


async def test_a_fast_end_is_acknowledged_then_answered_once(bank, store):
    import asyncio

    from livekit.agents import StopResponse

    conductor = conductor_for(bank, store)
    gate = FakeTurnGate(True)
    agent = InterviewerAgent(conductor=conductor, turn_gate=gate, acknowledgements=("Okay.",))  # type: ignore[arg-type]
    async with AgentSession(llm=PolicyLLM(conductor=conductor), vad=None) as session:
        await session.start(agent)
        message = llm.ChatMessage(role="user", content=[LONG_DONE])
        with pytest.raises(StopResponse):  # no reply yet: the acknowledgement goes first
            await agent.on_user_turn_completed(llm.ChatContext.empty(), message)
        assert agent.acks_said == 1 and agent.hold.acknowledged
        for _ in range(80):  # the reply follows the acknowledgement after a short quiet
            if any(t.source == "answer" for t in conductor.turns):
                break
            await asyncio.sleep(0.05)
    answered = [t for t in conductor.turns if t.source == "answer"]
    assert agent.acks_taken_back == 0 and gate.turns_over >= 1
    assert len(answered) == 1 and answered[0].heard == LONG_DONE  # the core saw the answer once, whole
    await conductor.aclose()


async def test_speaking_again_after_the_acknowledgement_continues_the_same_answer(bank, store):
    from livekit.agents import StopResponse

    conductor = conductor_for(bank, store)
    agent = InterviewerAgent(conductor=conductor, turn_gate=FakeTurnGate(True),  # type: ignore[arg-type]
                             acknowledgements=("Okay.",))
    async with AgentSession(llm=PolicyLLM(conductor=conductor), vad=None) as session:
        await session.start(agent)
        first = llm.ChatMessage(role="user", content=[LONG_DONE])
        with pytest.raises(StopResponse):
            await agent.on_user_turn_completed(llm.ChatContext.empty(), first)
        agent._on_user_state(types.SimpleNamespace(old_state="listening", new_state="speaking", created_at=1.0))
        rest = llm.ChatMessage(role="user", content=["And the share of their work that has moved onto it."])
        await agent.on_user_turn_completed(llm.ChatContext.empty(), rest)  # finished again: no second "Okay."
        assert agent.acks_said == 1 and agent.acks_taken_back == 1
        assert rest.text_content == LONG_DONE + " And the share of their work that has moved onto it."
    await conductor.aclose()


async def test_the_gates_read_the_look_ahead_made_in_the_pause_and_the_reply_takes_it(bank, store):
    conductor = conductor_for(bank, store)
    await conductor.start()
    agent = InterviewerAgent(conductor=conductor, turn_gate=FakeTurnGate(True))  # type: ignore[arg-type]
    async with AgentSession(llm=PolicyLLM(conductor=conductor), vad=None) as session:
        await session.start(agent)
        agent._unanswered.append(LONG_DONE)  # a final transcript arrives and the candidate pauses
        agent._look_ahead()
        assert await agent._unfinished(LONG_DONE) == (None, True)
        call = agent.gate_calls[-1]
        assert call.looked_ahead and call.transcript is None and call.voice is True
        result = await session.run(user_input=LONG_DONE)
        result.expect.contains_message(role="assistant")
    answered = [t for t in conductor.turns if t.source == "answer"]
    assert len(answered) == 1 and answered[0].heard == LONG_DONE
    assert conductor.looked_ahead == 1  # the reply was the one chosen in the pause, not judged again
    await conductor.aclose()


async def test_words_that_changed_after_the_look_ahead_are_judged_afresh(bank, store):
    conductor = conductor_for(bank, store)
    await conductor.start()
    agent = InterviewerAgent(conductor=conductor, turn_gate=FakeTurnGate(True))  # type: ignore[arg-type]
    agent._unanswered.append("I would start from the teams, and")
    agent._look_ahead()
    assert await agent._unfinished(LONG_DONE) == (None, True)
    assert not agent.gate_calls[-1].looked_ahead and conductor.outlooks_late == 1
    reply = await conductor.answer("k1", LONG_DONE, speaking_s=None)
    assert reply.candidate is not None and conductor.looked_ahead == 1  # the late look-ahead still serves
    await conductor.aclose()


async def test_the_audio_model_is_asked_at_every_pause_when_a_benchmark_wants_its_verdict(bank, store):
    conductor = conductor_for(bank, store)
    await conductor.start()
    gate = FakeTurnGate(True)
    agent = InterviewerAgent(conductor=conductor, turn_gate=gate)  # type: ignore[arg-type]
    agent.ask_voice_always = True
    assert await agent._unfinished("Uptime, and") == ("trailing", True)
    assert gate.asked == 1 and agent.gate_calls[-1].voice is True and agent.gate_calls[-1].transcript == "trailing"
    await conductor.aclose()


async def test_a_turn_the_framework_ends_on_a_closer_is_answered_without_asking_the_gates(bank, store):
    conductor = conductor_for(bank, store)
    await conductor.start()
    gate = FakeTurnGate(False)  # the voice would say "not finished": a closer overrules it
    agent = InterviewerAgent(conductor=conductor, turn_gate=gate, closers=FAKE_LEXICON.turn_closers,  # type: ignore[arg-type]
                             acknowledgements=("Okay.",))
    async with AgentSession(llm=PolicyLLM(conductor=conductor), vad=None) as session:
        await session.start(agent)
        message = llm.ChatMessage(role="user", content=["Uptime, mostly. That's my answer."])
        await agent.on_user_turn_completed(llm.ChatContext.empty(), message)  # returns: the framework replies
        assert message.text_content == "Uptime, mostly."
        assert gate.asked == 0 and agent.acks_said == 0 and agent.closer_commits == 1


async def _quiet(agent) -> None:
    import asyncio

    for _ in range(100):  # the entry's (empty) reply is still being handled
        if not agent._interviewer_mid_speech():
            return
        await asyncio.sleep(0.02)


async def test_the_frameworks_own_end_of_words_a_closer_already_answered_is_no_second_answer(bank, store):
    from livekit.agents import StopResponse

    conductor = conductor_for(bank, store)
    await conductor.start()
    agent = InterviewerAgent(conductor=conductor, closers=FAKE_LEXICON.turn_closers)
    async with AgentSession(llm=PolicyLLM(conductor=conductor), vad=None) as session:
        await session.start(agent)
        agent._unanswered.append("Uptime, mostly. That's my answer.")
        await _quiet(agent)
        await agent._end_turn_now()  # the closer was heard: the reply is on its way
        assert agent.closer_commits == 1
        echo = llm.ChatMessage(role="user", content=["Uptime, mostly. That's my answer."])
        with pytest.raises(StopResponse):
            await agent.on_user_turn_completed(llm.ChatContext.empty(), echo)
        later = llm.ChatMessage(role="user", content=["Uptime, mostly. That's my answer."])
        agent._closed_words = None  # a later answer with the same words is an answer
        await agent.on_user_turn_completed(llm.ChatContext.empty(), later)
        assert agent.closer_commits == 2


def _bank_with(**turn_taking):
    """The fake bank, its persona taking turns with two gates and these settings."""
    q = fake_question()
    p = fake_persona(turn_taking=dict(mode="two-gate", min_endpointing_delay_s=0.3, **turn_taking))
    return types.SimpleNamespace(personas={p.id: p}, questions={q.id: q}, lexicon=FAKE_LEXICON)


async def _answered_after(conductor, seconds: float) -> list[str]:
    """The answers the core has received, once one has arrived or ``seconds`` have passed."""
    import asyncio

    for _ in range(int(seconds / 0.05)):
        if any(t.source == "answer" for t in conductor.turns):
            break
        await asyncio.sleep(0.05)
    return [t.heard for t in conductor.turns if t.source == "answer"]


@pytest.fixture
def two_gate_bank():
    return _bank_with(max_endpointing_delay_s=2.0)


async def test_with_a_short_framework_wait_done_on_words_not_yet_ended_waits_for_that_end(two_gate_bank, store):
    conductor = conductor_for(two_gate_bank, store)
    await conductor.start()
    gate = FakeTurnGate(False)
    agent = InterviewerAgent(conductor=conductor, turn_gate=gate, acknowledgements=("Okay.",))  # type: ignore[arg-type]
    async with AgentSession(llm=PolicyLLM(conductor=conductor), vad=None) as session:
        await session.start(agent)
        await _quiet(agent)
        agent._unanswered.append("Uptime, mostly, and")
        agent.request_end_of_turn()  # a reply started now would be cut by the framework's own end, due at once
        assert agent._close_task is None and agent._done_requested_at is not None
        message = llm.ChatMessage(role="user", content=["Uptime, mostly, and"])
        await agent.on_user_turn_completed(llm.ChatContext.empty(), message)  # that end answers the press
        assert agent.closer_commits == 1 and gate.asked == 0 and not agent.hold.active


async def test_done_on_a_held_turn_answers_it_at_once(two_gate_bank, store):
    import asyncio

    from livekit.agents import StopResponse

    conductor = conductor_for(two_gate_bank, store)
    await conductor.start()
    agent = InterviewerAgent(conductor=conductor, turn_gate=FakeTurnGate(True),  # type: ignore[arg-type]
                             acknowledgements=("Okay.",))
    async with AgentSession(llm=PolicyLLM(conductor=conductor), vad=None) as session:
        await session.start(agent)
        await _quiet(agent)
        with pytest.raises(StopResponse):  # stops on "and": held for the long wait
            await agent.on_user_turn_completed(llm.ChatContext.empty(),
                                               llm.ChatMessage(role="user", content=["Uptime, mostly, and"]))
        assert agent.hold.active
        agent.request_end_of_turn()
        assert agent._close_task is not None
        await agent._close_task
        assert agent.closer_commits == 1 and not agent.hold.active
        for _ in range(100):
            if any(t.source == "answer" for t in conductor.turns):
                break
            await asyncio.sleep(0.02)
    answered = [t for t in conductor.turns if t.source == "answer"]
    assert [t.heard for t in answered] == ["Uptime, mostly, and"]
    await conductor.aclose()


async def test_a_reply_the_agent_hands_over_itself_is_timed_from_the_answers_last_word(bank, store):
    conductor = conductor_for(bank, store)
    await conductor.start()
    conductor.note_speech_end(1000.0)  # the held answer's last word, wall clock
    reply = await conductor.answer("k1", WEAK, speaking_s=4.0)
    entry = next(t for t in conductor.turns if t.source == "answer")
    assert entry.speech_end_at == 1000.0 and reply.interviewer
    # the framework measured no e2e_latency for a reply it did not start from its own end of turn
    conductor.record_agent_message(reply.text, {"started_speaking_at": 1000.65, "tts_node_ttfb": 0.01},
                                   interrupted=False)
    assert entry.to_dict()["e2e_latency"] == pytest.approx(0.65)
    # a figure the framework did measure is kept as it is
    conductor.note_speech_end(2000.0)
    again = await conductor.answer("k2", STRONG, speaking_s=4.0)
    second = [t for t in conductor.turns if t.source == "answer"][1]
    conductor.record_agent_message(again.text, {"started_speaking_at": 2001.0, "e2e_latency": 0.4},
                                   interrupted=False)
    assert second.to_dict()["e2e_latency"] == pytest.approx(0.4)
    await conductor.aclose()


async def test_words_transcribed_after_the_acknowledgement_join_the_answer_it_acknowledged(bank, store):
    from livekit.agents import StopResponse

    conductor = conductor_for(bank, store)
    await conductor.start()
    agent = InterviewerAgent(conductor=conductor, turn_gate=FakeTurnGate(True),  # type: ignore[arg-type]
                             acknowledgements=("Okay.",))
    async with AgentSession(llm=PolicyLLM(conductor=conductor), vad=None) as session:
        await session.start(agent)
        with pytest.raises(StopResponse):
            await agent.on_user_turn_completed(llm.ChatContext.empty(), llm.ChatMessage(role="user",
                                                                                          content=[LONG_DONE]))
        flush = agent._flush_task
        # the last piece of the same speech, decoded after the framework ended the turn: nobody spoke since
        with pytest.raises(StopResponse):
            await agent.on_user_turn_completed(llm.ChatContext.empty(), llm.ChatMessage(
                role="user", content=["It also shows up in their release notes."]))
        assert agent.acks_taken_back == 0 and agent.hold.acknowledged and agent._flush_task is flush
        assert agent.hold.text == LONG_DONE + " It also shows up in their release notes."
        # a late piece that stops mid-phrase leaves the answer open: it waits the long quiet like any other
        with pytest.raises(StopResponse):
            await agent.on_user_turn_completed(llm.ChatContext.empty(), llm.ChatMessage(
                role="user", content=["And then"]))
        assert not agent.hold.acknowledged and agent.hold_reasons[-1] == "trailing"
    assert not [t for t in conductor.turns if t.source == "answer"]
    await conductor.aclose()


async def test_a_closer_transcribed_after_the_acknowledgement_ends_the_answer_at_once(bank, store):
    import asyncio

    from livekit.agents import StopResponse

    conductor = conductor_for(bank, store)
    await conductor.start()
    agent = InterviewerAgent(conductor=conductor, turn_gate=FakeTurnGate(True),  # type: ignore[arg-type]
                             acknowledgements=("Okay.",), closers=FAKE_LEXICON.turn_closers)
    async with AgentSession(llm=PolicyLLM(conductor=conductor), vad=None) as session:
        await session.start(agent)
        with pytest.raises(StopResponse):
            await agent.on_user_turn_completed(llm.ChatContext.empty(), llm.ChatMessage(role="user",
                                                                                          content=[LONG_DONE]))
        with pytest.raises(StopResponse):
            await agent.on_user_turn_completed(llm.ChatContext.empty(), llm.ChatMessage(
                role="user", content=["That's my answer."]))
        assert agent.closer_commits == 1 and not agent.hold.active
        for _ in range(100):
            if any(t.source == "answer" for t in conductor.turns):
                break
            await asyncio.sleep(0.02)
    assert [t.heard for t in conductor.turns if t.source == "answer"] == [LONG_DONE]
    await conductor.aclose()


async def test_words_finished_while_the_candidate_already_speaks_again_are_held_not_answered(two_gate_bank, store):
    from livekit.agents import StopResponse

    conductor = conductor_for(two_gate_bank, store)
    await conductor.start()
    agent = InterviewerAgent(conductor=conductor, turn_gate=FakeTurnGate(True),  # type: ignore[arg-type]
                             acknowledgements=("Okay.",))
    async with AgentSession(llm=PolicyLLM(conductor=conductor), vad=None) as session:
        await session.start(agent)
        session._update_user_state("speaking")  # the rest of the answer has begun
        with pytest.raises(StopResponse):
            await agent.on_user_turn_completed(llm.ChatContext.empty(), llm.ChatMessage(role="user",
                                                                                          content=[LONG_DONE]))
        assert agent.hold.active and agent.hold_reasons[-1] == "speaking" and agent.acks_said == 0


async def test_the_reply_after_an_okay_waits_for_the_personas_quiet(store):
    import asyncio
    import time

    from livekit.agents import StopResponse

    conductor = conductor_for(_bank_with(max_endpointing_delay_s=2.0, reply_after_ack_s=1.0), store)
    await conductor.start()
    agent = InterviewerAgent(conductor=conductor, turn_gate=FakeTurnGate(True),  # type: ignore[arg-type]
                             acknowledgements=("Okay.",))
    async with AgentSession(llm=PolicyLLM(conductor=conductor), vad=None) as session:
        await session.start(agent)
        agent._answer_stopped_at = time.time()  # the last word: now
        with pytest.raises(StopResponse):
            await agent.on_user_turn_completed(llm.ChatContext.empty(), llm.ChatMessage(role="user",
                                                                                          content=[LONG_DONE]))
        await asyncio.sleep(0.5)
        assert not [t for t in conductor.turns if t.source == "answer"]  # still in the quiet after the "Okay."
        assert await _answered_after(conductor, 5.0) == [LONG_DONE]
    await conductor.aclose()


def _doubting_persona_bank():
    return _bank_with(max_endpointing_delay_s=1.5, reply_after_ack_s=1.2, ack_after_doubt_s=0.9)


@pytest.mark.parametrize("voice,text,reason,reply_after_s", [
    (False, LONG_DONE, "voice", 1.2),  # the words read as finished, only the voice doubts: reply as after any "Okay."
    (True, "Uptime, mostly.", "short", 1.5),  # thin words the voice calls done: the reply waits the long quiet
])
async def test_words_held_by_one_doubt_get_a_later_okay(store, voice, text, reason, reply_after_s):
    import asyncio
    import time

    from livekit.agents import StopResponse

    conductor = conductor_for(_doubting_persona_bank(), store)
    await conductor.start()
    agent = InterviewerAgent(conductor=conductor, turn_gate=FakeTurnGate(voice),  # type: ignore[arg-type]
                             acknowledgements=("Okay.",))
    async with AgentSession(llm=PolicyLLM(conductor=conductor), vad=None) as session:
        await session.start(agent)
        agent._answer_stopped_at = time.time()  # the last word: now
        with pytest.raises(StopResponse):
            await agent.on_user_turn_completed(llm.ChatContext.empty(), llm.ChatMessage(role="user", content=[text]))
        # the voice was asked after 0.45 s of quiet (VOICE_QUIET_S): no "Okay." yet
        assert agent.hold_reasons == [reason] and agent.acks_said == 0
        agent._answer_stopped_at = time.time()  # count the quiet from here: the timings below stay clear of load
        await asyncio.sleep(0.3)
        assert agent.acks_said == 0  # 0.3 s of quiet: still none
        for _ in range(40):
            if agent.acks_said:
                break
            await asyncio.sleep(0.025)
        assert agent.acks_said == 1 and agent.hold.acknowledged  # once the quiet reached 0.9 s
        assert time.time() - agent._answer_stopped_at >= 0.9
        while time.time() - agent._answer_stopped_at < reply_after_s - 0.1:
            assert not [t for t in conductor.turns if t.source == "answer"]  # not before its quiet
            await asyncio.sleep(0.05)
        assert await _answered_after(conductor, 3.0) == [text]
        assert time.time() - agent._answer_stopped_at >= reply_after_s
    assert agent.acks_taken_back == 0
    await conductor.aclose()


@pytest.mark.parametrize("voice,text,reason", [
    (False, "Uptime, mostly.", "short"),  # thin words the voice doubts too
    (True, LONG_DONE.rstrip(".") + ", and", "trailing"),  # words that stop mid-phrase, however done the voice sounds
])
async def test_words_held_for_more_than_one_doubt_get_no_okay_however_long_the_quiet(store, voice, text, reason):
    import time

    from livekit.agents import StopResponse

    conductor = conductor_for(_doubting_persona_bank(), store)
    await conductor.start()
    agent = InterviewerAgent(conductor=conductor, turn_gate=FakeTurnGate(voice),  # type: ignore[arg-type]
                             acknowledgements=("Okay.",))
    async with AgentSession(llm=PolicyLLM(conductor=conductor), vad=None) as session:
        await session.start(agent)
        agent._answer_stopped_at = time.time()
        with pytest.raises(StopResponse):
            await agent.on_user_turn_completed(llm.ChatContext.empty(), llm.ChatMessage(role="user", content=[text]))
        assert await _answered_after(conductor, 3.0) == [text]  # after the long quiet, as it stands
    assert agent.hold_reasons == [reason] and agent.acks_said == 0
    await conductor.aclose()


def test_a_late_okay_must_fall_between_the_first_ask_and_the_reply():
    from pydantic import ValidationError

    from agent.content.models import TurnTaking

    TurnTaking(mode="two-gate", min_endpointing_delay_s=0.3, max_endpointing_delay_s=2.0, reply_after_ack_s=1.8,
               ack_after_doubt_s=0.9)
    for late in (0.2, 1.9):
        with pytest.raises(ValidationError, match="ack_after_doubt_s"):
            TurnTaking(mode="two-gate", min_endpointing_delay_s=0.3, max_endpointing_delay_s=2.0,
                       reply_after_ack_s=1.8, ack_after_doubt_s=late)
