"""The local microphone and speakers as a voice session's audio input and output.

The same ``VoiceRound`` runs behind every front end; ``interviewer practice``
without ``--text`` hands it these sounddevice streams. A machine without
PortAudio or without an input/output device raises ``NoAudioDevice`` with one
readable reason, so the command can point at the two ways that need no sound
card here (``NO_DEVICE_HINT``).

Use headphones: without echo cancellation the microphone hears the
interviewer, and the framework only ignores that for its echo warm-up.
"""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import numpy as np
from livekit import rtc
from livekit.agents.voice import io

from agent.voice.sim_io import VirtualSpeaker

MIC_RATE = 16000
SPEAKER_RATE = 24000
BLOCK_MS = 20
MAX_QUEUED_BLOCKS = 100  # two seconds; older audio is dropped if the loop ever stalls that long
NO_DEVICE_HINT = "use --text to type your answers, or the browser: interviewer serve --dev"


class NoAudioDevice(Exception):
    """No PortAudio library, or no usable input/output device."""


def check_audio_devices() -> Any:
    """Return the sounddevice module once an input and an output device are known to exist."""
    try:
        import sounddevice as sd
    except (OSError, ImportError) as exc:  # the PortAudio shared library is missing
        raise NoAudioDevice(f"no PortAudio library ({exc})") from None
    try:
        sd.query_devices(kind="input")
        sd.query_devices(kind="output")
    except Exception as exc:  # noqa: BLE001 - sounddevice raises PortAudioError or ValueError
        raise NoAudioDevice(f"no microphone or speaker found ({exc})") from None
    return sd


class MicrophoneInput(io.AudioInput):
    """Frames from a sounddevice input stream, handed to the event loop thread-safely."""

    def __init__(self, sd: Any, loop: asyncio.AbstractEventLoop) -> None:
        super().__init__(label="microphone")
        self._loop = loop
        self._queue: asyncio.Queue[rtc.AudioFrame] = asyncio.Queue(maxsize=MAX_QUEUED_BLOCKS)
        blocksize = MIC_RATE * BLOCK_MS // 1000
        self._stream = sd.InputStream(samplerate=MIC_RATE, channels=1, dtype="int16", blocksize=blocksize,
                                      callback=self._callback)

    def _callback(self, indata: np.ndarray, frames: int, _time: Any, _status: Any) -> None:
        frame = rtc.AudioFrame(indata.copy().tobytes(), MIC_RATE, 1, frames)
        self._loop.call_soon_threadsafe(self._put, frame)

    def _put(self, frame: rtc.AudioFrame) -> None:
        if self._queue.full():
            self._queue.get_nowait()
        self._queue.put_nowait(frame)

    def start(self) -> None:
        self._stream.start()

    def close(self) -> None:
        self._stream.stop()
        self._stream.close()

    async def __anext__(self) -> rtc.AudioFrame:
        return await self._queue.get()


class SpeakerOutput(VirtualSpeaker):
    """The virtual speaker's clock, with every played frame also sent to the sound card."""

    def __init__(self, sd: Any) -> None:
        super().__init__(speed=1.0, label="speakers", keep_audio=False)
        self._sample_rate = SPEAKER_RATE  # the session resamples the voice to this rate
        self._pending = bytearray()
        self._lock = threading.Lock()
        self._stream = sd.RawOutputStream(samplerate=SPEAKER_RATE, channels=1, dtype="int16",
                                          blocksize=SPEAKER_RATE * BLOCK_MS // 1000, callback=self._callback)

    def _callback(self, outdata: Any, frames: int, _time: Any, _status: Any) -> None:
        need = frames * 2
        with self._lock:
            chunk = bytes(self._pending[:need])
            del self._pending[:need]
        outdata[: len(chunk)] = chunk
        if len(chunk) < need:
            outdata[len(chunk):] = b"\x00" * (need - len(chunk))

    def _played(self, frame: rtc.AudioFrame) -> None:
        with self._lock:
            self._pending += frame.data.tobytes()

    def clear_buffer(self) -> None:
        super().clear_buffer()
        with self._lock:
            self._pending.clear()

    def start(self) -> None:
        self._stream.start()

    def close(self) -> None:
        self._stream.stop()
        self._stream.close()
