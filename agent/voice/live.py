"""``interviewer practice`` with the local microphone and speakers.

The same ``VoiceRound`` as every other front end, with a sounddevice
microphone and loudspeaker as its audio input and output. A machine without
PortAudio or without an input/output device gets one clear line and exit
code 1, pointing at the two ways that need no sound card here: ``--text``,
or the browser (``interviewer serve --dev``).

Use headphones: without echo cancellation the microphone hears the
interviewer, and the framework only ignores that for its echo warm-up.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import threading
import time
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


async def _live_round(args: argparse.Namespace, sd: Any) -> int:
    from agent.commands._common import load_content, open_store, persona_of
    from agent.commands.practice import round_request
    from agent.session import start_round, write_round_report
    from agent.voice.session_factory import load_models
    from agent.voice.voice_round import VoiceRound

    bank = load_content()
    persona = persona_of(bank, args.persona)
    request = round_request(args, mode="voice")
    models = load_models(stt_model=getattr(args, "stt_model", "tiny.en"),
                         voice=getattr(args, "voice", None) or persona.voice.name,
                         speaking_rate=persona.voice.rate)
    store = open_store(args)
    loop = asyncio.get_running_loop()
    mic = MicrophoneInput(sd, loop)
    speaker = SpeakerOutput(sd)
    try:
        logged = start_round(bank, store, request, clock=time.monotonic)
        print(f"Round {logged.round.meta.round_id} with {persona.name}. Speak when the question ends; "
              "Ctrl-C stops the round (headphones recommended).", flush=True)
        mic.start()
        speaker.start()
        vr = await VoiceRound.start(logged, models, audio_input=mic, audio_output=speaker)
        vr.conductor.on_turn(lambda e: print(f"interviewer> {e.interviewer_text}", flush=True)
                            if e.interviewer_text else None)
        try:
            await vr.wait_closed()
        except (KeyboardInterrupt, asyncio.CancelledError):
            await vr.stop("stopped", say_wrap_up=False)
        card = logged.scorecard()
        path = write_round_report(card, "html")
        print(f"round {card.round_id} report: {path}")
        return 0
    finally:
        mic.close()
        speaker.close()
        await speaker.aclose()
        store.close()


def run_live_practice(args: argparse.Namespace) -> int:
    """Entry for ``interviewer practice`` without ``--text``; 1 with one line when there is no sound card."""
    try:
        sd = check_audio_devices()
    except NoAudioDevice as exc:
        print(f"interviewer practice: cannot use a microphone here: {exc}; {NO_DEVICE_HINT}", file=sys.stderr)
        return 1
    try:
        return asyncio.run(_live_round(args, sd))
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
