"""Turn-taking with real models and a simulated candidate: barge-in, backchannels, pauses, failures.

Every round here runs through the full pipeline (virtual microphone, VAD,
Whisper, the interview core, Piper, a virtual loudspeaker) in real time.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import numpy as np
import pytest

from tests.fakes.voice import (
    FakeFailingSTT,
    FakeFailingTTS,
    fake_bank,
    say,
    silence,
)

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def models():
    from agent.voice.session_factory import load_models

    return load_models()


@pytest.fixture
def store(tmp_path: Path):
    from agent.store import Store

    s = Store(f"sqlite:///{tmp_path / 'rounds.db'}")
    yield s
    s.close()


def request_for(bank):
    from agent.session import RoundRequest

    return RoundRequest(persona_id="fake-persona", question_ids=("fake-metrics",), mode="simulate")


async def wait_for(predicate, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        await asyncio.sleep(0.05)
    return False


async def test_barge_in_stops_the_interviewer(models, store):
    from agent.devtools.simulated_round import SimulatedRound

    bank = fake_bank()
    async with SimulatedRound(bank, store, request_for(bank), models=models) as sim:
        speaker = sim.speaker
        # wait until the opening is audibly playing, then talk over it
        assert await wait_for(lambda: speaker.segments and speaker.segments[0].started_at, 20)
        await asyncio.sleep(0.3)
        turns_before = len(sim.turns)
        clip = sim.mic.play(say("Sorry, could you repeat the question please?"), "barge-in")
        await clip.done
        segments_before = len(speaker.segments)
        assert await sim.candidate.wait_reply(turns_before, segments_before, 10)
        await sim.candidate.wait_idle(30)
        cut = [s for s in speaker.segments if s.interrupted]
        assert cut, "the interviewer kept talking over the candidate"
        # the interviewer went quiet soon after the candidate started: paused by the VAD, then stopped
        assert speaker.pause_count >= 1
        went_quiet = cut[0].last_audio_at - clip.started_at
        assert went_quiet < 1.5, f"still talking {went_quiet:.2f} s after the candidate started"
        answers = [t for t in sim.turns if t.source == "answer"]
        assert answers and "repeat" in (answers[0].heard or "").lower()
        assert answers[0].interviewer_text  # and the barge-in was answered
    _meta, status, turns = store.get_round(sim.logged.round.meta.round_id)
    assert turns and status in ("completed", "interrupted")


async def test_backchannel_is_a_false_interruption_and_the_interviewer_resumes(models, store):
    from agent.devtools.simulated_round import SimulatedRound

    bank = fake_bank()
    async with SimulatedRound(bank, store, request_for(bank), models=models) as sim:
        speaker = sim.speaker
        assert await wait_for(lambda: speaker.segments and speaker.segments[0].started_at, 20)
        await asyncio.sleep(0.2)
        turns_before = len(sim.turns)
        clip = sim.mic.play(say("Mm hmm."), "backchannel")
        await clip.done
        await sim.candidate.wait_idle(30)
        assert not [t for t in sim.turns[turns_before:] if t.source == "answer"], "a backchannel became an answer"
        assert not any(s.interrupted for s in speaker.segments), "the backchannel cut the interviewer off"
        # if the VAD heard it long enough to pause, the interviewer resumed afterwards
        assert speaker.resume_count >= speaker.pause_count
        assert sim.vr.agent.backchannels_ignored >= 1 or speaker.pause_count == 0
        opening = sim.turns[0].interviewer_text
        assert opening and sim.turns[0].interrupted is False


async def test_thinking_pause_inside_an_answer_is_not_cut_off(models, store):
    from agent.devtools.simulated_round import Answer, SimulatedRound

    bank = fake_bank()  # VAD turn detection, 0.8 s minimum endpointing delay
    first = say("For a platform I would start with the teams that depend on it, and then")
    second = say("I would look at how long a new team needs to ship its first feature.")
    answer = np.concatenate([first, silence(1.5), second])
    async with SimulatedRound(bank, store, request_for(bank), models=models, playback_speed=3.0) as sim:
        await sim.opening()
        spoken_before = len(sim.speaker.segments)
        await sim.candidate.say(Answer("paused", answer))
        answers = [t for t in sim.turns if t.source == "answer"]
        assert len(answers) == 1, [a.heard for a in answers]
        heard = (answers[0].heard or "").lower()
        assert "depend" in heard and "first feature" in heard
        # the interviewer did not start speaking during the pause
        pause_start = sim.mic.played[-1].started_at + first.size / 16000
        pause_end = pause_start + 1.5
        assert not [s for s in sim.speaker.segments[spoken_before:]
                    if s.started_at and pause_start < s.started_at < pause_end + 1.0]


async def test_stt_failure_mid_round_gets_an_apology_and_the_round_goes_on(models, store):
    from agent.devtools.simulated_round import Answer, SimulatedRound
    from agent.speech.segmented import SegmentedWhisperSTT

    bank = fake_bank()
    whisper = FakeFailingSTT()
    stt = SegmentedWhisperSTT(stt=whisper, vad=models.vad)
    async with SimulatedRound(bank, store, request_for(bank), models=models, stt_override=stt,
                              playback_speed=3.0) as sim:
        await sim.opening()
        whisper.arm()
        await sim.candidate.say(Answer("lost", say("We would track uptime and the number of integrations.")))
        assert whisper.failures == 1
        assert await wait_for(lambda: sim.vr.supervisor.apologies >= 1, 5)
        await sim.candidate.wait_idle(30)
        await sim.candidate.say(Answer("again", say("We would track uptime and the number of integrations.")))
        answers = [t for t in sim.turns if t.source == "answer"]
        assert answers and answers[-1].action == "probe"
        assert not sim.vr.supervisor.closed.is_set() or sim.vr.done


async def test_tts_failure_mid_round_gets_an_apology_and_the_line_again(models, store):
    from agent.devtools.simulated_round import Answer, SimulatedRound

    bank = fake_bank()
    failing = FakeFailingTTS(models.tts)
    async with SimulatedRound(bank, store, request_for(bank), models=models, tts_override=failing,
                              cache_options={"prewarm_enabled": False}, playback_speed=3.0) as sim:
        await sim.opening()
        failing.arm()
        await sim.candidate.say(Answer("weak", say("We would track uptime and the number of integrations.")))
        assert failing.failures == 1
        assert await wait_for(lambda: sim.vr.supervisor.apologies >= 1, 5)
        await sim.candidate.wait_idle(30)
        apology = [t for t in sim.turns if t.source == "apology"]
        probe = [t for t in sim.turns if t.source == "answer"][-1]
        assert apology and probe.interviewer_text in apology[0].interviewer_text  # the lost probe, said again
        # the round goes on: the next answer is heard and answered
        await sim.candidate.say(Answer("more", say("I would ask the consuming teams about the job to be done.")))
        assert len([t for t in sim.turns if t.source == "answer"]) == 2
