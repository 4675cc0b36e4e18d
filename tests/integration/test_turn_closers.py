"""Saying "that's my answer" ends the turn at once in a real simulated round; the same words mid-answer do not.

A flite candidate speaks into the full pipeline (VAD, faster-whisper, the
policy, Piper). With a persona that waits 3 s of silence before answering,
an answer ending on a closer is replied to long before that wait would end;
the closer's words are not part of what the core judges.
"""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest

from tests.fakes.voice import fake_bank

pytestmark = pytest.mark.integration

LONG_WAIT_S = 3.0


@contextlib.asynccontextmanager
async def _long_wait_round(tmp_path: Path, monkeypatch):
    """A started simulated round whose persona waits 3 s of silence before answering."""
    from agent.devtools.simulated_round import SimulatedRound
    from agent.session import RoundRequest
    from agent.store import Store
    from agent.voice.session_factory import load_models

    monkeypatch.setenv("INTERVIEWER_DATA_DIR", str(tmp_path / "data"))
    bank = fake_bank(turn_taking={"min_endpointing_delay_s": LONG_WAIT_S, "max_endpointing_delay_s": 4.0,
                                  "silence_nudge_s": 8.0, "absence_end_s": 30.0})
    store = Store(f"sqlite:///{tmp_path / 'rounds.db'}")
    try:
        request = RoundRequest(persona_id="fake-persona", question_ids=("fake-metrics",), mode="simulate")
        async with SimulatedRound(bank, store, request, models=load_models(), playback_speed=4.0) as sim:
            await sim.opening()
            yield sim
    finally:
        store.close()


async def _round(tmp_path: Path, monkeypatch, *texts: str):
    from agent.devtools.simulated_round import Answer, flite_pcm

    async with _long_wait_round(tmp_path, monkeypatch) as sim:
        for i, text in enumerate(texts):
            await sim.candidate.say(Answer(f"a{i}", flite_pcm(text), text))
        closed = sim.vr.agent.closer_commits
    return closed, [t for t in sim.turns if t.source == "answer"]


async def test_a_closer_at_the_end_gets_a_reply_without_the_silence_wait(tmp_path, monkeypatch):
    closed, answers = await _round(tmp_path, monkeypatch,
                                   "We would track uptime and the number of integrations. That's my answer.")
    assert closed == 1
    (first,) = answers[:1]
    assert first.interviewer_text and first.action == "probe"
    assert "my answer" not in (first.heard or "").lower() and "integrations" in (first.heard or "").lower()
    waited = first.measured.get("speech_end_to_first_audio")
    assert waited is not None and waited < LONG_WAIT_S, first.measured  # the 3 s wait was skipped


async def test_a_closer_inside_an_answer_does_not_end_it(tmp_path, monkeypatch):
    closed, answers = await _round(tmp_path, monkeypatch,
                                   "That's my answer for the first part, and the second part is the time to "
                                   "integrate for a new team.")
    assert closed == 0
    assert answers and "time to integrate" in (answers[0].heard or "").lower()


async def test_pressing_done_after_an_answer_gets_a_reply_without_the_silence_wait(tmp_path, monkeypatch):
    """What the page's Done button and space bar do in the worker, in a real simulated round."""
    from agent.devtools.simulated_round import Answer, flite_pcm

    text = "We would track uptime and the number of integrations."
    async with _long_wait_round(tmp_path, monkeypatch) as sim:
        await sim.candidate.say(Answer("a0", flite_pcm(text), text), press_done=True)
    answers = [t for t in sim.turns if t.source == "answer"]
    assert len(answers) == 1 and answers[0].action == "probe"
    waited = answers[0].measured.get("speech_end_to_first_audio")
    assert waited is not None and waited < LONG_WAIT_S, answers[0].measured  # the 3 s wait was skipped
