"""A scripted candidate that joins a LiveKit room from Python and speaks WAV files.

It stands where the browser stands: it opens a fresh ``round-*`` room with the
``pm-interviewer`` agent dispatched into it (through the server API, as the
web app does), joins it with a join-only token, publishes a microphone track
and plays one WAV per candidate turn into it, in real time, with silence in
between (a real microphone never stops sending). It listens to the
interviewer's audio and measures voice-to-voice latency the way a candidate
feels it: from the last sample of an answer to the first interviewer audio
frame louder than ``level_threshold``.

A turn is over when the interviewer has spoken since our last answer, its
``lk.agent.state`` is no longer ``speaking`` and the audio has been quiet for
``quiet_s``. Used by the e2e tests and by ``bench/browser_load.py``.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import functools
import json
import os
import secrets
import subprocess
import sys
import time
import uuid
import wave
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from livekit import api, rtc

AGENT_NAME = "pm-interviewer"
SAMPLE_RATE = 48_000
FRAME_MS = 20
FRAME_SAMPLES = SAMPLE_RATE * FRAME_MS // 1000


def read_wav(path: Path) -> np.ndarray:
    """A 48 kHz mono 16-bit WAV as int16 samples (make it with sox; nothing is resampled here)."""
    with wave.open(str(path), "rb") as wav:
        if (wav.getframerate(), wav.getnchannels(), wav.getsampwidth()) != (SAMPLE_RATE, 1, 2):
            raise ValueError(f"{path}: need 48 kHz mono 16-bit, got {wav.getframerate()} Hz, "
                             f"{wav.getnchannels()} channel(s), {8 * wav.getsampwidth()}-bit")
        return np.frombuffer(wav.readframes(wav.getnframes()), dtype=np.int16).copy()


def candidate_token(api_key: str, api_secret: str, *, room: str, identity: str) -> str:
    """The token the web app would mint: join one room, publish a microphone, subscribe; it dispatches nothing."""
    return (
        api.AccessToken(api_key, api_secret)
        .with_identity(identity)
        .with_name("Scripted candidate")
        .with_ttl(dt.timedelta(minutes=10))
        .with_grants(api.VideoGrants(room_join=True, room=room, can_publish=True,
                                     can_publish_sources=["microphone"], can_subscribe=True,
                                     can_publish_data=False))
        .to_jwt()
    )


def http_url(url: str) -> str:
    """The server API address for a ws(s):// LiveKit URL."""
    return url.replace("wss://", "https://").replace("ws://", "http://")


async def open_room(url: str, api_key: str, api_secret: str, *, room: str, metadata: dict[str, Any]) -> None:
    """Create ``room`` with the interviewer dispatched into it, as the web app does (agent/web/rooms.py).

    Shorter timeouts than the app's, so a test's rooms go away soon after it.
    """
    async with api.LiveKitAPI(http_url(url), api_key, api_secret) as lk:
        await lk.room.create_room(api.CreateRoomRequest(
            name=room, empty_timeout=30, departure_timeout=10, max_participants=2,
            agents=[api.RoomAgentDispatch(agent_name=AGENT_NAME, metadata=json.dumps(metadata, separators=(",", ":")))],
        ))


@dataclass
class CandidateResult:
    """What one scripted candidate saw and measured."""

    room: str
    identity: str
    round_id: str | None = None
    phases: list[str] = field(default_factory=list)
    attributes: dict[str, str] = field(default_factory=dict)
    answers_played: int = 0
    latencies_s: list[float] = field(default_factory=list)
    interviewer_audio_s: float = 0.0
    # (start, end) on time.monotonic() of stretches of interviewer audio above the threshold
    speech_segments: list[list[float]] = field(default_factory=list)
    agent_identity: str | None = None
    captions: list[tuple[str, str]] = field(default_factory=list)  # (sender identity, final text)
    ended: bool = False
    error: str | None = None

    def audio_after(self, t: float) -> float:
        """Seconds of interviewer audio heard after monotonic time ``t``."""
        return sum(end - max(start, t) for start, end in self.speech_segments if end > t)


class ScriptedCandidate:
    """One candidate in one room; ``await run()`` returns a :class:`CandidateResult`."""

    def __init__(
        self,
        url: str,
        api_key: str,
        api_secret: str,
        *,
        answers: Sequence[np.ndarray],
        metadata: dict[str, Any],
        closing_answer: np.ndarray | None = None,
        leave_after_answers: int | None = None,
        level_threshold: float = 400.0,
        quiet_s: float = 1.0,
        max_turns: int = 8,
        timeout_s: float = 240.0,
        end_wait_s: float = 20.0,
        room_name: str | None = None,
        identity: str | None = None,
        dispatch: bool = True,
    ) -> None:
        self.url = url
        self._api = (api_key, api_secret)
        self.metadata = metadata
        self.dispatch = dispatch  # False: a candidate coming back into a room whose interviewer is already there
        self.answers = list(answers)
        self.closing_answer = closing_answer
        self.leave_after_answers = leave_after_answers
        self.level_threshold = level_threshold
        self.quiet_s = quiet_s
        self.max_turns = max_turns
        self.timeout_s = timeout_s
        self.end_wait_s = end_wait_s
        self.room_name = room_name or f"round-{uuid.uuid4().hex}"
        self.identity = identity or f"candidate-{secrets.token_hex(6)}"
        self._token = candidate_token(api_key, api_secret, room=self.room_name, identity=self.identity)
        self.result = CandidateResult(room=self.room_name, identity=self.identity)
        self._pending: asyncio.Queue[np.ndarray] = asyncio.Queue(maxsize=4)
        self._answer_done = asyncio.Event()
        self._answer_end: float | None = None
        self._waiting_reply = False
        self._last_loud = 0.0
        self._heard_since_answer = False
        self._state = ""
        self._changed = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []

    # -- room events --------------------------------------------------------

    def _on_attributes(self, changed: dict[str, str], participant: rtc.Participant) -> None:
        if participant.kind != rtc.ParticipantKind.PARTICIPANT_KIND_AGENT:
            return
        self.result.agent_identity = participant.identity
        self.result.attributes.update(participant.attributes)
        self.result.attributes.update(changed)
        if "interviewer.round_id" in changed:
            self.result.round_id = changed["interviewer.round_id"]
        if "interviewer.phase" in changed:
            self.result.phases.append(changed["interviewer.phase"])
        if "lk.agent.state" in changed:
            self._state = changed["lk.agent.state"]
        self._changed.set()

    def _on_connected(self, participant: rtc.RemoteParticipant) -> None:
        if participant.attributes:
            self._on_attributes(dict(participant.attributes), participant)

    def _on_caption(self, reader: rtc.TextStreamReader, sender: str) -> None:
        async def read() -> None:
            text = await reader.read_all()
            if text.strip() and (reader.info.attributes or {}).get("lk.transcription_final") == "true":
                self.result.captions.append((sender, text.strip()))

        self._tasks.append(asyncio.create_task(read()))

    def interviewer_said(self, words: str) -> bool:
        """Whether a final interviewer caption contains ``words`` (case-insensitive)."""
        agent = self.result.agent_identity
        return any(sender == agent and words.lower() in text.lower() for sender, text in self.result.captions)

    def _on_track(self, track: rtc.Track, _pub: rtc.RemoteTrackPublication, participant: rtc.RemoteParticipant) -> None:
        if track.kind == rtc.TrackKind.KIND_AUDIO and participant.kind == rtc.ParticipantKind.PARTICIPANT_KIND_AGENT:
            self._tasks.append(asyncio.create_task(self._listen(track)))

    async def _listen(self, track: rtc.Track) -> None:
        stream = rtc.AudioStream.from_track(track=track, sample_rate=16_000, num_channels=1)
        try:
            async for event in stream:
                now = time.monotonic()
                samples = np.frombuffer(event.frame.data, dtype=np.int16)
                if samples.size == 0:
                    continue
                rms = float(np.sqrt(np.mean(samples.astype(np.float32) ** 2)))
                if rms >= self.level_threshold:
                    self._last_loud = now
                    self._heard_since_answer = True
                    self.result.interviewer_audio_s += samples.size / 16_000
                    segments = self.result.speech_segments
                    if segments and now - segments[-1][1] < 0.3:
                        segments[-1][1] = now
                    else:
                        segments.append([now, now + samples.size / 16_000])
                    if self._waiting_reply and self._answer_end is not None:
                        self._waiting_reply = False
                        self.result.latencies_s.append(round(now - self._answer_end, 3))
        finally:
            await stream.aclose()

    # -- microphone -----------------------------------------------------------

    async def _microphone(self, source: rtc.AudioSource) -> None:
        """Send 20 ms frames on a real-time clock: answers when queued, silence otherwise."""
        silence = np.zeros(FRAME_SAMPLES, dtype=np.int16)
        current: np.ndarray | None = None
        pos = 0
        next_t = time.monotonic()
        while True:
            if current is None and not self._pending.empty():
                current, pos = self._pending.get_nowait(), 0
            if current is not None:
                chunk = current[pos:pos + FRAME_SAMPLES]
                pos += FRAME_SAMPLES
                if chunk.size < FRAME_SAMPLES:
                    chunk = np.concatenate([chunk, silence[: FRAME_SAMPLES - chunk.size]])
                if pos >= current.size:
                    current = None
                    self._answer_end = time.monotonic() + FRAME_MS / 1000
                    self._waiting_reply = True
                    self._answer_done.set()
            else:
                chunk = silence
            await source.capture_frame(rtc.AudioFrame(chunk.tobytes(), SAMPLE_RATE, 1, FRAME_SAMPLES))
            next_t += FRAME_MS / 1000
            delay = next_t - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            else:
                next_t = time.monotonic()  # fell behind (busy machine): do not burst to catch up

    async def _speak(self, samples: np.ndarray) -> None:
        self._answer_done.clear()
        self._heard_since_answer = False
        await self._pending.put(samples)
        await self._answer_done.wait()
        self.result.answers_played += 1

    # -- the conversation -------------------------------------------------------

    def _phase(self) -> str:
        return self.result.attributes.get("interviewer.phase", "")

    async def _interviewer_turn_over(self) -> None:
        while True:
            if self._phase() == "ended":
                return
            quiet = time.monotonic() - self._last_loud >= self.quiet_s
            if self._heard_since_answer and quiet and self._state != "speaking":
                return
            self._changed.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._changed.wait(), 0.1)

    async def _wait_for_ended(self, seconds: float) -> bool:
        """The round is stored and closed a moment after the closing words; wait for that.

        ``seconds`` counts from the interviewer's last audio, as a person would: a long
        wrap-up (a spoken summary can run 25 s) that starts after a short "Okay." and a
        pause is still the interviewer talking, not a round that failed to end.
        """
        started = time.monotonic()

        def waited() -> float:
            return time.monotonic() - max(started, self._last_loud)

        while self._phase() != "ended" and waited() < seconds:
            self._changed.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._changed.wait(), 0.2)
        return self._phase() == "ended"

    async def _converse(self) -> None:
        turns = 0
        script = list(self.answers)
        while turns < self.max_turns:
            await self._interviewer_turn_over()
            # "wrap_up" covers both "any questions for me?" and the closing words: give the
            # closing a moment to turn into "ended" before answering again
            if self._phase() == "ended" or (self._phase() == "wrap_up" and await self._wait_for_ended(4.0)):
                self.result.ended = True
                return
            if self.leave_after_answers is not None and turns >= self.leave_after_answers:
                return
            if script:
                answer = script.pop(0)
            elif self.closing_answer is not None:
                answer = self.closing_answer
            else:
                break
            await self._speak(answer)
            turns += 1
        await self._interviewer_turn_over()
        self.result.ended = await self._wait_for_ended(self.end_wait_s)

    async def run(self) -> CandidateResult:
        """Join, talk until the interviewer ends the round (or the script runs out), leave."""
        room = rtc.Room()
        room.on("participant_attributes_changed", self._on_attributes)
        room.on("track_subscribed", self._on_track)
        room.on("participant_connected", self._on_connected)
        room.register_text_stream_handler("lk.transcription", self._on_caption)
        try:
            if self.dispatch:
                await open_room(self.url, *self._api, room=self.room_name, metadata=self.metadata)
            await room.connect(self.url, self._token)
            for participant in room.remote_participants.values():
                self._on_connected(participant)
            source = rtc.AudioSource(SAMPLE_RATE, 1, queue_size_ms=200)
            track = rtc.LocalAudioTrack.create_audio_track("microphone", source)
            await room.local_participant.publish_track(
                track, rtc.TrackPublishOptions(source=rtc.TrackSource.SOURCE_MICROPHONE))
            self._tasks.append(asyncio.create_task(self._microphone(source)))
            await asyncio.wait_for(self._converse(), self.timeout_s)
        except TimeoutError:
            self.result.error = f"timed out after {self.timeout_s:.0f} s in phase {self._phase() or 'none'}"
        except Exception as exc:  # reported in the result; the test asserts on it
            self.result.error = f"{type(exc).__name__}: {exc}"
        finally:
            for task in self._tasks:
                task.cancel()
            await asyncio.gather(*self._tasks, return_exceptions=True)
            await room.disconnect()
        return self.result


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100) of a non-empty sequence."""
    ordered = sorted(values)
    rank = max(1, int(np.ceil(q / 100 * len(ordered))))
    return ordered[rank - 1]


class WorkerProcess:
    """``interviewer worker`` as a subprocess with its own SQLite file, data folder and log."""

    def __init__(self, server_env: dict[str, str], workdir: Path, *, capacity: int = 2, idle: int | None = None,
                 name: str = "worker", rejoin_grace_s: float = 3.0) -> None:
        self.workdir = workdir
        self.db_path = workdir / f"{name}.sqlite3"
        self.log_path = workdir / f"{name}.log"
        self.data_dir = workdir / f"{name}-data"
        self.capacity = capacity
        self.idle = capacity if idle is None else idle
        # a candidate who leaves may come back for this long; tests whose candidates leave for good keep it short
        self.env = {**os.environ, **server_env, "INTERVIEWER_DATA_DIR": str(self.data_dir),
                    "INTERVIEWER_REJOIN_GRACE_S": f"{rejoin_grace_s:g}"}
        self.process: Any = None

    @property
    def db_url(self) -> str:
        return f"sqlite:///{self.db_path}"

    def start(self, timeout_s: float = 90.0) -> WorkerProcess:
        """Start it and wait until it is registered and ``idle`` processes have their models loaded."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        argv = [sys.executable, "-m", "agent.cli", "--db", self.db_url, "worker",
                "--capacity", str(self.capacity), "--idle-processes", str(self.idle), "--health-port", "0"]
        with open(self.log_path, "wb") as out:
            self.process = subprocess.Popen(argv, env=self.env, stdout=out, stderr=subprocess.STDOUT,
                                            stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"worker exited with {self.process.returncode}: {self.log_tail()}")
            text = self.log()
            if "registered worker" in text and text.count("worker.process_ready") >= self.idle:
                return self
            time.sleep(0.3)
        raise RuntimeError(f"worker not ready in {timeout_s:.0f} s: {self.log_tail()}")

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def health_url(self) -> str:
        """The health endpoint the worker announced in its ``worker.started`` line."""
        for line in self.log().splitlines():
            if '"worker.started"' in line:
                return str(json.loads(line[line.index("{"):])["health"])
        raise RuntimeError(f"the worker never announced its health endpoint: {self.log_tail()}")

    def wait_until_idle(self, timeout_s: float = 60.0) -> None:
        """Wait until no round is running: a round still closing counts against the capacity.

        The LiveKit server does not offer a refused job to the same worker again, so a
        test that fills the worker right after another test's round must wait for it.
        """
        import urllib.request

        url = self.health_url().rstrip("/") + "/worker"
        deadline = time.monotonic() + timeout_s
        active = -1
        while time.monotonic() < deadline:
            with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - a local test URL
                active = int(json.loads(response.read()).get("active_jobs", 0))  # proto JSON omits a zero
            if active == 0:
                return
            time.sleep(0.2)
        raise RuntimeError(f"the worker still runs {active} round(s) after {timeout_s:.0f} s: {self.log_tail()}")

    def log_tail(self, chars: int = 3000) -> str:
        return self.log()[-chars:]

    def stop(self, timeout_s: float = 30.0) -> int:
        """SIGTERM, wait, then kill; returns the exit code."""
        if self.process is None:
            return 0
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout_s)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
        return int(self.process.returncode)


def speak_wav(text: str, out: Path, *, voice: str = "slt") -> Path:
    """``text`` spoken by Debian's flite, as a 48 kHz mono WAV with a short lead-in and tail."""
    raw = out.with_suffix(".raw.wav")
    subprocess.run(["flite", "-voice", voice, "-t", text, "-o", str(raw)], check=True, timeout=60)
    subprocess.run(["sox", "-D", str(raw), "-r", str(SAMPLE_RATE), "-c", "1", "-b", "16", str(out), "pad", "0.2", "0"],
                   check=True, timeout=60)
    raw.unlink()
    return out


def stored_round(db_url: str, round_id: str) -> tuple[Any, str, list[Any], str | None]:
    """(meta, status, turns, rendered report page or None) as the web app would read them."""
    from agent.content.loader import load_bank
    from agent.report.pages import render_round_page
    from agent.store import Store

    store = Store(db_url)
    try:
        meta, status, turns = store.get_round(round_id)
        page = render_round_page(store, load_bank().questions, round_id, nonce="e2e")
    finally:
        store.close()
    return meta, status, turns, page


def print_latencies(label: str, values: Sequence[float]) -> None:
    """One line the CI log keeps: count, p50 and p95 of voice-to-voice latency."""
    if values:
        print(f"\n{label}: voice-to-voice n={len(values)} p50={percentile(values, 50):.3f}s "
              f"p95={percentile(values, 95):.3f}s max={max(values):.3f}s all={sorted(values)}")
    else:
        print(f"\n{label}: no voice-to-voice samples")


def _agent_joined(event: asyncio.Event, participant: rtc.RemoteParticipant) -> None:
    if participant.kind == rtc.ParticipantKind.PARTICIPANT_KIND_AGENT:
        event.set()


async def wait_for_worker(server_env: dict[str, str], timeout_s: float = 90.0) -> float:
    """Until a ``pm-interviewer`` worker takes jobs; returns the seconds waited.

    The LiveKit server drops a dispatch when no worker is registered, so a test
    that starts a worker and a round together must wait for registration. Each
    try dispatches the agent into a throwaway room with metadata the worker
    refuses (it says so in ``interviewer.error`` and leaves) and watches for it.
    """
    started = time.monotonic()
    while time.monotonic() - started < timeout_s:
        room_name = f"probe-{uuid.uuid4().hex}"
        key, secret = server_env["LIVEKIT_API_KEY"], server_env["LIVEKIT_API_SECRET"]
        token = candidate_token(key, secret, room=room_name, identity=f"probe-{secrets.token_hex(4)}")
        room = rtc.Room()
        joined = asyncio.Event()
        room.on("participant_connected", functools.partial(_agent_joined, joined))
        try:
            await open_room(server_env["LIVEKIT_URL"], key, secret, room=room_name, metadata={"probe": True})
            await room.connect(server_env["LIVEKIT_URL"], token)
            if any(p.kind == rtc.ParticipantKind.PARTICIPANT_KIND_AGENT for p in room.remote_participants.values()):
                joined.set()
            try:
                await asyncio.wait_for(joined.wait(), 4.0)
                return time.monotonic() - started
            except TimeoutError:
                pass
        finally:
            await room.disconnect()
    raise TimeoutError(f"no interviewer worker took a job in {timeout_s:.0f} s")


def loopback_server(log_path: Path, *, api_key: str | None = None, api_secret: str | None = None,
                    redis: str | None = None, auto_create: bool = False) -> Any:
    """A livekit-server (not started) on free loopback ports, with a random key pair unless one is given."""
    import socket

    from agent.devtools.livekit_server import LiveKitServer, ensure_server, free_port

    return LiveKitServer(
        ensure_server(build=True),
        port=free_port(),
        tcp_port=free_port(),
        udp_port=free_port(socket.SOCK_DGRAM),
        api_key=api_key or "e2e-" + secrets.token_hex(4),
        api_secret=api_secret or secrets.token_urlsafe(32),
        log_path=log_path,
        redis=redis,
        auto_create=auto_create,
    )


@contextlib.contextmanager
def private_livekit_server(log_dir: Path, *, auto_create: bool = False) -> Iterator[Any]:
    """A livekit-server of the test's own, so no other worker of the session can take its rounds.

    The session's ``livekit_server`` may also have the browser test's worker
    registered; these tests check a given worker's database, so they must be
    the only workers the server can dispatch to.
    """
    server = loopback_server(log_dir / "livekit.log", auto_create=auto_create)
    server.start_on_free_ports()
    try:
        yield server
    finally:
        server.stop()
