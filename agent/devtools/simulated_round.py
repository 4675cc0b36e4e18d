"""A scripted candidate talks to the real voice pipeline: ``interviewer simulate``.

The candidate's answers are WAV files (one per turn) or a text script
spoken by Debian's ``flite`` (voice ``slt``, a different engine from the
interviewer's Piper voice, so the two are never confused). They go through
the same pipeline as a live round: virtual microphone, VAD, Whisper, the
interview core, Piper, a virtual loudspeaker, all paced in real time by
default, because only real-time pacing gives latency figures that mean
anything. Each answer is played once the interviewer has finished speaking.

Out comes the round report (stored like any round), a per-turn JSON file
(what was heard, the action and probe, the interviewer's words, the
framework's latency figures and our own end-of-speech-to-first-sound
measurement), and optionally a stereo WAV with the candidate on the left
and the interviewer on the right.
"""

from __future__ import annotations

import asyncio
import json
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from agent.interview.assess import Assessor, CueAssessor
from agent.logs import get_logger
from agent.session import ReportOutputs, read_answer_blocks, save_round_report, start_round
from agent.voice.session_factory import load_models
from agent.voice.sim_io import (
    AUDIO_SUFFIXES,
    RATE,
    AudioFormatError,
    ScriptedMicrophone,
    VirtualSpeaker,
    read_audio_16k,
    read_wav_16k,
    speech_bounds,
    write_stereo,
)
from agent.voice.voice_round import STORE_LOST_LINE, VoiceRound

if TYPE_CHECKING:
    from agent.content.loader import Bank
    from agent.store import Store
    from agent.voice.conductor import TurnLog
    from agent.voice.session_factory import SpeechModels

log = get_logger(__name__)

FLITE_VOICE = "slt"
CLOSING_LINE = "No, that is all from me. Thank you."
IDLE_SETTLE_S = 0.4  # the interviewer counts as finished after this long with nothing playing
IDLE_FALLBACK_S = 2.5  # ...or this long, when a decided line never reached the history (a failed TTS)
REPLY_GRACE_S = 4.0  # on top of the persona's silence nudge, for an answer that produced no turn
MAX_WAIT_S = 120.0


class SimulationError(Exception):
    """Bad simulation input (a file that cannot be read, no flite...); the message names it."""


@dataclass
class Answer:
    """One candidate turn to play."""

    label: str
    pcm: np.ndarray  # mono 16 kHz int16
    text: str | None = None  # the script's words, when known


@dataclass
class SimulationResult:
    """What a simulated round produced."""

    round_id: str
    report: Path | None
    turns: list[dict[str, Any]]
    completed: bool
    overall_score: float | None
    wav: Path | None = None
    json_path: Path | None = None
    timing: dict[str, Any] = field(default_factory=dict)
    store_error: str | None = None  # the database stopped taking writes; the report came from memory
    report_problem: str | None = None  # why the report could not be written (report is then None)


# ---------------------------------------------------------------------- answers


def load_audio_dir(folder: Path) -> list[Answer]:
    """Every audio file (WAV, FLAC, OGG, MP3) in ``folder``, sorted by name."""
    if not folder.is_dir():
        raise SimulationError(f"--candidate-audio: {folder} is not a folder")
    files = sorted(p for p in folder.iterdir() if p.suffix.lower() in AUDIO_SUFFIXES and p.is_file())
    if not files:
        raise SimulationError(f"--candidate-audio: {folder} holds no {', '.join(AUDIO_SUFFIXES)} files")
    answers = []
    for path in files:
        try:
            answers.append(Answer(path.name, read_audio_16k(path)))
        except AudioFormatError as exc:
            raise SimulationError(f"--candidate-audio: {exc}") from None
        except OSError as exc:
            raise SimulationError(f"--candidate-audio: cannot read {path}: {exc.strerror or exc}") from None
    return answers


def read_script(path: Path) -> list[str]:
    """Answers separated by blank lines; lines inside a block are joined."""
    try:
        return read_answer_blocks(path, "--candidate-script")
    except ValueError as exc:
        raise SimulationError(str(exc)) from None


def flite_pcm(text: str, *, voice: str = FLITE_VOICE, workdir: Path | None = None) -> np.ndarray:
    """Speak ``text`` with flite and return mono 16 kHz int16, trimmed to 0.1 s around the speech."""
    if shutil.which("flite") is None:
        raise SimulationError("--candidate-script needs the 'flite' program (Debian package flite)")
    with tempfile.TemporaryDirectory(dir=workdir) as tmp:
        out = Path(tmp) / "answer.wav"
        try:
            subprocess.run(["flite", "-voice", voice, "-t", text, "-o", str(out)], check=True, timeout=120,
                           capture_output=True)
        except (subprocess.SubprocessError, OSError) as exc:
            raise SimulationError(f"flite failed: {exc}") from None
        pcm = read_wav_16k(out)
    bounds = speech_bounds(pcm)
    if bounds is None:
        return pcm
    start = max(0, int((bounds[0] - 0.1) * RATE))
    end = min(pcm.size, int((bounds[1] + 0.1) * RATE))
    return pcm[start:end]


def script_answers(path: Path) -> list[Answer]:
    return [Answer(f"answer-{i + 1:02d}", flite_pcm(text), text) for i, text in enumerate(read_script(path))]


# ---------------------------------------------------------------------- the driver


@dataclass
class _Played:
    answer: Answer
    clip: Any
    turns_before: int
    segments_before: int


class SimulatedCandidate:
    """Plays answers into a running :class:`VoiceRound`, one per interviewer turn."""

    def __init__(self, vr: VoiceRound, mic: ScriptedMicrophone, speaker: VirtualSpeaker) -> None:
        self.vr = vr
        self.mic = mic
        self.speaker = speaker
        self.played: list[_Played] = []

    def _quiet(self) -> bool:
        s = self.vr.session
        return (
            not self.speaker.speaking
            and s.current_speech is None
            and s.agent_state in ("listening", "idle")
            and s.user_state != "speaking"
            # words held for more (an unfinished turn, or one just acknowledged with "Okay."): the reply is coming
            and not self.vr.agent.hold.active
        )

    async def wait_idle(self, timeout: float = MAX_WAIT_S) -> None:
        """Until the interviewer has finished speaking (stable for IDLE_SETTLE_S) or the round closed."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        since: float | None = None
        while loop.time() < deadline and not self.vr.supervisor.closed.is_set():
            if self._quiet():
                since = since or loop.time()
                settle = IDLE_SETTLE_S if self.vr.conductor.unspoken == 0 else IDLE_FALLBACK_S
                if loop.time() - since >= settle:
                    return
            else:
                since = None
            await asyncio.sleep(0.05)

    async def wait_reply(self, turns_before: int, segments_before: int, timeout: float) -> bool:
        """Until the interviewer starts answering (a new decision or new audio); False on timeout."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while loop.time() < deadline and not self.vr.supervisor.closed.is_set():
            if len(self.vr.conductor.turns) > turns_before or len(self.speaker.segments) > segments_before:
                return True
            await asyncio.sleep(0.05)
        return False

    async def say(self, answer: Answer, *, press_done: bool = False) -> _Played:
        """Play one answer and wait for the interviewer's reply to finish; ``press_done``: then press
        the page's "I'm done", as the worker receives it.
        """
        turns_before = len(self.vr.conductor.turns)
        segments_before = len(self.speaker.segments)
        clip = self.mic.play(answer.pcm, answer.label)
        played = _Played(answer, clip, turns_before, segments_before)
        self.played.append(played)
        # a round that ends while the clip plays stops reading the microphone: do not wait for it then
        closed: asyncio.Future[Any] = asyncio.ensure_future(self.vr.supervisor.closed.wait())
        try:
            await asyncio.wait([clip.done, closed], return_when=asyncio.FIRST_COMPLETED)
        finally:
            closed.cancel()
        if press_done:
            self.vr.agent.request_end_of_turn()
        persona = self.vr.conductor.round.persona
        replied = await self.wait_reply(
            turns_before, segments_before, persona.turn_taking.silence_nudge_s + REPLY_GRACE_S
        )
        if not replied:
            log.info("simulate.no_reply", label=answer.label)
        await self.wait_idle()
        return played

    def measure(self) -> None:
        """Our own latency: end of the candidate's speech to the interviewer's next first sound."""
        for p in self.played:
            if p.clip.speech_end_at is None or p.clip.bounds is None:
                continue
            later = [s for s in self.speaker.segments[p.segments_before:] if s.started_at is not None
                     and s.started_at >= p.clip.speech_end_at]
            entry = self._entry_for(p)
            if entry is None:
                continue
            entry.measured["clip"] = p.answer.label  # type: ignore[assignment]
            first_audio = later[0].started_at if later else None
            if first_audio is not None:
                entry.measured["speech_end_to_first_audio"] = round(first_audio - p.clip.speech_end_at, 4)
                # the decision is made when the turn log entry is written
                entry.measured["decision_to_first_audio"] = round(first_audio - entry.created_at, 4)

    def _entry_for(self, p: _Played) -> TurnLog | None:
        for entry in self.vr.conductor.turns[p.turns_before:]:
            if entry.source == "answer":
                return entry
        return None


class SimulatedRound:
    """A spoken round with a virtual microphone and speaker, for the command, tests and benchmarks.

    ``async with SimulatedRound(...) as sim:`` starts the round and the
    session; ``sim.candidate`` plays answers; leaving the block ends the
    round if it is still open and closes everything (the round is stored
    either way).
    """

    def __init__(
        self,
        bank: Bank,
        store: Store,
        request: Any,
        *,
        models: SpeechModels | None = None,
        assessor: Assessor | None = None,
        playback_speed: float = 1.0,
        realtime_s: float = 0.0,
        keep_audio: bool = False,
        stt_override: Any = None,
        tts_override: Any = None,
        cache_options: dict[str, Any] | None = None,
        on_turn: Callable[[TurnLog], None] | None = None,
    ) -> None:
        self.bank = bank
        self.store = store
        self.request = request
        self.persona = bank.personas[request.persona_id]
        self.models = models
        self.assessor = assessor or CueAssessor(bank.lexicon)
        self.mic = ScriptedMicrophone()
        # the first realtime_s of each interviewer line play at real speed (see VirtualSpeaker)
        self.speaker = VirtualSpeaker(speed=playback_speed, keep_audio=keep_audio, realtime_s=realtime_s)
        self._overrides = dict(stt_override=stt_override, tts_override=tts_override, cache_options=cache_options)
        self._on_turn = on_turn
        self.t0 = time.time()
        self.logged: Any = None
        self.vr: VoiceRound | None = None
        self.candidate: SimulatedCandidate | None = None

    async def __aenter__(self) -> SimulatedRound:
        if self.models is None:
            self.models = await asyncio.to_thread(
                load_models, voice=self.persona.voice.name, speaking_rate=self.persona.voice.rate)
        self.logged = start_round(self.bank, self.store, self.request, clock=time.monotonic, assessor=self.assessor)
        self.t0 = time.time()
        self.vr = await VoiceRound.start(self.logged, self.models, audio_input=self.mic, audio_output=self.speaker,
                                         echo_free=True, **self._overrides)
        if self._on_turn is not None:
            self.vr.conductor.on_turn(self._on_turn)
            for entry in list(self.vr.conductor.turns):
                self._on_turn(entry)
        self.candidate = SimulatedCandidate(self.vr, self.mic, self.speaker)
        return self

    async def __aexit__(self, *exc: object) -> None:
        vr = self.vr
        assert vr is not None
        try:
            if not vr.supervisor.closed.is_set() and not vr.done:
                await vr.stop("candidate_left" if exc[0] is None else "stopped")
            await vr.wait_closed(MAX_WAIT_S)
        finally:
            if not vr.supervisor.closed.is_set():
                await vr.session.aclose()
                await vr.supervisor.aclose(reason="stopped")
            self.mic.close()
            await self.speaker.aclose()
            assert self.candidate is not None
            self.candidate.measure()

    async def opening(self) -> None:
        """Until the opening and first question have been spoken."""
        assert self.candidate is not None
        await self.candidate.wait_reply(0, 0, 30.0)
        await self.candidate.wait_idle()

    async def finish(self, *, closing_line: bool = True) -> None:
        """Out of answers: say there are no questions (when asked) or leave, and let the round end."""
        vr = self.vr
        assert vr is not None and self.candidate is not None
        if vr.done or vr.supervisor.closed.is_set():
            if vr.stopping is not None:
                await vr.stopping  # the store-lost line is still being said
            return
        if self.logged.store_error is not None:  # the voice round stops itself with the store-lost line
            await vr.stop_with_line(STORE_LOST_LINE, reason="store_failed")
            return
        phase = getattr(vr.conductor.round.phase, "value", "")
        if phase == "candidate_questions" and closing_line and shutil.which("flite"):
            await self.candidate.say(Answer("closing", flite_pcm(CLOSING_LINE), CLOSING_LINE))
        if not vr.done:
            await vr.stop("candidate_left")

    @property
    def turns(self) -> list[TurnLog]:
        assert self.vr is not None
        return self.vr.conductor.turns


async def run_simulation(
    bank: Bank,
    store: Store,
    request: Any,
    answers: list[Answer],
    *,
    models: SpeechModels | None = None,
    playback_speed: float = 1.0,
    wav_out: Path | None = None,
    json_out: Path | None = None,
    on_turn: Callable[[TurnLog], None] | None = None,
    closing_line: bool = True,
    stt_override: Any = None,
    tts_override: Any = None,
    outputs: ReportOutputs | None = None,
    assessor: Assessor | None = None,
) -> SimulationResult:
    """Run one simulated round to its end and write its outputs: the report goes to ``outputs`` (none when
    None; a report that cannot be written is ``report=None`` with ``report_problem`` saying why, not an
    exception: the round is stored either way). ``assessor`` defaults to the cues alone.
    """
    sim = SimulatedRound(bank, store, request, models=models, assessor=assessor, playback_speed=playback_speed,
                         keep_audio=wav_out is not None, stt_override=stt_override, tts_override=tts_override,
                         on_turn=on_turn)
    async with sim:
        assert sim.vr is not None and sim.candidate is not None
        await sim.opening()
        for answer in answers:
            if sim.vr.done or sim.vr.supervisor.closed.is_set() or sim.logged.store_error is not None:
                break
            await sim.candidate.say(answer)
        await sim.finish(closing_line=closing_line)
    vr = sim.vr
    card = sim.logged.scorecard()
    report, report_problem = await asyncio.to_thread(save_round_report, card, outputs) if outputs else (None, None)
    result = SimulationResult(
        round_id=sim.logged.round.meta.round_id,
        report=report,
        turns=[t.to_dict() for t in vr.conductor.turns],
        completed=bool(sim.logged.round.completed),
        overall_score=card.overall_score,
        store_error=sim.logged.store_error,
        report_problem=report_problem,
        timing={"cache": _cache_stats(vr), "backchannels_ignored": vr.agent.backchannels_ignored,
                "apologies": vr.supervisor.apologies, "pauses": sim.speaker.pause_count,
                "resumes": sim.speaker.resume_count},
    )
    if wav_out is not None:
        result.wav = write_stereo(wav_out, sim.mic, sim.speaker, sim.t0)
    if json_out is not None:
        await asyncio.to_thread(_write_json, json_out, _json(result, sim.persona.id))
        result.json_path = json_out
    return result


def _cache_stats(vr: VoiceRound) -> dict[str, Any]:
    st = vr.cache.stats
    return {"hits": st.hits, "waits": st.waits, "misses": st.misses, "prewarmed": st.prewarmed,
            "first_audio_hit_s": [round(x, 4) for x in st.first_audio_hit_s],
            "first_audio_miss_s": [round(x, 4) for x in st.first_audio_miss_s]}


def _json(result: SimulationResult, persona_id: str) -> dict[str, Any]:
    return {
        "round_id": result.round_id,
        "persona": persona_id,
        "completed": result.completed,
        "overall_score": result.overall_score,
        "report": str(result.report) if result.report else None,
        "wav": str(result.wav) if result.wav else None,
        "turns": result.turns,
        "pipeline": result.timing,
    }


def _write_json(path: Path, data: object) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2), encoding="utf-8")
