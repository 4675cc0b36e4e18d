"""A long sentence does not leave a Piper voice holding its memory (agent.speech._onnx).

Without the shrinking session, onnxruntime's arena kept what the longest
sentence needed: about +1.1 GB resident for the sentence below, for the life
of the process. The bound here is loose (a fifth of that); the soak benchmark
(``python -m bench.soak``) measures the real figure.
"""

from __future__ import annotations

from pathlib import Path

import pytest

pytestmark = pytest.mark.integration

LONG = ", and ".join(["the share of eligible work that has moved onto the platform"] * 12) + "."


def _resident_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS in /proc/self/status")


def test_a_long_sentence_gives_its_memory_back() -> None:
    from agent.speech._onnx import ShrinkingSession
    from agent.speech.loader import load_voice

    voice, _ = load_voice()
    assert isinstance(voice.session, ShrinkingSession)
    list(voice.synthesize("A short sentence first, so the arena has its first block."))
    before = _resident_mb()
    audio = [chunk.audio_int16_bytes for chunk in voice.synthesize(LONG)]
    after = _resident_mb()
    assert sum(len(a) for a in audio) > 2 * 22_050 * 20  # it really rendered some 40 s of speech
    assert after - before < 220, f"resident memory grew {after - before:.0f} MB and stayed"
