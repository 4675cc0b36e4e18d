"""Candidate audio as people have it: 24-bit and float WAV (sox's extensible header), FLAC and MP3.

The files are made with sox and libsndfile from flite speech, read through
``read_audio_16k`` and played through a real simulated round (faster-whisper
hears them); a file that is not audio is one line naming it.
"""

from __future__ import annotations

import struct
import subprocess
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from tests.fakes.voice import fake_bank, say, write_wav

pytestmark = pytest.mark.integration

LINES = {
    "01-24bit.wav": "We would track uptime and the number of integrations.",
    "02-float.wav": "I would ask the consuming teams what job they need done.",
    "03-answer.flac": "Then I would measure the time to integrate for a new team.",
    "04-answer.mp3": "And the share of their use cases that moved onto the platform.",
}


def _wav_format_tag(path: Path) -> int:
    data = path.read_bytes()
    at = data.index(b"fmt ") + 8
    return struct.unpack("<H", data[at : at + 2])[0]


@pytest.fixture
def answers_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "answers"
    folder.mkdir()
    for name, text in LINES.items():
        plain = write_wav(tmp_path / f"plain-{name}.wav", say(text))
        target = folder / name
        if name.endswith("24bit.wav"):
            subprocess.run(["sox", "-D", str(plain), "-b", "24", "-r", "44100", str(target)], check=True, timeout=60)
        elif name.endswith("float.wav"):
            subprocess.run(["sox", "-D", str(plain), "-e", "floating-point", "-b", "32", "-c", "2", str(target)],
                           check=True, timeout=60)
        elif name.endswith(".flac"):
            subprocess.run(["sox", "-D", str(plain), "-r", "22050", str(target)], check=True, timeout=60)
        else:
            pcm, rate = sf.read(str(plain), dtype="float32")
            sf.write(str(target), pcm, rate, format="MP3")
    return folder


def test_every_format_reads_as_16k_mono(answers_dir: Path):
    from agent.voice.sim_io import read_audio_16k

    assert _wav_format_tag(answers_dir / "01-24bit.wav") == 0xFFFE  # WAVE_FORMAT_EXTENSIBLE, as sox writes it
    for name in LINES:
        pcm = read_audio_16k(answers_dir / name)
        assert pcm.dtype == np.int16 and 1.5 * 16000 < pcm.size < 8 * 16000, name
        assert np.abs(pcm.astype(np.int32)).max() > 2000, name  # speech, not silence or noise floor


def test_a_file_that_is_not_audio_is_one_line_naming_it(tmp_path: Path):
    from agent.devtools.simulated_round import SimulationError, load_audio_dir

    folder = tmp_path / "answers"
    folder.mkdir()
    (folder / "notes.wav").write_text("these are my notes, not a recording\n", encoding="utf-8")
    with pytest.raises(SimulationError) as err:
        load_audio_dir(folder)
    message = str(err.value)
    assert "\n" not in message and "notes.wav" in message and "WAV" in message


async def test_a_round_hears_every_format(answers_dir: Path, tmp_path: Path):
    from agent.devtools.simulated_round import load_audio_dir, run_simulation
    from agent.report.retention import Retention
    from agent.session import ReportOutputs, RoundRequest
    from agent.store import Store
    from agent.voice.session_factory import load_models

    bank = fake_bank(turn_taking={"silence_nudge_s": 3.0, "absence_end_s": 30.0})
    answers = load_audio_dir(answers_dir)
    assert [a.label for a in answers] == list(LINES)
    store = Store(f"sqlite:///{tmp_path / 'rounds.db'}")
    try:
        result = await run_simulation(
            bank, store, RoundRequest(persona_id="fake-persona", question_ids=("fake-metrics",), mode="simulate"),
            answers, models=load_models(), playback_speed=4.0, outputs=ReportOutputs(tmp_path / "data", Retention()),
        )
    finally:
        store.close()
    heard = [(t["heard"] or "").lower() for t in result.turns if t["source"] == "answer"]
    joined = " ".join(heard)
    for needle in ("integrations", "consuming", "new team", "platform"):
        assert needle in joined, (needle, heard)
