"""A worker's job process before and around its round: models loaded once, and the signal that stops a round.

The worker tells a job process to close its round with a signal
(:data:`agent.worker.STOP_ROUND_SIGNAL`), because the framework's own
shutdown request closes the voice session before the job code hears of it,
which is too late to say goodbye.
"""

from __future__ import annotations

import asyncio
import signal
import time
from typing import TYPE_CHECKING, Any

from agent.logs import get_logger

if TYPE_CHECKING:
    from livekit.agents import JobProcess

    from agent.content.loader import Bank

log = get_logger(__name__)


def prewarm_process(proc: JobProcess, bank: Bank) -> None:
    """Load VAD, Whisper and the default voice once; warm each persona's own voice if it differs."""
    from agent.voice.session_factory import load_models

    started = time.perf_counter()
    # imported here, not at the first round: an import inside a round blocks its event loop
    from livekit.agents import room_io  # noqa: F401

    import agent.report  # noqa: F401
    import agent.session  # noqa: F401
    import agent.store  # noqa: F401
    import agent.voice.voice_round  # noqa: F401

    models = load_models()
    proc.userdata["speech_models"] = models
    if any(p.turn_taking.mode == "two-gate" for p in bank.personas.values()):
        from agent.voice.turn_gate import preload_turn_model

        proc.userdata["turn_model"] = preload_turn_model()
    for persona in bank.personas.values():
        persona_tts(persona, models)  # loads (and caches) any other voice now, not mid-round
    proc.userdata["models_seconds"] = round(time.perf_counter() - started, 3)


class _StopFlag:
    """Set by the stop signal; the running round waits on ``event``."""

    requested = False
    loop: asyncio.AbstractEventLoop | None = None
    event: asyncio.Event | None = None

    @classmethod
    def handle(cls, _signum: int, _frame: Any) -> None:
        cls.requested = True
        if cls.loop is not None and cls.event is not None:
            cls.loop.call_soon_threadsafe(cls.event.set)


def install_stop_signal(signum: int) -> None:
    """Make ``signum`` mean "close your round now" in this job process (set in the setup hook)."""
    signal.signal(signum, _StopFlag.handle)


def stop_event() -> asyncio.Event:
    event = asyncio.Event()
    _StopFlag.loop, _StopFlag.event = asyncio.get_running_loop(), event
    if _StopFlag.requested:
        event.set()
    return event


def persona_tts(persona: Any, models: Any) -> Any:
    """A Piper engine for the persona's voice and rate, or None when the shared one fits."""
    if persona.voice.name == models.voice and persona.voice.rate == 1.0:
        return None
    from agent.speech.models import ModelError
    from agent.speech.tts import PiperTTS

    try:
        return PiperTTS(voice=persona.voice.name, speaking_rate=persona.voice.rate)
    except ModelError as exc:
        log.warning("room.persona_voice_missing", persona=persona.id, voice=persona.voice.name, error=str(exc))
        return None
