"""One spoken round wired end to end, whatever carries the audio.

The simulated candidate, the local microphone and a LiveKit room all need the
same assembly: a conductor around the logged round, the policy bridge in the
LLM slot, a session built from the persona, the interviewer agent, and the
supervisor for silence, time and failures. ``VoiceRound`` does that assembly
once; the front ends only choose the audio input and output (or a room).

It also keeps the one promise every spoken front end makes when the database
stops taking writes: the candidate hears one plain line saying so, the round
ends at once (its turns are in memory, and the report is written from them),
and the session closes, rather than the interview going on into answers that
would not be saved.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from livekit.agents import AgentSession, stt, tts
from livekit.agents.voice import io

from agent.logs import get_logger
from agent.voice.bridge import InterviewerAgent
from agent.voice.conductor import RoundConductor, TurnLog
from agent.voice.policy_llm import PolicyLLM
from agent.voice.probe_cache import ProbeAudioCache
from agent.voice.session_factory import SpeechModels, build_session
from agent.voice.supervisor import RoundSupervisor
from agent.voice.turn_gate import AcousticTurnGate

if TYPE_CHECKING:
    from agent.session import LoggedRound

log = get_logger(__name__)

CLOSE_TIMEOUT_S = 15.0
MAX_LINE_S = 180.0  # the longest spoken wrap-up we wait for
STOP_LINE_TIMEOUT_S = 6.0  # a last line said before the session closes (store lost, worker stopping)
STORE_LOST_LINE = ("Sorry, I can no longer save this interview, so I'll stop here. "
                   "Your report will still cover everything you said.")


@dataclass
class VoiceRound:
    """A running spoken round; :meth:`wait_closed` returns when the session has ended."""

    conductor: RoundConductor
    session: AgentSession
    agent: InterviewerAgent
    supervisor: RoundSupervisor
    cache: ProbeAudioCache
    llm: PolicyLLM
    stopping: asyncio.Task[None] | None = None  # set once the round is being stopped with a last line

    @classmethod
    async def start(
        cls,
        logged: LoggedRound,
        models: SpeechModels,
        *,
        audio_input: io.AudioInput | None = None,
        audio_output: io.AudioOutput | None = None,
        room: Any = None,
        room_options: Any = None,
        echo_free: bool = False,
        stt_override: stt.STT | None = None,
        tts_override: tts.TTS | None = None,
        cache_options: dict[str, Any] | None = None,
    ) -> VoiceRound:
        """Build everything and start the session; the opening is spoken right away."""
        conductor = RoundConductor(logged)
        policy = PolicyLLM(conductor=conductor)
        session, cache = build_session(
            logged.round.persona,
            llm=policy,
            models=models,
            stt_override=stt_override,
            tts_override=tts_override,
            echo_free=echo_free,
            cache_options=cache_options,
        )
        if audio_input is not None:
            session.input.audio = audio_input
        if audio_output is not None:
            session.output.audio = audio_output
        lexicon = getattr(logged.bank, "lexicon", None)
        gate = AcousticTurnGate() if logged.round.persona.turn_taking.mode == "two-gate" else None
        agent = InterviewerAgent(conductor=conductor, closers=lexicon.turn_closers if lexicon is not None else (),
                                 turn_gate=gate, acknowledgements=lexicon.acknowledgements if lexicon and gate else ())
        supervisor = RoundSupervisor(session, conductor, cache)
        if gate is not None:
            supervisor.also_close.append(gate.aclose)
        supervisor.attach()
        kwargs: dict[str, Any] = {"record": False}
        if room is not None:
            kwargs["room"] = room
            if room_options is not None:
                kwargs["room_options"] = room_options
        try:
            await session.start(agent, **kwargs)
        except BaseException:
            await supervisor.aclose(reason="failed_to_start")
            raise
        voice = cls(conductor, session, agent, supervisor, cache, policy)
        voice._watch_store()
        return voice

    def _watch_store(self) -> None:
        """When the store stops taking writes, stop the round with the store-lost line (see the module docstring)."""
        logged = self.conductor.logged
        loop = asyncio.get_running_loop()
        before = logged.on_store_error

        def lost(why: str) -> None:  # called from whichever thread tried to write
            if before is not None:
                before(why)
            loop.call_soon_threadsafe(self._store_lost)

        logged.on_store_error = lost
        if logged.store_error is not None:  # it failed while the round was starting
            self._store_lost()

    def _store_lost(self) -> None:
        if self.conductor.done or self.supervisor.closed.is_set():
            return  # the round had already ended: its closing words stand, and the report comes from memory
        self.stop_with_line(STORE_LOST_LINE, reason="store_failed")

    def stop_with_line(self, line: str, *, reason: str) -> asyncio.Task[None]:
        """End the round now, then say ``line`` (not interruptible) and close the session; idempotent.

        The round is ended and stored first, so nothing the candidate says over the line counts as an
        answer. The first call decides the line; later calls wait for the same stop.
        """
        if self.stopping is None:
            self.stopping = asyncio.create_task(self._stop_with_line(line, reason), name="VoiceRound.stop_with_line")
        return self.stopping

    async def _stop_with_line(self, line: str, reason: str) -> None:
        session, supervisor = self.session, self.supervisor
        try:
            session.input.set_audio_enabled(False)
        except Exception:  # noqa: BLE001 - no audio input (a text-only session) or already closed
            pass
        await supervisor.aclose(reason=reason)
        try:
            await asyncio.wait_for(session.interrupt(force=True), 2)
        except Exception:  # noqa: BLE001 - nothing was playing, or it stopped on its own
            pass
        self.conductor.turns.append(TurnLog(
            index=len(self.conductor.turns), source=reason, heard=None, question_id=None, action=reason,
            probe_id=None, interviewer_text=line, interviewer_kinds=[reason]))
        try:
            handle = session.say(line, allow_interruptions=False, add_to_chat_ctx=False)
            await asyncio.wait_for(handle.wait_for_playout(), STOP_LINE_TIMEOUT_S)
        except Exception as exc:  # noqa: BLE001 - the candidate may already be gone
            log.info("voice.stop_line_skipped", reason=reason, error=type(exc).__name__)
        log.info("voice.stopped_with_a_line", reason=reason)
        session.shutdown(drain=False)

    @property
    def done(self) -> bool:
        """The core has ended the round (it may still be speaking the wrap-up)."""
        return self.conductor.done

    async def wait_closed(self, timeout: float | None = None) -> None:
        """Until the session closed and the round is stored (and a last line, if any, has been said)."""
        await asyncio.wait_for(self._closed(), timeout)

    async def _closed(self) -> None:
        await self.supervisor.closed.wait()
        if self.stopping is not None:
            await asyncio.shield(self.stopping)

    async def stop(self, reason: str = "stopped", *, say_wrap_up: bool = True) -> None:
        """End the round now (the wrap-up is spoken unless told otherwise), then close the session."""
        if not self.conductor.done:
            reply = await self.conductor.end(reason)
            if say_wrap_up:
                handles = [h for text in reply.texts if (h := self.supervisor.say(text)) is not None]
                for handle in handles:
                    try:
                        await asyncio.wait_for(handle.wait_for_playout(), MAX_LINE_S)
                    except TimeoutError:
                        log.warning("voice.wrap_up_timeout")
        if not say_wrap_up:
            await self.session.aclose()
        try:
            await self.wait_closed(CLOSE_TIMEOUT_S)
        except TimeoutError:
            log.warning("voice.close_timeout")
            await self.session.aclose()
            await self.supervisor.aclose(reason=reason)
