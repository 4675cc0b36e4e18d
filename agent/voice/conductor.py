"""The one place where the voice session talks to the interview core.

The core is synchronous and writes every turn to the store the moment it
exists. Store writes are I/O, and the event loop carries the candidate's
audio, so every core call runs on one dedicated worker thread: that keeps
the loop free and also serialises the calls, which the core (not
thread-safe) needs.

While the candidate pauses, the conductor asks the core what it makes of the
words so far (``speculate``: the answer judged and the reply chosen on a copy
of the round, again only when the words change), so the end of the turn has
neither to wait for: the transcript gate reads that outlook, and the answer
takes its reply when nothing changed in between.

The conductor also remembers what it decided for each candidate turn, keyed
by the chat message, because livekit-agents may ask the language model for
the same turn twice (a retry, a false interruption): the second ask must get
the same reply, not a second probe. And it keeps a per-turn log (heard text,
action, probe, latencies) for ``interviewer simulate`` and the benchmarks.
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from agent.interview.outlook import Outlook
from agent.interview.records import Speaker, TurnRecord
from agent.interview.round import RoundClosed
from agent.logs import get_logger

if TYPE_CHECKING:
    from agent.session import LoggedRound

log = get_logger(__name__)

# what a candidate turn's chat message carries, copied onto its TurnRecord
USER_METRIC_KEYS = ("transcription_delay", "end_of_turn_delay", "on_user_turn_completed_delay")
# what the interviewer's reply message carries, copied onto the first interviewer TurnRecord
AGENT_METRIC_KEYS = ("e2e_latency", "llm_node_ttft", "tts_node_ttfb", "playback_latency")
MAX_REMEMBERED_REPLIES = 64


@dataclass
class Reply:
    """What the interviewer says for one input, and the core's records of it."""

    source: str  # start | answer | silence | tick | end | apology
    candidate: TurnRecord | None = None
    interviewer: list[TurnRecord] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)  # one entry per interviewer turn, spoken in order

    @property
    def text(self) -> str:
        return " ".join(self.texts)

    @property
    def action(self) -> str | None:
        """The kinds the interviewer turns had, e.g. ``probe`` or ``acknowledge+question``."""
        kinds = [t.kind for t in self.interviewer]
        return "+".join(kinds) if kinds else None

    @property
    def probe_id(self) -> str | None:
        return next((t.probe_id for t in self.interviewer if t.probe_id), None)


@dataclass
class TurnLog:
    """One line of the per-turn report: a candidate answer (or an interviewer-only event)."""

    index: int
    source: str
    heard: str | None
    question_id: str | None
    action: str | None
    probe_id: str | None
    interviewer_text: str
    interviewer_kinds: list[str]
    score: int | None = None
    user_metrics: dict[str, float] = field(default_factory=dict)
    agent_metrics: dict[str, float] = field(default_factory=dict)
    measured: dict[str, float] = field(default_factory=dict)  # filled by audio front ends
    speech_end_at: float | None = None  # wall clock of the answer's last word, when the agent handed it over
    interrupted: bool | None = None
    created_at: float = field(default_factory=time.time)

    def to_dict(self) -> dict[str, Any]:
        m = {**self.user_metrics, **self.agent_metrics}
        return {
            "index": self.index,
            "source": self.source,
            "heard": self.heard,
            "question_id": self.question_id,
            "action": self.action,
            "probe_id": self.probe_id,
            "interviewer_text": self.interviewer_text,
            "interviewer_kinds": self.interviewer_kinds,
            "score": self.score,
            "e2e_latency": m.get("e2e_latency"),
            "end_of_turn_delay": m.get("end_of_turn_delay"),
            "transcription_delay": m.get("transcription_delay"),
            "tts_node_ttfb": m.get("tts_node_ttfb"),
            "llm_node_ttft": m.get("llm_node_ttft"),
            "speech_end_to_first_audio": self.measured.get("speech_end_to_first_audio"),
            "measured": dict(self.measured),
            "interviewer_interrupted": self.interrupted,
        }


class RoundConductor:
    """Runs the core off the event loop and remembers each turn's decision."""

    def __init__(self, logged: LoggedRound) -> None:
        self.logged = logged
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="interview-core")
        self._replies: OrderedDict[str, Reply] = OrderedDict()
        self._pending: dict[str, asyncio.Future[Reply]] = {}
        self.turns: list[TurnLog] = []
        self._awaiting_agent_metrics: list[TurnLog] = []
        self._reply_turns: dict[int, list[TurnRecord]] = {}
        self._listeners: list[Callable[[TurnLog], None]] = []
        self._closed = False
        self._outlook: Outlook | None = None  # the latest look-ahead at the answer in progress
        self._wanted: tuple[str, float | None] | None = None  # words waiting for a look-ahead
        self._speculating: asyncio.Task[None] | None = None
        self.looked_ahead = 0  # answers whose reply came from a look-ahead made in the pause
        self._speech_end: float | None = None  # the next answer's last word, when the agent hands it over itself
        self.outlooks_late = 0  # transcript-gate verdicts that had to be worked out when the turn ended

    # ------------------------------------------------------------------ state

    @property
    def round(self):  # noqa: ANN201 - InterviewRound; typed loosely to keep imports light
        return self.logged.round

    @property
    def done(self) -> bool:
        return bool(self.logged.round.done)

    @property
    def started(self) -> bool:
        return bool(self.logged.round.turns)

    @property
    def unspoken(self) -> int:
        """Decided replies whose spoken message has not reached the history yet."""
        return len(self._awaiting_agent_metrics)

    def on_turn(self, listener: Callable[[TurnLog], None]) -> None:
        """Call ``listener`` with every new TurnLog (the simulate command prints them)."""
        self._listeners.append(listener)

    async def _call(self, fn: Callable[..., list[TurnRecord]], *args: Any, **kwargs: Any) -> list[TurnRecord]:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._pool, lambda: fn(*args, **kwargs))

    # ------------------------------------------------------------------ inputs

    async def start(self) -> Reply:
        """The opening and first question (idempotent: a second call returns nothing new)."""
        return await self._once("__start__", "start", lambda: self.logged.start() if not self.started else [])

    def speculate(self, text: str, *, speaking_s: float | None) -> None:
        """Look ahead at the answer so far, off the event loop; a newer call replaces one not started yet."""
        text = " ".join(text.split())
        if not text or self._closed or self.done:
            return
        self._wanted = (text, speaking_s)
        if self._speculating is None or self._speculating.done():
            self._speculating = asyncio.create_task(self._speculate(), name="RoundConductor.speculate")

    async def _speculate(self) -> None:
        while self._wanted is not None and not self._closed:
            text, speaking_s = self._wanted
            self._wanted = None
            known = self._outlook
            if known is not None and known.base == self.round.history_mark() and \
                    known.holds_for(text, speaking_s, known.base):
                continue
            try:
                self._outlook = await self._look(text, speaking_s)
            except Exception as exc:  # noqa: BLE001 - the pool closed with the round, or a bug: judge at the end
                self._outlook = None
                if not self._closed:
                    log.warning("voice.look_ahead_failed", error=type(exc).__name__)
                return

    async def _look(self, text: str, speaking_s: float | None) -> Outlook:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._pool, lambda: self.round.look_ahead(text, speaking_s=speaking_s))

    async def _settled(self) -> None:
        task = self._speculating
        if task is not None and not task.done() and task is not asyncio.current_task():
            await asyncio.wait({task})  # never raises: a failed look-ahead only means judging the words afresh

    async def outlook(self, text: str, *, speaking_s: float | None) -> Outlook:
        """The core's look-ahead at ``text``: the one made in the pause when it still stands, else a new one."""
        text = " ".join(text.split())
        await self._settled()
        known = self._outlook
        if known is not None and known.base == self.round.history_mark() and \
                known.holds_for(text, speaking_s, known.base):
            return known
        self.outlooks_late += 1
        self._outlook = await self._look(text, speaking_s)
        return self._outlook

    def note_speech_end(self, at: float | None) -> None:
        """When the answer the agent is about to hand over ended (wall clock): its reply's ``e2e_latency`` is
        timed from there, since the framework times only the turns it ends itself.
        """
        self._speech_end = at

    async def answer(
        self, key: str, text: str, *, speaking_s: float | None, user_metrics: dict[str, float] | None = None
    ) -> Reply:
        """Feed one committed candidate turn to the core; the same ``key`` always gets the same reply."""
        metrics = dict(user_metrics or {})
        await self._settled()  # a look-ahead at these very words may be on its way
        outlook = self._outlook

        def run() -> list[TurnRecord]:
            rnd = self.logged.round
            opened = [] if rnd.turns else self.logged.start()  # an answer racing the opening
            try:
                answered = rnd.answer(text, speaking_s=speaking_s, outlook=outlook)
            except RoundClosed:
                return []
            if outlook is not None and answered and outlook.turns and answered[0] is outlook.turns[0]:
                self.looked_ahead += 1
            turns = opened + answered
            for turn in turns:
                if turn.speaker is Speaker.CANDIDATE:
                    turn.metrics.update(metrics)  # known now, so it is stored with the turn
            return opened + self.logged.persist(turns[len(opened):])

        return await self._once(key, "answer", run, heard=text, user_metrics=metrics)

    async def silence(self, seconds: float) -> Reply:
        return self._log(Reply("silence"), await self._call(self.logged.silence, seconds))

    async def tick(self) -> Reply:
        return self._log(Reply("tick"), await self._call(self.logged.tick))

    async def end(self, reason: str, *, last_words: str = "") -> Reply:
        """End early; the partial round, with any answer heard but not yet replied to, is stored."""
        if self._closed:
            return Reply("end")
        return self._log(Reply("end"), await self._call(self.logged.end, reason, last_words=last_words),
                         heard=last_words or None)

    async def upcoming_texts(self) -> list[str]:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._pool, self.logged.round.upcoming_texts)

    async def _once(
        self,
        key: str,
        source: str,
        fn: Callable[[], list[TurnRecord]],
        *,
        heard: str | None = None,
        user_metrics: dict[str, float] | None = None,
    ) -> Reply:
        if (known := self._replies.get(key)) is not None:
            return known
        if (pending := self._pending.get(key)) is not None:
            return await asyncio.shield(pending)
        future: asyncio.Future[Reply] = asyncio.get_running_loop().create_future()
        self._pending[key] = future
        try:
            turns = await self._call(fn)
            reply = self._log(Reply(source), turns, heard=heard, user_metrics=user_metrics)
            self._replies[key] = reply
            while len(self._replies) > MAX_REMEMBERED_REPLIES:
                self._replies.popitem(last=False)
            future.set_result(reply)
            return reply
        except BaseException as exc:
            future.set_exception(exc)
            future.exception()
            raise
        finally:
            self._pending.pop(key, None)

    def _log(
        self,
        reply: Reply,
        turns: list[TurnRecord],
        *,
        heard: str | None = None,
        user_metrics: dict[str, float] | None = None,
    ) -> Reply:
        for turn in turns:
            if turn.speaker is Speaker.CANDIDATE:
                reply.candidate = turn
            else:
                reply.interviewer.append(turn)
                reply.texts.append(turn.text)
        if not turns and reply.source != "answer":
            return reply
        first = reply.candidate or (reply.interviewer[0] if reply.interviewer else None)
        speech_end = None
        if reply.source == "answer":
            speech_end, self._speech_end = self._speech_end, None
        entry = TurnLog(
            speech_end_at=speech_end,
            index=len(self.turns),
            source=reply.source,
            heard=heard,
            question_id=first.question_id if first else None,
            action=reply.action,
            probe_id=reply.probe_id,
            interviewer_text=reply.text,
            interviewer_kinds=[t.kind for t in reply.interviewer],
            score=reply.candidate.question_score if reply.candidate else None,
            user_metrics=dict(user_metrics or {}),
        )
        self.turns.append(entry)
        if reply.interviewer:
            self._awaiting_agent_metrics.append(entry)
            self._reply_turns[entry.index] = reply.interviewer
        for listener in self._listeners:
            try:
                listener(entry)
            except Exception:  # noqa: BLE001 - a printing listener must not break the round
                log.exception("voice.turn_listener_failed")
        return reply

    # ------------------------------------------------------------------ metrics

    def record_agent_message(self, text: str, metrics: dict[str, Any], *, interrupted: bool) -> TurnLog | None:
        """Attach the framework's latency figures for a spoken reply to its turn.

        Replies are spoken in the order they were decided, so the oldest turn
        still waiting whose text starts like the message is the one.
        """
        norm = " ".join((text or "").split())
        for i, entry in enumerate(self._awaiting_agent_metrics):
            said = " ".join(entry.interviewer_text.split())
            # an interrupted message holds a prefix; an apology holds the repeated line after its own words
            if norm and said and (said.startswith(norm[:40]) or said[:40] in norm):
                del self._awaiting_agent_metrics[: i + 1]
                values = {k: float(metrics[k]) for k in AGENT_METRIC_KEYS if isinstance(metrics.get(k), int | float)}
                started = metrics.get("started_speaking_at")
                if "e2e_latency" not in values and entry.speech_end_at and isinstance(started, int | float):
                    values["e2e_latency"] = max(0.0, float(started) - entry.speech_end_at)
                entry.agent_metrics.update(values)
                entry.interrupted = interrupted
                records = self._reply_turns.pop(entry.index, [])
                if records and values:
                    records[0].metrics.update(values)
                    self._store_metrics(records[0])
                return entry
        return None

    def _store_metrics(self, turn: TurnRecord) -> None:
        """Write late metrics to the store when it can update a stored turn."""
        update = getattr(self.logged.store, "update_turn_metrics", None)
        if update is None:
            return
        self._pool.submit(update, turn.round_id, turn.seq, dict(turn.metrics))

    # ------------------------------------------------------------------ lifecycle

    async def aclose(self, *, reason: str = "stopped", last_words: str = "") -> None:
        """End the round if it is still running (its transcript is already stored), then stop the worker."""
        if self._closed:
            return
        if self._speculating is not None and not self._speculating.done():
            self._speculating.cancel()
        try:
            if not self.done and self.started:
                await self.end(reason, last_words=last_words)
            elif not self.done:
                await asyncio.get_running_loop().run_in_executor(self._pool, self.logged.finish)
        finally:
            self._closed = True
            self._pool.shutdown(wait=True)
