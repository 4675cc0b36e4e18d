"""Build one interview ``AgentSession`` from a persona, with local models only.

Turn-taking is where an interviewer product lives or dies: cutting a
candidate off mid-thought is the worst thing it can do. So the persona, not
a framework default, decides how turns end:

* ``turn_taking.mode``: ``"vad"`` (a turn ends after ``min_endpointing_delay_s``
  of silence) or ``"v1-mini"`` (LiveKit's local audio turn detector waits up to
  ``max_endpointing_delay_s`` when the candidate sounds unfinished), or
  ``"two-gate"`` (the framework times a short silence and the agent asks the
  transcript and the audio model whether to reply now; see turn_gate.py). All
  run offline; the default ``TurnDetector()`` is never used because in dev mode
  it picks the cloud model.
* interruptions use plain VAD (``"adaptive"`` calls a cloud service); a
  barge-in of half a second pauses the interviewer and the first transcript
  stops it; a pause with no words (a cough, a chair) resumes it after
  ``FALSE_INTERRUPTION_S``; a backchannel ("mm-hm") is filtered out by
  :class:`agent.voice.bridge.InterviewerAgent` so it never becomes an answer.
* preemptive generation is off: the core must see the final transcript once.
* the text the session speaks is not transformed (no markdown filter), so the
  sentences reaching the TTS are exactly those the probe cache pre-rendered.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from livekit.agents import AgentSession, inference, stt, tts, vad
from livekit.agents.voice.turn import TurnHandlingOptions

from agent.content.models import Persona
from agent.logs import get_logger
from agent.voice.endpointing import VAD_MIN_SILENCE_S
from agent.voice.probe_cache import ProbeAudioCache

log = get_logger(__name__)

FALSE_INTERRUPTION_S = 1.0
MIN_INTERRUPTION_S = 0.5


@dataclass
class SpeechModels:
    """Models loaded once per process and shared by every session of that process."""

    vad: vad.VAD
    stt: stt.STT  # streaming (segmented Whisper over the VAD)
    tts: tts.TTS  # the bare Piper voice; each session wraps it in its own cache

    @property
    def voice(self) -> str:
        return getattr(self.tts, "model", "unknown")


def load_models(*, stt_model: str = "tiny.en", voice: str = "en_US-joe-medium", speaking_rate: float = 1.0,
                warm_up: bool = True) -> SpeechModels:
    """Load VAD, Whisper and Piper (verified, offline) and warm them so the first turn is not slow."""
    from agent.speech.loader import load_speech
    from agent.speech.segmented import SegmentedWhisperSTT
    from agent.speech.stt import FasterWhisperSTT
    from agent.speech.tts import PiperTTS

    load_speech(stt_model, voice, warm_up=warm_up)
    local_vad = make_vad()
    whisper = FasterWhisperSTT(model=stt_model)
    return SpeechModels(
        vad=local_vad,
        stt=SegmentedWhisperSTT(stt=whisper, vad=local_vad),
        tts=PiperTTS(voice=voice, speaking_rate=speaking_rate),
    )


def make_vad() -> vad.VAD:
    """The local Silero VAD bundled with livekit-agents (no download)."""
    return inference.VAD(min_silence_duration=VAD_MIN_SILENCE_S)


def turn_handling_for(persona: Persona) -> TurnHandlingOptions:
    """The persona's patience, as livekit-agents turn-handling options."""
    tt = persona.turn_taking
    # two-gate runs its audio model inside the agent (agent/voice/turn_gate.py): the framework only times silence
    detection: Any = inference.TurnDetector(version="v1-mini") if tt.mode == "v1-mini" else "vad"
    return TurnHandlingOptions(
        turn_detection=detection,
        endpointing={
            "mode": "fixed",
            "min_delay": float(tt.min_endpointing_delay_s),
            "max_delay": float(tt.max_endpointing_delay_s),
        },
        interruption={
            "enabled": True,
            "mode": "vad",
            "min_duration": MIN_INTERRUPTION_S,
            "min_words": 0,
            "resume_false_interruption": True,
            "false_interruption_timeout": FALSE_INTERRUPTION_S,
        },
        preemptive_generation={"enabled": False},
    )


def wrap_tts(persona: Persona, engine: tts.TTS, **cache_options: Any) -> ProbeAudioCache:
    """A per-session probe cache in front of the shared engine, keyed by the persona's voice."""
    return ProbeAudioCache(
        tts=engine,
        voice=getattr(engine, "model", persona.voice.name),
        rate=persona.voice.rate,
        **cache_options,
    )


def build_session(
    persona: Persona,
    *,
    llm: Any,
    models: SpeechModels,
    stt_override: stt.STT | None = None,
    tts_override: tts.TTS | None = None,
    echo_free: bool = False,
    cache_options: dict[str, Any] | None = None,
) -> tuple[AgentSession, ProbeAudioCache]:
    """An ``AgentSession`` for one round, and its probe cache.

    ``echo_free``: the input never hears the interviewer (simulated candidate,
    browser with echo cancellation), so barge-in is allowed from the first
    word instead of after the framework's echo-cancellation warm-up.
    ``stt_override``/``tts_override`` replace the shared models (tests inject
    failures this way); the TTS override is still wrapped by the cache.
    """
    cache = wrap_tts(persona, tts_override or models.tts, **(cache_options or {}))
    extra: dict[str, Any] = {}
    if echo_free:
        extra["aec_warmup_duration"] = None
    session: AgentSession = AgentSession(
        stt=stt_override or models.stt,
        vad=models.vad,
        llm=llm,
        tts=cache,
        turn_handling=turn_handling_for(persona),
        tts_text_transforms=None,
        user_away_timeout=None,  # silence is the interview core's call (nudge, then end)
        **extra,
    )
    log.info(
        "voice.session_built",
        persona=persona.id,
        turn_detection=persona.turn_taking.mode,
        min_delay=persona.turn_taking.min_endpointing_delay_s,
        max_delay=persona.turn_taking.max_endpointing_delay_s,
        voice=cache.model,
    )
    return session, cache
