"""Fakes for the voice integration tests: failure-injecting plugins, a hermetic bank, candidate audio.

The speech models are real; the fakes only wrap them to fail once on demand.
Content is the hermetic fake bank from the unit tests (the voice mechanics do
not depend on the shipped wording), except where a test says otherwise.
"""

from __future__ import annotations

import subprocess
import types
from pathlib import Path

import numpy as np
from livekit.agents import APIConnectOptions, APIError, tts
from livekit.agents.types import DEFAULT_API_CONNECT_OPTIONS

from agent.devtools.simulated_round import flite_pcm
from agent.speech.stt import FasterWhisperSTT
from tests.fakes.content import FAKE_LEXICON, fake_persona, fake_question

RATE = 16000


class FakeFailingSTT(FasterWhisperSTT):
    """The real Whisper plugin, except that the first decode after ``arm()`` raises an APIError."""

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.armed = False
        self.failures = 0

    def arm(self) -> None:
        self.armed = True

    async def transcribe_buffer(self, buffer, *, language=None, deadline_s=None):  # noqa: ANN001, ANN201
        if self.armed:
            self.armed = False
            self.failures += 1
            raise APIError("injected recognition failure", retryable=False)
        return await super().transcribe_buffer(buffer, language=language, deadline_s=deadline_s)


class _FailingStream(tts.ChunkedStream):
    async def _run(self, output_emitter: tts.AudioEmitter) -> None:
        raise APIError("injected synthesis failure", retryable=False)


class FakeFailingTTS(tts.TTS):
    """Wraps the real Piper plugin; the first synthesis after ``arm()`` fails."""

    def __init__(self, wrapped: tts.TTS) -> None:
        super().__init__(capabilities=tts.TTSCapabilities(streaming=False), sample_rate=wrapped.sample_rate,
                         num_channels=wrapped.num_channels)
        self.wrapped = wrapped
        self.armed = False
        self.failures = 0

    @property
    def model(self) -> str:
        return self.wrapped.model

    def arm(self) -> None:
        self.armed = True

    def synthesize(self, text: str, *, conn_options: APIConnectOptions = DEFAULT_API_CONNECT_OPTIONS):  # noqa: ANN201
        if self.armed:
            self.armed = False
            self.failures += 1
            return _FailingStream(tts=self, input_text=text, conn_options=conn_options)
        return self.wrapped.synthesize(text, conn_options=conn_options)


def fake_bank(**persona_overrides: object) -> types.SimpleNamespace:
    q = fake_question()
    overrides: dict[str, object] = {"default_minutes": 10}
    overrides.update(persona_overrides)
    p = fake_persona(**overrides)
    return types.SimpleNamespace(personas={p.id: p}, questions={q.id: q}, lexicon=FAKE_LEXICON)


def say(text: str) -> np.ndarray:
    """The candidate's voice (flite slt), 16 kHz mono int16."""
    return flite_pcm(text)


def silence(seconds: float) -> np.ndarray:
    return np.zeros(int(RATE * seconds), dtype=np.int16)


def write_wav(path: Path, pcm: np.ndarray, rate: int = RATE, channels: int = 1) -> Path:
    import wave

    with wave.open(str(path), "wb") as w:
        w.setnchannels(channels)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(np.asarray(pcm, dtype=np.int16).tobytes())
    return path


def to_8k_stereo(src: Path, dst: Path) -> Path:
    subprocess.run(["sox", "-D", str(src), "-r", "8000", "-c", "2", str(dst)], check=True, timeout=60)
    return dst
