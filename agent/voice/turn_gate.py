"""The two gates of a hands-free fast reply: the words read as finished, and the voice sounds finished.

A fixed silence long enough never to cut off a thinking pause (1.8 s) makes
every reply slow; a short one cuts people off. With ``turn_taking.mode:
two-gate`` the framework ends a turn after a short quiet
(``min_endpointing_delay_s``, about 0.3 s) and the agent then asks both gates:

- the transcript (``agent.interview.completeness``): not stopped on "and" or
  "um", no list left open, long enough for the question;
- LiveKit's local ``v1-mini`` audio turn model, fed the candidate's audio as
  it arrives, asked once per pause (it ships in ``livekit-local-inference``
  and runs in a few tens of milliseconds on a CPU).

Only when both say finished does the interviewer reply at once. Otherwise the
words are held, and the reply waits the rest of ``max_endpointing_delay_s``
of quiet, the same wait a one-gate persona always pays. An audio model that
is slow or fails counts as "not finished": the safe side is the slow reply.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from dataclasses import dataclass
from typing import Any

from livekit import rtc

from agent.logs import get_logger

log = get_logger(__name__)

# v1-mini answers in about 30 ms on a quiet host; with four rounds ending answers at once on two cores, every
# first answer's prediction missed 0.3 s (bench.browser_load --worker-log) and counted as "not finished"
PREDICTION_TIMEOUT_S = 0.6
# The audio model is asked once the candidate has been quiet this long. Asked after less (a transcript can be in
# 0.35 s after the last word), v1-mini heard too little of the pause: on the bench it called 3 more of 20
# finished answers unfinished, which then waited out the long delay.
VOICE_QUIET_S = 0.45
CLOSE_TIMEOUT_S = 2.0
# Words that are whole but thin for the question: complete sentences, no list left open, only short of what the
# question expects or not yet near one of its ideas. The voice is asked about them too, so a candidate who sounds
# done hears a later "Okay." (the reply itself still waits the long quiet: a thin start may have more coming).
LENGTH_DOUBTS = frozenset({"short", "no-idea"})


@dataclass(frozen=True, slots=True)
class GateCall:
    """One ask of the two gates at a pause, kept in memory for tests and benchmarks (never logged)."""

    text: str
    transcript: str | None  # why the words read as unfinished (agent.interview.completeness), None: finished
    voice: bool | None  # the audio model: finished or not; None when not asked, or no answer in time
    looked_ahead: bool  # the words' verdict was ready from the look-ahead made in the pause
    seconds: float  # how long the ask took once the turn had ended


def preload_turn_model() -> Any | None:
    """Load v1-mini's weights now, in a process's set-up, so a round's first frame does not (keep the result).

    The local model is loaded once per process and shared by every stream made after it; loading it takes
    about 0.2 s of CPU, which must not land on a round's event loop while the candidate's audio arrives.
    """
    try:
        from livekit.local_inference import EOT

        return EOT()
    except Exception as exc:  # noqa: BLE001 - the gate then loads (or fails) at the round, as before
        log.warning("voice.turn_model_preload_failed", error=type(exc).__name__)
        return None


async def ask_two_gates(conductor: Any, gate: Any, text: str, *, speaking_s: float | None,
                        quiet_since: float | None = None,
                        ask_voice_always: bool = False) -> tuple[str | None, GateCall]:
    """Why ``text`` should wait for more (None: answer it now), and the record of the ask.

    The words' verdict is the core's look-ahead (ready from the pause when the words have not changed since);
    the voice is asked only when the words pass or are only thin (``LENGTH_DOUBTS``), or always when a benchmark
    wants its verdict, and not before ``VOICE_QUIET_S`` after ``quiet_since`` (wall clock of the last speech, when
    known).
    """
    loop = asyncio.get_running_loop()
    asked_at = loop.time()
    late = conductor.outlooks_late
    outlook = await conductor.outlook(text, speaking_s=speaking_s)
    reason = outlook.unfinished
    voice = None
    if reason is None or reason in LENGTH_DOUBTS or ask_voice_always:
        if quiet_since is not None:
            await asyncio.sleep(max(0.0, quiet_since + VOICE_QUIET_S - time.time()))
        voice = await gate.finished()
    if reason is None and not voice:
        reason = "voice"
    return reason, GateCall(text=text, transcript=outlook.unfinished, voice=voice,
                            looked_ahead=conductor.outlooks_late == late, seconds=loop.time() - asked_at)


class AcousticTurnGate:
    """The audio half: one v1-mini stream per session, fed every input frame."""

    def __init__(self, detector: Any | None = None) -> None:
        self._detector = detector
        self._stream: Any | None = None
        self._threshold: float | None = None
        self.failed = False  # the model could not load: every answer is "not finished"
        self._closed = False

    def _ensure(self) -> Any | None:
        if self._stream is None and not self.failed and not self._closed:
            try:
                if self._detector is None:
                    from livekit.agents import inference  # the local model loads with the first spoken round

                    self._detector = inference.TurnDetector(version="v1-mini")
                self._stream = self._detector.stream()
            except Exception as exc:  # noqa: BLE001 - any load failure means: wait the long delay
                self.failed = True
                log.warning("voice.turn_gate_unavailable", error=type(exc).__name__)
        return self._stream

    def push(self, frame: rtc.AudioFrame) -> None:
        stream = self._ensure()
        if stream is not None:
            stream.push_audio(frame)

    async def finished(self) -> bool | None:
        """Does the voice sound finished? None when the model cannot say in time."""
        stream = self._ensure()
        if stream is None:
            return None
        try:
            if self._threshold is None:
                self._threshold = await stream.unlikely_threshold(None)
            event = await asyncio.wait_for(stream.predict(), PREDICTION_TIMEOUT_S)
        except (TimeoutError, Exception) as exc:  # noqa: BLE001 - a late or failed prediction is a "no"
            log.info("voice.turn_gate_no_answer", error=type(exc).__name__)
            return None
        probability = float(event.end_of_turn_probability)
        return self._threshold is None or probability >= self._threshold

    def turn_over(self) -> None:
        """The turn was answered: the next prediction hears only what comes after."""
        if self._stream is not None:
            with contextlib.suppress(Exception):
                self._stream.flush("turn")

    async def aclose(self) -> None:
        """Close the model's stream (bounded: a round's end never waits on it)."""
        stream, self._stream = self._stream, None
        self._closed = True  # closed for good: a late frame must not open a new stream
        if stream is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(stream.aclose(), CLOSE_TIMEOUT_S)
