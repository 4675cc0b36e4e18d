"""Everything around the turns: silence, the clock, rambling, failures, prewarming, the end.

The language-model slot (``PolicyLLM``) only runs when the candidate
finishes a turn. An interviewer also acts when nothing is said: it nudges a
silent candidate, warns about and calls time, cuts off a monologue (if the
persona does), apologises when speech fails, and hangs up after the wrap-up.
``RoundSupervisor`` does those from session events and one background task
that wakes every ``TICK_S``.

It also starts the probe cache rendering the interviewer's possible next
lines as soon as the candidate starts talking, and copies the framework's
latency figures onto the turn log when each spoken message lands in the
history.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable
from typing import Any

from livekit.agents import AgentSession, utils
from livekit.agents.llm import ChatMessage
from livekit.agents.voice.events import (
    AgentStateChangedEvent,
    CloseEvent,
    ConversationItemAddedEvent,
    ErrorEvent,
    UserStateChangedEvent,
)

from agent.interview.policy import pick
from agent.logs import get_logger
from agent.voice.bridge import InterviewerAgent
from agent.voice.conductor import Reply, RoundConductor, TurnLog
from agent.voice.probe_cache import ProbeAudioCache

log = get_logger(__name__)

TICK_S = 1.0
APOLOGY_GAP_S = 4.0  # never apologise twice in a row for one burst of failures
SAY_TIMEOUT_S = 60.0


class RoundSupervisor:
    """Attach to a started session; call :meth:`aclose` after the session ends."""

    def __init__(self, session: AgentSession, conductor: RoundConductor, cache: ProbeAudioCache | None) -> None:
        self.session = session
        self.conductor = conductor
        self.cache = cache
        self.also_close: list[Callable[[], Awaitable[None]]] = []  # closed with the round (the turn gate)
        self.apologies = 0
        self._tasks: set[asyncio.Task[Any]] = set()
        self._ticker: asyncio.Task[None] | None = None
        self._closing = False
        self._shutdown_requested = False
        self._last_apology = 0.0
        # silence is counted from the end of the last interviewer line that was not a nudge
        self._silence_since: float | None = None
        self._speaking_nudge = False
        self._answer_started: float | None = None
        self._cut_requested = False
        self._last_spoken_text = ""
        self._handles: set[Any] = set()  # lines said by the supervisor and not yet played out
        self.closed = asyncio.Event()

    # ------------------------------------------------------------------ wiring

    def attach(self) -> None:
        """Subscribe to the session and start the background task."""
        s = self.session
        s.on("agent_state_changed", self._on_agent_state)
        s.on("user_state_changed", self._on_user_state)
        s.on("conversation_item_added", self._on_item)
        s.on("error", self._on_error)
        s.on("close", self._on_close)
        self._ticker = asyncio.create_task(self._tick_loop(), name="RoundSupervisor.tick")

    def _spawn(self, coro: Any, name: str) -> None:
        task = asyncio.create_task(coro, name=name)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    # ------------------------------------------------------------------ events

    def _on_agent_state(self, ev: AgentStateChangedEvent) -> None:
        if ev.new_state == "speaking":
            self._silence_since = None
            # the live reply is rendered within its first moments; then the engine is idle
            self._spawn(self._prewarm(delay=0.3), "RoundSupervisor.prewarm")
        elif ev.old_state == "speaking" and ev.new_state == "listening":
            if not self._speaking_nudge or self._silence_since is None:
                self._silence_since = time.monotonic()
            self._speaking_nudge = False
            self._answer_started = None
            self._cut_requested = False

    def _on_user_state(self, ev: UserStateChangedEvent) -> None:
        if ev.new_state == "speaking":
            self._silence_since = None
            if self._answer_started is None:
                self._answer_started = time.monotonic()
            self._spawn(self._prewarm(), "RoundSupervisor.prewarm")

    def _on_item(self, ev: ConversationItemAddedEvent) -> None:
        item = ev.item
        if not isinstance(item, ChatMessage):
            return
        if item.role == "user":
            self._answer_started = None
            self._cut_requested = False
        elif item.role == "assistant":
            self.conductor.record_agent_message(
                item.text_content or "", dict(item.metrics), interrupted=bool(item.interrupted)
            )

    def _on_error(self, ev: ErrorEvent) -> None:
        kind = getattr(ev.error, "type", "")
        if kind not in ("stt_error", "tts_error") or self._closing:
            return
        log.warning("voice.speech_error", kind=kind, recoverable=bool(getattr(ev.error, "recoverable", False)),
                    error=str(getattr(ev.error, "error", "")))
        now = time.monotonic()
        if now - self._last_apology < APOLOGY_GAP_S:
            return
        self._last_apology = now
        self._spawn(self._apologise(repeat=kind == "tts_error"), "RoundSupervisor.apology")

    def _on_close(self, ev: CloseEvent) -> None:
        log.info("voice.session_closed", reason=str(ev.reason))
        self._spawn(self.aclose(), "RoundSupervisor.aclose")

    # ------------------------------------------------------------------ actions

    async def _prewarm(self, delay: float = 0.0) -> None:
        if self.cache is None or self.conductor.done:
            return
        if delay:
            await asyncio.sleep(delay)
        texts = await self.conductor.upcoming_texts()
        lexicon = getattr(self.conductor.logged.bank, "lexicon", None)
        if self.conductor.round.persona.turn_taking.mode == "two-gate" and lexicon is not None:
            texts = [*lexicon.acknowledgements, *texts]  # said the instant an answer ends: always cached
        self.cache.prewarm_texts(texts)

    def say(self, text: str, *, nudge: bool = False) -> Any:
        """Speak a line the supervisor (not a candidate turn) produced; returns its SpeechHandle or None."""
        if not text or self._closing:
            return None
        self._speaking_nudge = nudge
        self._last_spoken_text = text
        try:
            handle = self.session.say(text)
        except RuntimeError:  # the session is closing
            log.info("voice.say_skipped_closing")
            return None
        self._handles.add(handle)
        handle.add_done_callback(self._handles.discard)
        return handle

    def _say_reply(self, reply: Reply, *, nudge: bool = False) -> None:
        for text in reply.texts:
            self.say(text, nudge=nudge)

    async def _apologise(self, *, repeat: bool) -> None:
        persona = self.conductor.round.persona
        self.apologies += 1
        line = pick(persona.lines.apology, self.conductor.round.meta.round_id, "apology", self.apologies)
        text = line
        if repeat:
            # the failed line never reached the candidate: say the latest decision again
            last = self._last_decided_text()
            if last:
                text = f"{line} {last}"
        log.info("voice.apology", repeat=repeat)
        self.conductor.turns.append(
            TurnLog(index=len(self.conductor.turns), source="apology", heard=None, question_id=None,
                    action="apology", probe_id=None, interviewer_text=text, interviewer_kinds=["apology"])
        )
        self.say(text)

    def _last_decided_text(self) -> str:
        for entry in reversed(self.conductor.turns):
            if entry.source != "apology" and entry.interviewer_text:
                return entry.interviewer_text
        return self._last_spoken_text

    async def _tick_loop(self) -> None:
        while not self._closing:
            await asyncio.sleep(TICK_S)
            try:
                await self._tick_once()
            except Exception:  # noqa: BLE001 - the loop must outlive one bad tick
                log.exception("voice.tick_failed")

    async def _tick_once(self) -> None:
        s = self.session
        c = self.conductor
        if c.done:
            if (
                not self._shutdown_requested
                and not self._handles
                and s.current_speech is None
                and s.agent_state != "speaking"
            ):
                self._shutdown_requested = True
                log.info("voice.round_done_closing")
                s.shutdown(drain=True)
            return
        if not c.started:
            return
        self._say_reply(await c.tick())
        if c.done:
            return
        now = time.monotonic()
        user_speaking = s.user_state == "speaking"
        # rambling: the persona decides; commit the turn so the core hears the answer so far
        if (
            user_speaking
            and self._answer_started is not None
            and not self._cut_requested
            and c.round.should_cut_off(now - self._answer_started, len(self._unanswered_text().split()))
        ):
            self._cut_requested = True
            log.info("voice.cut_off_requested", seconds=round(now - self._answer_started, 1))
            s.commit_user_turn()
            return
        idle = (
            not user_speaking
            and s.agent_state == "listening"
            and s.current_speech is None
            and self._silence_since is not None
        )
        if idle:
            assert self._silence_since is not None
            reply = await c.silence(now - self._silence_since)
            self._say_reply(reply, nudge=any(t.kind == "nudge" for t in reply.interviewer))

    # ------------------------------------------------------------------ end

    def _unanswered_text(self) -> str:
        """Words the candidate said that no reply has taken up yet (they are kept, not answered)."""
        with contextlib.suppress(Exception):  # no agent yet, or the session is already gone
            agent = self.session.current_agent
            if isinstance(agent, InterviewerAgent):
                return agent.unanswered_text()
        return ""

    async def aclose(self, *, reason: str = "stopped") -> None:
        """Stop the background task and end the round if it is still open (idempotent)."""
        if self._closing:
            await self.closed.wait()
            return
        self._closing = True
        try:
            tasks = [t for t in self._tasks if t is not asyncio.current_task()]
            if self._ticker is not None:
                tasks.append(self._ticker)
            await utils.aio.cancel_and_wait(*tasks)
            with contextlib.suppress(Exception):
                self.session.off("agent_state_changed", self._on_agent_state)
                self.session.off("user_state_changed", self._on_user_state)
                self.session.off("conversation_item_added", self._on_item)
                self.session.off("error", self._on_error)
                self.session.off("close", self._on_close)
            if self.cache is not None:
                await self.cache.aclose()
            for close in self.also_close:
                with contextlib.suppress(Exception):
                    await close()
            await self.conductor.aclose(reason=reason, last_words=self._unanswered_text())
        finally:
            self.closed.set()
