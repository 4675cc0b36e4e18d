"""A virtual microphone and loudspeaker, so a whole round runs with no server and no sound card.

``ScriptedMicrophone`` behaves like a real microphone: it delivers 20 ms
frames at the pace of a real clock, silence when nobody talks, and the
candidate's recorded answer when :meth:`ScriptedMicrophone.play` is called.
Real-time pacing is what makes the latency figures honest: the VAD, the
endpointing timers and the decoder all see audio arrive as it would from a
person.

``VirtualSpeaker`` plays the interviewer's audio against a clock (real time,
or faster with ``speed`` when latency is not being measured), reports
playback started and finished to the session, and supports pause/resume,
without which a false interruption would silence the interviewer for good.
Both keep a timeline, so the simulation can measure "end of the candidate's
speech to the interviewer's first sound" from the audio itself and write a
stereo recording of the round.
"""

from __future__ import annotations

import asyncio
import time
import wave
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from livekit import rtc
from livekit.agents.voice import io

from agent.speech._audio import resample_int16

RATE = 16000
FRAME_MS = 20
SAMPLES = RATE * FRAME_MS // 1000
SPEECH_LEVEL = 500  # int16 amplitude above which a 20 ms window counts as sound (about -36 dBFS)


def to_mono_16k(pcm: np.ndarray, rate: int, channels: int) -> np.ndarray:
    """Any int16 PCM (interleaved) -> mono 16 kHz int16, using LiveKit's resampler."""
    if pcm.size == 0:
        return np.zeros(0, dtype=np.int16)
    if channels > 1:
        pcm = pcm[: pcm.size - pcm.size % channels].reshape(-1, channels).astype(np.int32).mean(axis=1)
        pcm = pcm.astype(np.int16)
    return resample_int16(pcm.astype(np.int16), rate, RATE)


# What candidate audio may be: libsndfile reads these (and more); the simulator looks for these suffixes.
AUDIO_SUFFIXES = (".wav", ".flac", ".ogg", ".mp3")


class AudioFormatError(ValueError):
    """A file libsndfile cannot read: the message names the file and what it seems to be."""


def read_audio_16k(path: Path) -> np.ndarray:
    """Read any audio libsndfile understands as mono 16 kHz int16.

    WAV in every variant people have (8-32-bit integer, 32/64-bit float, the
    extensible header sox writes for 24- and 32-bit files), FLAC, OGG/Vorbis and
    MP3 all come through the ``soundfile`` wheel's bundled libsndfile; the
    result is resampled like any other input (soxr, no dither).
    """
    import soundfile as sf

    try:
        # read as float: libsndfile does not scale a float file into integers (0.5 would read as 0)
        data, rate = sf.read(str(path), dtype="float32", always_2d=True)
    except sf.LibsndfileError as exc:
        kind = path.suffix.lstrip(".").upper() or "no suffix"
        raise AudioFormatError(f"{path}: not audio this program can read ({kind}: {exc.error_string})") from None
    pcm = np.rint(np.clip(data, -1.0, 32767 / 32768) * 32768).astype(np.int16).reshape(-1)
    return to_mono_16k(pcm, int(rate), int(data.shape[1]))


def read_wav_16k(path: Path) -> np.ndarray:
    """Kept for callers that name WAV: the same reader as ``read_audio_16k``."""
    return read_audio_16k(path)


def speech_bounds(pcm: np.ndarray, rate: int = RATE) -> tuple[float, float] | None:
    """Start and end (seconds) of the part louder than SPEECH_LEVEL, or None for silence."""
    n = rate * FRAME_MS // 1000
    if pcm.size < 1:
        return None
    windows = pcm[: pcm.size - pcm.size % n].reshape(-1, n) if pcm.size >= n else pcm.reshape(1, -1)
    loud = np.flatnonzero(np.abs(windows.astype(np.int32)).max(axis=1) > SPEECH_LEVEL)
    if loud.size == 0:
        return None
    return loud[0] * n / rate, (loud[-1] + 1) * n / rate


@dataclass
class Clip:
    """One candidate turn being played into the microphone."""

    pcm: np.ndarray
    label: str
    done: asyncio.Future[None]
    pos: int = 0
    started_at: float | None = None  # wall clock (time.time()) of the first sample delivered
    speech_end_at: float | None = None  # wall clock when the last loud sample was delivered
    bounds: tuple[float, float] | None = None


class ScriptedMicrophone(io.AudioInput):
    """A microphone whose speaker is a list of recordings (see module docstring)."""

    def __init__(self, *, label: str = "scripted-candidate") -> None:
        super().__init__(label=label)
        self._queue: deque[Clip] = deque()
        self._next_t: float | None = None
        self._closed = False
        self._silence = np.zeros(SAMPLES, dtype=np.int16)
        self.timeline: list[tuple[float, str, float, float]] = []  # (wall start, label, seconds, speech end)
        self.played: list[Clip] = []

    def play(self, pcm: np.ndarray, label: str = "") -> Clip:
        """Queue mono 16 kHz int16 audio; ``clip.done`` resolves once the last sample was delivered."""
        clip = Clip(pcm=np.asarray(pcm, dtype=np.int16), label=label,
                    done=asyncio.get_running_loop().create_future(), bounds=speech_bounds(pcm))
        if clip.pcm.size == 0:
            clip.started_at = clip.speech_end_at = time.time()
            clip.done.set_result(None)
            self.played.append(clip)
            return clip
        self._queue.append(clip)
        return clip

    @property
    def busy(self) -> bool:
        return bool(self._queue)

    def close(self) -> None:
        self._closed = True

    async def __anext__(self) -> rtc.AudioFrame:
        if self._closed:
            raise StopAsyncIteration
        loop = asyncio.get_running_loop()
        now = loop.time()
        if self._next_t is None or now - self._next_t > 1.0:
            self._next_t = now  # never burst more than a second of backlog
        delay = self._next_t - now
        if delay > 0:
            await asyncio.sleep(delay)
        self._next_t += FRAME_MS / 1000.0
        return self._frame()

    def _frame(self) -> rtc.AudioFrame:
        if not self._queue:
            return rtc.AudioFrame(self._silence.tobytes(), RATE, 1, SAMPLES)
        clip = self._queue[0]
        now = time.time()
        if clip.started_at is None:
            clip.started_at = now
            self.timeline.append((now, clip.label, clip.pcm.size / RATE,
                                  clip.bounds[1] if clip.bounds else 0.0))
        chunk = clip.pcm[clip.pos : clip.pos + SAMPLES]
        clip.pos += chunk.size
        if clip.bounds is not None and clip.speech_end_at is None and clip.pos / RATE >= clip.bounds[1]:
            clip.speech_end_at = now + FRAME_MS / 1000.0
        if chunk.size < SAMPLES:
            chunk = np.concatenate([chunk, self._silence[: SAMPLES - chunk.size]])
        if clip.pos >= clip.pcm.size:
            self._queue.popleft()
            self.played.append(clip)
            if clip.speech_end_at is None:
                clip.speech_end_at = now
            if not clip.done.done():
                clip.done.set_result(None)
        return rtc.AudioFrame(chunk.tobytes(), RATE, 1, SAMPLES)


@dataclass
class Segment:
    """One interviewer playback segment as the virtual speaker played it."""

    captured_at: float
    started_at: float | None = None  # wall clock of the first sample played
    finished_at: float | None = None
    interrupted: bool = False
    played_s: float = 0.0
    last_audio_at: float | None = None  # wall clock when the last played frame ends
    chunks: list[tuple[float, bytes, int]] = field(default_factory=list)  # (wall time, pcm, rate)


class VirtualSpeaker(io.AudioOutput):
    """A loudspeaker driven by a clock; ``speed`` > 1 plays faster than real time.

    ``realtime_s``: the first seconds of every segment play at real speed
    whatever ``speed`` says, so a short acknowledgement ("Okay.") lasts as
    long as it would for a person, and what waits for it to end is timed
    as in a real round.
    """

    def __init__(self, *, speed: float = 1.0, label: str = "virtual-speaker", keep_audio: bool = True,
                 realtime_s: float = 0.0) -> None:
        super().__init__(label=label, capabilities=io.AudioOutputCapabilities(pause=True), sample_rate=None)
        if speed <= 0:
            raise ValueError("speed must be positive")
        self.speed = speed
        self.realtime_s = realtime_s
        self.keep_audio = keep_audio
        self.segments: list[Segment] = []
        self._buf: deque[rtc.AudioFrame] = deque()
        self._current: Segment | None = None
        self._flushed = False
        self._paused = False
        self._wake = asyncio.Event()
        self._idle = asyncio.Event()
        self._player: asyncio.Task[None] | None = None
        self.pause_count = 0
        self.resume_count = 0

    # -- session-facing API --------------------------------------------------

    async def capture_frame(self, frame: rtc.AudioFrame) -> None:
        while self._current is not None and self._flushed:
            # a new segment while the last one still plays its tail: queue behind it, like a device
            self._idle.clear()
            await self._idle.wait()
        await super().capture_frame(frame)
        if self._current is None:
            self._current = Segment(captured_at=time.time())
            self.segments.append(self._current)
            self._flushed = False
        self._buf.append(frame)
        self._ensure_player()
        self._wake.set()

    def flush(self) -> None:
        super().flush()
        if self._current is None:
            return
        self._flushed = True
        self._wake.set()

    def clear_buffer(self) -> None:
        self._buf.clear()
        if self._current is not None:
            self._current.interrupted = True
            self._flushed = True
            self._wake.set()

    def pause(self) -> None:
        super().pause()
        if not self._paused:
            self.pause_count += 1
        self._paused = True

    def resume(self) -> None:
        super().resume()
        if self._paused:
            self.resume_count += 1
        self._paused = False
        self._wake.set()

    @property
    def speaking(self) -> bool:
        """Audio is queued or playing right now."""
        return self._current is not None

    # -- the clock -----------------------------------------------------------

    def _ensure_player(self) -> None:
        if self._player is None or self._player.done():
            self._player = asyncio.create_task(self._play(), name="VirtualSpeaker.play")

    async def _play(self) -> None:
        loop = asyncio.get_running_loop()
        next_t = loop.time()
        while True:
            seg = self._current
            if seg is None:
                return
            if seg.interrupted or (self._flushed and not self._buf):
                self._finish(seg)
                continue
            if self._paused or not self._buf:
                self._wake.clear()
                await self._wake.wait()
                next_t = loop.time()
                continue
            frame = self._buf.popleft()
            now = time.time()
            if seg.started_at is None:
                seg.started_at = now
                self.on_playback_started(created_at=now)
            if self.keep_audio:
                seg.chunks.append((now, frame.data.tobytes(), frame.sample_rate))
            self._played(frame)
            speed = 1.0 if seg.played_s < self.realtime_s else self.speed
            seg.played_s += frame.duration
            seg.last_audio_at = now + frame.duration / speed
            next_t += frame.duration / speed
            delay = next_t - loop.time()
            if delay > 0:
                try:
                    await asyncio.wait_for(self._wait_for_interrupt(seg), delay)
                except TimeoutError:
                    pass

    async def _wait_for_interrupt(self, seg: Segment) -> None:
        while not seg.interrupted:
            self._wake.clear()
            await self._wake.wait()

    def _played(self, frame: rtc.AudioFrame) -> None:
        """Hook for a subclass that sends the audio somewhere real (the live speaker)."""

    def _finish(self, seg: Segment) -> None:
        seg.finished_at = time.time()
        self._current = None
        self._buf.clear()
        self._paused = False
        self._idle.set()
        self.on_playback_finished(playback_position=seg.played_s, interrupted=seg.interrupted)

    async def aclose(self) -> None:
        if self._player is not None:
            self._player.cancel()
            try:
                await self._player
            except asyncio.CancelledError:
                pass


def write_stereo(path: Path, mic: ScriptedMicrophone, speaker: VirtualSpeaker, t0: float) -> Path:
    """Left: the candidate; right: the interviewer; placed on the wall clock from ``t0``."""
    ends = [t + d for t, _, d, _ in mic.timeline]
    for seg in speaker.segments:
        for t, pcm, rate in seg.chunks:
            ends.append(t + len(pcm) / 2 / rate)
    total = max([t0, *ends]) - t0 + 0.5
    out = np.zeros((int(total * RATE) + 1, 2), dtype=np.int32)
    for clip in mic.played:
        if clip.started_at is None or clip.pcm.size == 0:
            continue
        i = int((clip.started_at - t0) * RATE)
        n = min(clip.pcm.size, out.shape[0] - i)
        if i >= 0 and n > 0:
            out[i : i + n, 0] += clip.pcm[:n]
    for seg in speaker.segments:
        for t, pcm, rate in seg.chunks:
            samples = to_mono_16k(np.frombuffer(pcm, dtype=np.int16), rate, 1)
            i = int((t - t0) * RATE)
            n = min(samples.size, out.shape[0] - i)
            if i >= 0 and n > 0:
                out[i : i + n, 1] += samples[:n]
    path.parent.mkdir(parents=True, exist_ok=True)
    with wave.open(str(path), "wb") as w:
        w.setnchannels(2)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes(np.clip(out, -32768, 32767).astype(np.int16).tobytes())
    return path
