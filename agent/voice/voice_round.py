"""One spoken round wired end to end, whatever carries the audio.

The simulated candidate, the local microphone and a LiveKit room all need the
same assembly: a conductor around the logged round, the policy bridge in the
LLM slot, a session built from the persona, the interviewer agent, and the
supervisor for silence, time and failures. ``VoiceRound`` does that assembly
once; the front ends only choose the audio input and output (or a room).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from livekit.agents import AgentSession, stt, tts
from livekit.agents.voice import io

from agent.logs import get_logger
from agent.voice.bridge import InterviewerAgent
from agent.voice.conductor import RoundConductor
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


@dataclass
class VoiceRound:
    """A running spoken round; :meth:`wait_closed` returns when the session has ended."""

    conductor: RoundConductor
    session: AgentSession
    agent: InterviewerAgent
    supervisor: RoundSupervisor
    cache: ProbeAudioCache
    llm: PolicyLLM

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
        return cls(conductor, session, agent, supervisor, cache, policy)

    @property
    def done(self) -> bool:
        """The core has ended the round (it may still be speaking the wrap-up)."""
        return self.conductor.done

    async def wait_closed(self, timeout: float | None = None) -> None:
        """Until the session closed and the round is stored."""
        await asyncio.wait_for(self.supervisor.closed.wait(), timeout)

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
