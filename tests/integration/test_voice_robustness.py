"""Bad candidate audio neither crashes a round nor loses it: the report is still written.

One simulated round through ``run_simulation`` with a folder of WAVs:
speech, silence, noise, clipped speech, an 8 kHz stereo file and a
zero-length file, in that order (each hard case followed by speech).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tests.fakes.voice import fake_bank, say, silence, to_8k_stereo, write_wav

pytestmark = pytest.mark.integration


@pytest.fixture
def answers_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "answers"
    folder.mkdir()
    rng = np.random.default_rng(7)
    write_wav(folder / "01-speech.wav", say("We would track uptime and the number of integrations."))
    write_wav(folder / "02-silence.wav", silence(2.0))
    write_wav(folder / "03-noise.wav", (rng.normal(0, 2500, 16000 * 2)).clip(-32768, 32767).astype(np.int16))
    loud = say("I would ask the consuming teams what job they need done.").astype(np.int32) * 4
    write_wav(folder / "04-clipped.wav", loud.clip(-32768, 32767).astype(np.int16))
    plain = write_wav(tmp_path / "plain.wav", say("Then I would measure the time to integrate for a new team."))
    to_8k_stereo(plain, folder / "05-8k-stereo.wav")
    write_wav(folder / "06-empty.wav", np.zeros(0, dtype=np.int16))
    return folder


async def test_hard_audio_does_not_crash_or_lose_the_round(answers_dir: Path, tmp_path: Path):
    from agent.devtools.simulated_round import load_audio_dir, run_simulation
    from agent.report.retention import Retention
    from agent.session import ReportOutputs, RoundRequest
    from agent.store import Store
    from agent.voice.session_factory import load_models

    bank = fake_bank(turn_taking={"silence_nudge_s": 3.0, "absence_end_s": 30.0})
    answers = load_audio_dir(answers_dir)
    assert [a.label for a in answers][0] == "01-speech.wav" and answers[-1].pcm.size == 0
    store = Store(f"sqlite:///{tmp_path / 'rounds.db'}")
    try:
        result = await run_simulation(
            bank, store, RoundRequest(persona_id="fake-persona", question_ids=("fake-metrics",), mode="simulate"),
            answers, models=load_models(), playback_speed=4.0, json_out=tmp_path / "turns.json",
            outputs=ReportOutputs(tmp_path / "data", Retention()),
            wav_out=tmp_path / "round.wav",
        )
        heard = " ".join((t["heard"] or "") for t in result.turns if t["source"] == "answer").lower()
        assert "uptime" in heard or "integrations" in heard
        assert "consuming" in heard or "need done" in heard  # the clipped answer was still understood
        assert "integrate" in heard  # the 8 kHz stereo answer too
        assert result.report is not None and result.report.exists()
        assert (tmp_path / "turns.json").exists() and (tmp_path / "round.wav").stat().st_size > 44
        _meta, status, turns = store.get_round(result.round_id)
        assert status in ("completed", "interrupted") and len(turns) >= 4
    finally:
        store.close()
