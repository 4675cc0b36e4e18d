"""The interviewer agent: when a candidate's turn is over, and what the session says between turns.

The interview core stands where the language model would (see
``policy_llm.py``); this agent decides when the candidate has finished. A
turn ends at once when the candidate says so (a spoken closer, the page's
Done button, Enter); a turn that stops mid-sentence is held for the rest
(``endpointing.py``); and with two gates (``turn_gate.py``) a short quiet is
enough when the core reads the words as finished and the audio model agrees,
and the interviewer acknowledges at once ("Okay.") before replying. The core
looks ahead at the words while the candidate pauses, so the end of a turn
waits neither for the transcript gate nor for the reply to be chosen.

Each interviewer turn of a reply (say an acknowledgement, then the next
question) is streamed as its own chunk, and ``llm_node`` puts a flush marker
between them: the session then synthesizes each turn as its own segment,
which is also how the probe cache pre-split them, so cached sentences match
exactly.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import deque
from collections.abc import AsyncIterable, Sequence
from typing import Any

from livekit import rtc
from livekit.agents import Agent, StopResponse, llm, stt
from livekit.agents.llm import ChatChunk
from livekit.agents.types import FlushSentinel
from livekit.agents.voice import ModelSettings

from agent.interview.completeness import looks_unfinished
from agent.interview.turn_end import closer_at_end, without_closer
from agent.logs import get_logger
from agent.voice import endpointing as ep
from agent.voice.backchannel import is_backchannel
from agent.voice.conductor import RoundConductor
from agent.voice.endpointing import MAX_HOLDS, VAD_MIN_SILENCE_S, TurnHold
from agent.voice.turn_gate import LENGTH_DOUBTS, AcousticTurnGate, GateCall, ask_two_gates

log = get_logger(__name__)

INSTRUCTIONS = (
    "You are a mock interviewer. Replies come from a deterministic interview policy, "
    "not from a language model."
)


MAX_UNANSWERED_FINALS = 64  # final transcripts kept for one turn; a turn is rarely more than a few




class InterviewerAgent(Agent):
    """Speaks the opening on entry and keeps each interviewer turn a separate TTS segment."""

    def __init__(self, *, conductor: RoundConductor, hold_unfinished: bool = True,
                 closers: Sequence[str] = (), turn_gate: AcousticTurnGate | None = None,
                 acknowledgements: Sequence[str] = (), **kwargs: Any) -> None:
        """``hold_unfinished``: wait for the rest of a turn that stops mid-sentence (see endpointing.py);
        ``closers``: what a candidate says to end the turn at once (see agent/interview/turn_end.py);
        ``turn_gate``: the audio turn model of a two-gate persona (see turn_gate.py), fed every input frame;
        ``acknowledgements``: what it says the instant both gates call an answer finished, before replying.
        """
        super().__init__(instructions=INSTRUCTIONS, **kwargs)
        self._conductor = conductor
        self._turn_gate = turn_gate
        self._acks = tuple(acknowledgements)
        self.acks_said = 0  # fast ends of turn acknowledged, for tests and benchmarks
        self.acks_taken_back = 0  # ... after which the candidate went on talking
        self._acked_answer = False  # this answer already had its acknowledgement: one per answer
        self.hold_reasons: list[str] = []  # why each held turn was held, for tests and benchmarks
        self._closers = tuple(closers)
        self.closer_commits = 0  # turns the candidate ended by saying so, for tests and benchmarks
        self._close_task: asyncio.Task[None] | None = None
        self._done_requested_at: float | None = None  # when the candidate pressed Done, awaiting words
        self.backchannels_ignored = 0
        self.hold_unfinished = hold_unfinished
        self.hold = TurnHold()
        self.holds = 0  # how many turns were held, for benchmarks
        self._flush_task: asyncio.Task[None] | None = None
        # final transcripts of the turn in progress, not yet handed to the core
        self._unanswered: deque[str] = deque(maxlen=MAX_UNANSWERED_FINALS)
        # every two-gate decision, for tests and benchmarks (in memory only, like the words it judges)
        self.gate_calls: deque[GateCall] = deque(maxlen=MAX_UNANSWERED_FINALS)
        self.ask_voice_always = False  # benchmarks: ask the audio model even when the words are not finished
        self._judging = ""  # the words the gates are being asked about right now
        self._ack_handle: Any = None  # the acknowledgement being said, if any
        self._spoke_since_ack = True  # the candidate spoke after the last "Okay." (or none was said)
        self._epoch = 0  # answers handed to the core so far: a judgement that outlived its answer is dropped
        self._closed_words: tuple[str, float] | None = None  # what the last explicit end answered, and when
        self._answer_started_at: float | None = None  # wall clock: when the answer in progress began
        self._answer_stopped_at: float | None = None  # ... and when its speech last stopped

    @property
    def conductor(self) -> RoundConductor:
        """The round this agent speaks for."""
        return self._conductor

    async def on_enter(self) -> None:
        """Open the round: the policy stream sees no user message yet and returns the opening."""
        self.session.on("user_state_changed", self._on_user_state)
        self.session.generate_reply()

    def _on_user_state(self, ev: Any) -> None:
        """Time the answer in progress, and look ahead at it the moment the candidate goes quiet."""
        log.debug("voice.user_state", old=ev.old_state, new=ev.new_state, at=ev.created_at)
        if ev.new_state == "speaking":
            self._spoke_since_ack = True
            if not self.unanswered_text():
                self._answer_started_at, self._answer_stopped_at = ev.created_at, None
        elif ev.old_state == "speaking":
            self._answer_stopped_at = ev.created_at  # the framework dates the change at the last speech
            self._look_ahead()

    def _speaking_estimate(self) -> float | None:
        started, stopped = self._answer_started_at, self._answer_stopped_at
        return stopped - started if started and stopped and stopped >= started else None

    def _look_ahead(self) -> None:
        """Let the core judge the words so far while the candidate pauses (recomputed only when they change)."""
        text = self.unanswered_text()
        if text and not self._conductor.done:
            self._conductor.speculate(without_closer(text, self._closers), speaking_s=self._speaking_estimate())

    def _interviewer_mid_speech(self, *, ack_counts: bool = True) -> bool:
        speech = self.session.current_speech
        if not ack_counts and speech is not None and speech is self._ack_handle:
            return False  # "Okay." said over a finished answer: the reply to that answer is still to come
        return speech is not None and not speech.interrupted and not speech.done()

    async def stt_node(
        self, audio: AsyncIterable[rtc.AudioFrame], model_settings: ModelSettings
    ) -> AsyncIterable[stt.SpeechEvent]:
        """Drop a backchannel said over the interviewer, so a paused line resumes instead of ending.

        Without a final transcript the framework treats the overlap as a false
        interruption and resumes the paused speech after a short timeout.
        """
        async for event in Agent.default.stt_node(self, self._tap(audio), model_settings):
            if (
                isinstance(event, stt.SpeechEvent)
                and event.type == stt.SpeechEventType.FINAL_TRANSCRIPT
                and event.alternatives
                and self._interviewer_mid_speech()
                and is_backchannel(event.alternatives[0].text)
            ):
                log.info("voice.backchannel_ignored", pii={"text": event.alternatives[0].text})
                self.backchannels_ignored += 1
                continue
            if (isinstance(event, stt.SpeechEvent) and event.type == stt.SpeechEventType.FINAL_TRANSCRIPT
                    and event.alternatives and event.alternatives[0].text.strip()):
                self._unanswered.append(event.alternatives[0].text.strip())
                self._look_ahead()
                asked = self._done_requested_at is not None and (
                    asyncio.get_running_loop().time() - self._done_requested_at < ep.DONE_REACH_S)
                # with a short framework wait its own end of turn comes at once and sees the closer or the press
                # (on_user_turn_completed); a reply started here would be cut by it
                if not self._framework_ends_soon() and (asked or (
                        self._closers and not self._conductor.done
                        and closer_at_end(self.unanswered_text(), self._closers))):
                    self._done_requested_at = None
                    self._close_task = asyncio.create_task(self._end_turn_now(), name="InterviewerAgent.close_turn")
            yield event

    async def _tap(self, audio: AsyncIterable[rtc.AudioFrame]) -> AsyncIterable[rtc.AudioFrame]:
        """Every input frame also goes to the audio turn model, when the persona uses one."""
        gate = self._turn_gate
        async for frame in audio:
            if gate is not None:
                gate.push(frame)
            yield frame

    def request_end_of_turn(self) -> None:
        """The candidate pressed Done: answer what they said, now, or as soon as its transcript arrives."""
        if self._conductor.done or self._interviewer_mid_speech(ack_counts=False):
            return
        # words the framework has not ended as a turn yet: with a short framework wait that end comes at once,
        # and a reply started before it would be cut by it, so the press waits for it (on_user_turn_completed)
        uncommitted = bool(self._unanswered or self._judging) and self._framework_ends_soon()
        if self.unanswered_text() and self.session.user_state != "speaking" and not uncommitted:
            self._close_task = asyncio.create_task(self._end_turn_now(), name="InterviewerAgent.close_turn")
        else:  # the last words are still being transcribed or judged: end the turn when they are in
            self._done_requested_at = asyncio.get_running_loop().time()
        log.info("voice.done_pressed")

    def _framework_ends_soon(self) -> bool:
        """Does the framework end a turn within moments of the last word (a two-gate persona's short quiet)?"""
        tt = self._conductor.round.persona.turn_taking
        return float(tt.min_endpointing_delay_s) <= ep.FRAMEWORK_SOON_S

    async def _end_turn_now(self) -> None:
        """The candidate said they are done: answer now, instead of after the silence wait.

        The reply is generated at once from the words so far. The framework's
        own turn is committed without a reply of its own (``skip_reply``),
        so when its silence timer runs out it only records the words and
        does not interrupt the reply already being spoken.
        """
        # The transcript can arrive a moment before the voice detector calls the speech over; a reply
        # started then would count as talked over and be cut. Wait for that, briefly.
        if self.session.user_state == "speaking":
            quiet = asyncio.Event()

            def on_state(ev: Any) -> None:
                if ev.new_state != "speaking":
                    quiet.set()

            self.session.on("user_state_changed", on_state)
            try:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(quiet.wait(), ep.USER_SILENCE_WAIT_S)
            finally:
                self.session.off("user_state_changed", on_state)
        text = self.unanswered_text()
        if not text or self._conductor.done or self._interviewer_mid_speech(ack_counts=False) or \
                self.session.user_state == "speaking":
            return  # more speech came: the closer was not the end after all
        self._cancel_flush()
        self.hold.take()
        self._unanswered.clear()
        # the framework may still end these words as its own turn a moment later: that turn ends nothing
        self._closed_words = (text, asyncio.get_running_loop().time())
        self.closer_commits += 1
        self._answer_handed_over()
        log.info("voice.turn_closed_by_candidate")
        self._conductor.note_speech_end(self._answer_stopped_at)
        self.session.generate_reply(user_input=without_closer(text, self._closers))
        # a moment later, once the framework has scheduled its own end-of-turn for these words: this
        # commit replaces that one, so the silence timer ends in a turn with no reply of its own
        asyncio.get_running_loop().call_later(ep.COMMIT_AFTER_S, self._commit_without_reply)

    def _commit_without_reply(self) -> None:
        with contextlib.suppress(RuntimeError):  # the session closed meanwhile: nothing left to commit
            self.session.commit_user_turn(skip_reply=True)

    def unanswered_text(self) -> str:
        """What the candidate said that the core has not seen yet: a held fragment, words the gates are judging,
        and uncommitted finals.
        """
        parts = [self.hold.text] if self.hold.active else []
        if self._judging:
            parts.append(self._judging)
        parts.extend(self._unanswered)
        return " ".join(" ".join(parts).split())

    async def on_user_turn_completed(self, turn_ctx: llm.ChatContext, new_message: llm.ChatMessage) -> None:
        """Join a held fragment to this turn, or hold this turn if it stops mid-sentence."""
        self._unanswered.clear()  # this turn carries them to the core (or into the hold)
        text = " ".join((new_message.text_content or "").split())
        if self.hold.acknowledged and not self._spoke_since_ack and text:
            return await self._late_words(text)
        self._cancel_flush()
        closed, self._closed_words = self._closed_words, None
        now = asyncio.get_running_loop().time()
        if closed and text and closed[0].endswith(text) and now - closed[1] < ep.CLOSED_ECHO_S:
            raise StopResponse()  # the framework's own end of words the candidate's "I'm done" already answered
        count = 0
        if self.hold.active:
            if self.hold.acknowledged:
                self.acks_taken_back += 1
                log.info("voice.acknowledgement_taken_back")
            held, started, count = self.hold.take()
            text = f"{held} {text}".strip()
            new_message.content = [text]
            if started:
                new_message.metrics["started_speaking_at"] = started
        if self._explicit_end(text):  # the candidate said they are done, or pressed Done: no gate to ask
            return self._closed_by_candidate(new_message, text)
        # a two-gate persona holds as often as the gates say so: each hold ends only in its full quiet wait
        may_hold = count < MAX_HOLDS or self._turn_gate is not None
        epoch, self._judging = self._epoch, text
        try:
            reason, sounds_done = await self._unfinished(text) \
                if self.hold_unfinished and may_hold and not self._conductor.done else (None, False)
        finally:
            self._judging = ""
        if self._epoch != epoch:
            raise StopResponse()  # the turn was ended another way while the gates were asked
        if self._explicit_end(text):  # Done was pressed while the gates were asked
            return self._closed_by_candidate(new_message, text)
        if reason is None and self.session.user_state == "speaking":
            reason = "speaking"  # late words of a turn the candidate has already gone on from: never answer over them
        if reason is not None:
            self.hold.hold(text, started_speaking_at=new_message.metrics.get("started_speaking_at"), count=count + 1,
                           stopped_speaking_at=new_message.metrics.get("stopped_speaking_at"))
            self.holds += 1
            self.hold_reasons.append(reason)
            log.info("voice.turn_held", count=count + 1, reason=reason)
            # only the voice doubts words that read as finished, or the words are whole but thin and the voice
            # sounds done: a later "Okay." once the quiet has lasted; a thin answer's reply still waits the long quiet
            thin = reason in LENGTH_DOUBTS and sounds_done
            late_ack = self._ack_after_doubt_s() if (reason == "voice" or thin) and self._may_acknowledge() else None
            self._flush_task = asyncio.create_task(self._flush_later(ack_after_s=late_ack, patient=thin),
                                                   name="InterviewerAgent.flush_hold")
            raise StopResponse()
        if self._may_acknowledge():
            # both gates say finished: acknowledge now, reply after a short quiet, unless they go on
            self.hold.hold(text, started_speaking_at=new_message.metrics.get("started_speaking_at"), count=count,
                           stopped_speaking_at=new_message.metrics.get("stopped_speaking_at"))
            handle = self._acknowledge()
            self._flush_task = asyncio.create_task(self._flush_later(after=handle), name="InterviewerAgent.flush_ack")
            raise StopResponse()
        self._answer_handed_over()

    def _may_acknowledge(self) -> bool:
        return self._turn_gate is not None and bool(self._acks) and not self._acked_answer and \
            not self._conductor.done

    def _acknowledge(self) -> Any:
        """Say the cached "Okay." for the held answer; speaking over it takes it back."""
        self.hold.acknowledged = self._acked_answer = True
        self.acks_said += 1
        ack = self._acks[self.acks_said % len(self._acks)]
        handle = self._ack_handle = self.session.say(ack, add_to_chat_ctx=False, allow_interruptions=True)
        self._spoke_since_ack = False
        log.info("voice.turn_acknowledged")
        return handle

    async def _late_words(self, text: str) -> None:
        """The last words of an answer already acknowledged, transcribed after the framework ended the turn.

        Nobody spoke since the "Okay.": these words belong to the answer it acknowledged, not to a new
        turn. They join it; the reply still follows the acknowledgement's grace, unless the words now stop
        mid-phrase, in which case the answer waits the long quiet like any unfinished one.
        """
        self.hold.text = f"{self.hold.text} {text}".strip()
        if self._explicit_end(self.hold.text):  # the late words were "that's my answer": reply now
            self._cancel_flush()
            self.closer_commits += 1
            log.info("voice.turn_closed_by_candidate")
            self._reply_to_hold()
            raise StopResponse()
        outlook = await self._conductor.outlook(self.hold.text, speaking_s=self._speaking_estimate())
        if outlook.unfinished is not None and self.hold.acknowledged:
            self.hold.acknowledged = False
            self.hold_reasons.append(outlook.unfinished)
            log.info("voice.turn_held", count=self.hold.count, reason=outlook.unfinished, late=True)
        raise StopResponse()

    def _closed_by_candidate(self, message: llm.ChatMessage, text: str) -> None:
        """Hand this turn to the core as the framework ended it, without its closing words."""
        message.content = [without_closer(text, self._closers)]
        self.closer_commits += 1
        self._answer_handed_over()
        log.info("voice.turn_closed_by_candidate")

    def _explicit_end(self, text: str) -> bool:
        """The words end on a closer, or Done was pressed while they were still being transcribed."""
        pressed = self._done_requested_at is not None and (
            asyncio.get_running_loop().time() - self._done_requested_at < ep.DONE_REACH_S)
        if pressed or (self._closers and closer_at_end(text, self._closers)):
            self._done_requested_at = None
            return True
        return False

    def _answer_handed_over(self) -> None:
        """The core gets this answer now: the next one starts afresh for the gates and the acknowledgement."""
        self._epoch += 1
        self._acked_answer = False
        if self._turn_gate is not None:
            self._turn_gate.turn_over()

    async def _unfinished(self, text: str) -> tuple[str | None, bool]:
        """Why this turn should wait for more (None: answer it now), and whether the voice sounded finished.

        One gate (``vad``, ``v1-mini``): only a turn that stops mid-sentence waits. Two gates: the words
        must read as finished for this question and the voice must sound finished, or the turn waits.
        """
        if self._turn_gate is None:
            return ("trailing" if looks_unfinished(text) else None), False
        reason, call = await ask_two_gates(self._conductor, self._turn_gate, text, speaking_s=self._speaking_estimate(),
                                           quiet_since=self._answer_stopped_at, ask_voice_always=self.ask_voice_always)
        self.gate_calls.append(call)
        return reason, bool(call.voice)

    def _long_wait_s(self) -> float:
        """How much quiet after the last word answers a held turn as it stands: the persona's longest wait.

        A one-gate persona's framework wait already ran on top of the voice detector's own silence before
        the turn was held, so its hold ends that much later, as it always has.
        """
        tt = self._conductor.round.persona.turn_taking
        return float(tt.max_endpointing_delay_s) + (0.0 if self._turn_gate is not None else VAD_MIN_SILENCE_S)

    def _reply_after_ack_s(self) -> float:
        return float(self._conductor.round.persona.turn_taking.reply_after_ack_s)

    def _ack_after_doubt_s(self) -> float | None:
        seconds = float(self._conductor.round.persona.turn_taking.ack_after_doubt_s)
        return seconds if seconds > 0 else None

    def _quiet_s(self, held_at: float) -> float:
        """Seconds since the candidate's last word (since the hold, when the voice detector has not said)."""
        stopped = self._answer_stopped_at
        return time.time() - stopped if stopped is not None else asyncio.get_running_loop().time() - held_at

    async def _flush_later(self, *, after: Any = None, ack_after_s: float | None = None, patient: bool = False) -> None:
        """No more words came: answer the held ones as they are.

        ``after``: the acknowledgement being spoken; the reply follows ACK_GRACE_S after it has played,
        unless the candidate speaks. ``ack_after_s``: words held only because the voice sounded unfinished, or
        whole but thin words the voice calls finished; once the candidate has been quiet this long (and not gone
        on), the "Okay." is said then and the reply follows it the same way, or, ``patient`` (the thin ones),
        after the persona's longest wait. Otherwise the reply waits until the candidate has been quiet for the
        persona's longest wait, counted from their last word.
        """
        loop = asyncio.get_running_loop()
        held_at = loop.time()
        grace_ends = await self._after_acknowledgement(after) if after is not None else 0.0
        wait_s = self._long_wait_s()
        resumed = False
        while True:
            await asyncio.sleep(ep.FLUSH_POLL_S)
            if not self.hold.active:
                return  # the continuation's turn took it
            if self.session.user_state == "speaking":
                resumed = True  # the rest is coming: its own turn picks the hold up when it ends
                continue
            if after is None and ack_after_s is not None and not resumed and self._quiet_s(held_at) >= ack_after_s \
                    and self._may_acknowledge():
                after = self._acknowledge()
                grace_ends = await self._after_acknowledgement(after)
                continue
            # after an acknowledgement nobody talked over, the reply follows its short grace; once the candidate
            # went on (or late words left it unfinished), only the long quiet or the continuation's turn ends it
            acked = after is not None and self.hold.acknowledged and not resumed
            quiet_needed = wait_s if patient else self._reply_after_ack_s()
            if (loop.time() >= grace_ends and self._quiet_s(held_at) >= quiet_needed) if acked \
                    else (self._quiet_s(held_at) >= wait_s):
                break
        log.info("voice.hold_flushed")
        self._reply_to_hold()

    @staticmethod
    async def _after_acknowledgement(handle: Any) -> float:
        """Wait for the "Okay." to play (interrupted, closed or slow to start: ACK_MAX_S at most); the loop time
        at which its grace ends.
        """
        with contextlib.suppress(Exception):
            await asyncio.wait_for(handle.wait_for_playout(), ep.ACK_MAX_S)
        return asyncio.get_running_loop().time() + ep.ACK_GRACE_S

    def _reply_to_hold(self) -> None:
        """Hand the held words to the core now (a closer's words taken off) and reply to them."""
        stopped = self.hold.stopped_speaking_at
        text, _started, _count = self.hold.take()
        self._answer_handed_over()
        self._conductor.note_speech_end(stopped or self._answer_stopped_at)
        self.session.generate_reply(user_input=without_closer(text, self._closers))

    def _cancel_flush(self) -> None:
        task = self._flush_task
        if task is not None and not task.done() and task is not asyncio.current_task():
            task.cancel()
        self._flush_task = None

    async def on_exit(self) -> None:
        """Stop a pending flush or closer; the session is going away."""
        self._cancel_flush()
        if self._turn_gate is not None:
            await self._turn_gate.aclose()
        if self._close_task is not None and not self._close_task.done():
            self._close_task.cancel()

    async def llm_node(
        self, chat_ctx: llm.ChatContext, tools: list[llm.Tool], model_settings: ModelSettings
    ) -> AsyncIterable[llm.ChatChunk | str | FlushSentinel]:
        """Pass the policy's chunks through, with a flush between interviewer turns."""
        first = True
        async for chunk in Agent.default.llm_node(self, chat_ctx, tools, model_settings):
            if isinstance(chunk, ChatChunk) and chunk.delta and chunk.delta.content:
                if not first:
                    yield FlushSentinel()
                first = False
            yield chunk
