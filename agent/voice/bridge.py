"""livekit-agents glue: the interview core stands where the language model would.

``PolicyLLM`` is an ``llm.LLM`` whose stream returns the core's decision for
the latest candidate turn. Going through the LLM slot (rather than calling
``session.say`` from a transcript callback) keeps everything the framework
does around a reply: the user turn lands in the chat history, the per-turn
latency figures (``e2e_latency``, ``end_of_turn_delay``...) are measured,
interruptions cancel the reply cleanly, and ``session.run(user_input=...)``
tests work without audio.

Each interviewer turn of a reply (say an acknowledgement, then the next
question) is streamed as its own chunk, and ``InterviewerAgent.llm_node``
puts a flush marker between them: the session then synthesizes each turn as
its own segment, which is also how the probe cache pre-split them, so cached
sentences match exactly.

An OpenAI-compatible rephrasing hook (the design allows one, inside a latency
budget) is deliberately not wired here yet; the deterministic text is what
is spoken.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
from collections import deque
from collections.abc import AsyncIterable, Sequence
from typing import Any

from livekit import rtc
from livekit.agents import Agent, APIConnectOptions, StopResponse, llm, stt, utils
from livekit.agents.llm import ChatChunk, ChoiceDelta
from livekit.agents.types import DEFAULT_API_CONNECT_OPTIONS, NOT_GIVEN, FlushSentinel, NotGivenOr
from livekit.agents.voice import ModelSettings

from agent.interview.completeness import unfinished_reason
from agent.interview.turn_end import closer_at_end, without_closer
from agent.logs import get_logger
from agent.voice.conductor import USER_METRIC_KEYS, Reply, RoundConductor
from agent.voice.endpointing import MAX_HOLDS, TurnHold, looks_unfinished
from agent.voice.turn_gate import AcousticTurnGate

log = get_logger(__name__)

INSTRUCTIONS = (
    "You are a mock interviewer. Replies come from a deterministic interview policy, "
    "not from a language model."
)


# short acknowledgements a listener makes while someone else talks (and what Whisper
# tends to hear in a cough); said over the interviewer they are not a turn
BACKCHANNEL_WORDS = frozenset(
    "mm mmm mhm hm hmm mm-hmm mm-hm uh-huh uh huh um yeah yep yes yup right okay ok sure "
    "got it i see alright all cool thanks thank you".split()
)
MAX_BACKCHANNEL_WORDS = 3
MAX_UNANSWERED_FINALS = 64  # final transcripts kept for one turn; a turn is rarely more than a few
_WORD = re.compile(r"[a-z]+(?:-[a-z]+)*")
# hums however Whisper spells them: "MMHMM", "Mhm", "Uh-huh", "Hmmm", "Ah", "Oh"
_HUM = re.compile(r"^(?:m+h*m*|h+m+|m+h+m+|u+h+h*u+h+|a+h+|o+h+|a+h+a+)$")


def _is_hum_or_ack(word: str) -> bool:
    return word in BACKCHANNEL_WORDS or bool(_HUM.match(word.replace("-", "")))


def is_backchannel(text: str) -> bool:
    """True for "Mm-hmm.", "Right, okay." and the like; False for anything with content."""
    words = _WORD.findall(text.lower())
    return 0 < len(words) <= MAX_BACKCHANNEL_WORDS and all(_is_hum_or_ack(w) for w in words)


def _last_user_message(chat_ctx: llm.ChatContext) -> tuple[int, llm.ChatMessage] | None:
    for index in range(len(chat_ctx.items) - 1, -1, -1):
        item = chat_ctx.items[index]
        if item.type == "message" and item.role == "user":
            return index, item
        if item.type == "message" and item.role == "assistant":
            # the interviewer already spoke after the last user message: nothing new to answer
            return None
    return None


def _speaking_seconds(message: llm.ChatMessage) -> float | None:
    started = message.metrics.get("started_speaking_at")
    stopped = message.metrics.get("stopped_speaking_at")
    if started and stopped and stopped >= started:
        return float(stopped - started)
    return None


class PolicyLLM(llm.LLM):
    """An LLM slot filled by the interview policy (see module docstring)."""

    def __init__(self, *, conductor: RoundConductor) -> None:
        super().__init__()
        self._conductor = conductor

    @property
    def model(self) -> str:
        """The policy is the model, for metrics labels."""
        return "interview-policy"

    @property
    def provider(self) -> str:
        """Local code, for metrics labels."""
        return "pm-interviewer"

    @property
    def conductor(self) -> RoundConductor:
        """Where decisions and the turn log live."""
        return self._conductor

    def chat(
        self,
        *,
        chat_ctx: llm.ChatContext,
        tools: list[llm.Tool] | None = None,
        conn_options: APIConnectOptions = DEFAULT_API_CONNECT_OPTIONS,
        parallel_tool_calls: NotGivenOr[bool] = NOT_GIVEN,
        tool_choice: NotGivenOr[llm.ToolChoice] = NOT_GIVEN,
        extra_kwargs: NotGivenOr[dict[str, Any]] = NOT_GIVEN,
    ) -> PolicyStream:
        """Stream the core's reply to the latest user message (or the opening, before any)."""
        return PolicyStream(self, chat_ctx=chat_ctx, tools=tools or [], conn_options=conn_options)


class PolicyStream(llm.LLMStream):
    """One reply: one chunk per interviewer turn."""

    def __init__(
        self, policy: PolicyLLM, *, chat_ctx: llm.ChatContext, tools: list[llm.Tool], conn_options: APIConnectOptions
    ) -> None:
        # the policy is local and deterministic: a retry would only repeat the same call
        super().__init__(
            policy, chat_ctx=chat_ctx, tools=tools, conn_options=APIConnectOptions(max_retry=0,
                                                                                    timeout=conn_options.timeout)
        )
        self._policy = policy
        self.reply: Reply | None = None

    async def _decide(self) -> Reply:
        conductor = self._policy.conductor
        found = _last_user_message(self._chat_ctx)
        if found is None:
            if not conductor.started:
                return await conductor.start()
            return Reply("none")
        index, message = found
        text = " ".join((message.text_content or "").split())
        # the message id survives re-generation; content and position are the fallback key
        key = message.id or f"{index}:{text}"
        metrics = {k: float(v) for k in USER_METRIC_KEYS if isinstance(v := message.metrics.get(k), int | float)}
        return await conductor.answer(key, text, speaking_s=_speaking_seconds(message), user_metrics=metrics)

    async def _run(self) -> None:
        self.reply = await self._decide()
        request_id = utils.shortuuid("policy_")
        texts = self.reply.texts
        for i, text in enumerate(texts):
            # a trailing space keeps the turns apart in the chat history once joined
            content = text if i == len(texts) - 1 else text + " "
            self._event_ch.send_nowait(
                ChatChunk(id=request_id, delta=ChoiceDelta(role="assistant", content=content))
            )


# How long after answering a closer the framework's pending turn is committed without a reply.
COMMIT_AFTER_S = 0.1
# How long a closer waits for the voice detector to call the candidate's speech over.
USER_SILENCE_WAIT_S = 1.0
# How long after Done is pressed the next transcript still counts as the end of the answer.
DONE_REACH_S = 5.0
# After an acknowledgement has played, how long a quiet candidate waits for the reply; speaking takes it back.
ACK_GRACE_S = 0.6
# The longest an acknowledgement may take to play before the quiet is counted anyway.
ACK_MAX_S = 1.5


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

    @property
    def conductor(self) -> RoundConductor:
        """The round this agent speaks for."""
        return self._conductor

    async def on_enter(self) -> None:
        """Open the round: the policy stream sees no user message yet and returns the opening."""
        self.session.generate_reply()

    def _interviewer_mid_speech(self) -> bool:
        speech = self.session.current_speech
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
                asked = self._done_requested_at is not None and (
                    asyncio.get_running_loop().time() - self._done_requested_at < DONE_REACH_S)
                if asked or (self._closers and not self._conductor.done
                             and closer_at_end(self.unanswered_text(), self._closers)):
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
        if self._conductor.done or self._interviewer_mid_speech():
            return
        if self.unanswered_text() and self.session.user_state != "speaking":
            self._close_task = asyncio.create_task(self._end_turn_now(), name="InterviewerAgent.close_turn")
        else:  # the last words are still being transcribed: end the turn when they arrive
            self._done_requested_at = asyncio.get_running_loop().time()
        log.info("voice.done_pressed")

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
                    await asyncio.wait_for(quiet.wait(), USER_SILENCE_WAIT_S)
            finally:
                self.session.off("user_state_changed", on_state)
        text = self.unanswered_text()
        if not text or self._conductor.done or self._interviewer_mid_speech() or self.session.user_state == "speaking":
            return  # more speech came: the closer was not the end after all
        self._cancel_flush()
        self.hold.take()
        self._unanswered.clear()
        self.closer_commits += 1
        self._answer_handed_over()
        log.info("voice.turn_closed_by_candidate")
        self.session.generate_reply(user_input=without_closer(text, self._closers))
        # a moment later, once the framework has scheduled its own end-of-turn for these words: this
        # commit replaces that one, so the silence timer ends in a turn with no reply of its own
        asyncio.get_running_loop().call_later(COMMIT_AFTER_S, self._commit_without_reply)

    def _commit_without_reply(self) -> None:
        with contextlib.suppress(RuntimeError):  # the session closed meanwhile: nothing left to commit
            self.session.commit_user_turn(skip_reply=True)

    def unanswered_text(self) -> str:
        """What the candidate said that the core has not seen yet: a held fragment and uncommitted finals."""
        parts = [self.hold.text] if self.hold.active else []
        parts.extend(self._unanswered)
        return " ".join(" ".join(parts).split())

    async def on_user_turn_completed(self, turn_ctx: llm.ChatContext, new_message: llm.ChatMessage) -> None:
        """Join a held fragment to this turn, or hold this turn if it stops mid-sentence."""
        self._cancel_flush()
        self._unanswered.clear()  # this turn carries them to the core (or into the hold)
        text = " ".join((new_message.text_content or "").split())
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
        # a two-gate persona holds as often as the gates say so: each hold ends only in its full quiet wait
        may_hold = count < MAX_HOLDS or self._turn_gate is not None
        reason = await self._unfinished(text) if self.hold_unfinished and may_hold and not self._conductor.done \
            else None
        if reason is not None:
            self.hold.hold(text, started_speaking_at=new_message.metrics.get("started_speaking_at"), count=count + 1)
            self.holds += 1
            self.hold_reasons.append(reason)
            log.info("voice.turn_held", count=count + 1, reason=reason)
            self._flush_task = asyncio.create_task(self._flush_later(), name="InterviewerAgent.flush_hold")
            raise StopResponse()
        if self._turn_gate is not None and self._acks and not self._acked_answer and not self._conductor.done:
            # both gates say finished: acknowledge now, reply after a short quiet, unless they go on
            self.hold.hold(text, started_speaking_at=new_message.metrics.get("started_speaking_at"), count=count)
            self.hold.acknowledged = self._acked_answer = True
            self.acks_said += 1
            ack = self._acks[self.acks_said % len(self._acks)]
            handle = self.session.say(ack, add_to_chat_ctx=False, allow_interruptions=True)
            log.info("voice.turn_acknowledged")
            self._flush_task = asyncio.create_task(self._flush_later(after=handle, hold_s=ACK_GRACE_S),
                                                   name="InterviewerAgent.flush_ack")
            raise StopResponse()
        self._answer_handed_over()

    def _answer_handed_over(self) -> None:
        """The core gets this answer now: the next one starts afresh for the gates and the acknowledgement."""
        self._acked_answer = False
        if self._turn_gate is not None:
            self._turn_gate.turn_over()

    async def _unfinished(self, text: str) -> str | None:
        """Why this turn should wait for more, or None to answer it now.

        One gate (``vad``, ``v1-mini``): only a turn that stops mid-sentence waits. Two gates: the words
        must read as finished for this question and the voice must sound finished, or the turn waits.
        """
        if self._turn_gate is None:
            return "trailing" if looks_unfinished(text) else None
        reason = unfinished_reason(text, min_words=self._conductor.round.expected_answer_words())
        if reason is None and not await self._turn_gate.finished():
            reason = "voice"
        return reason

    def _hold_seconds(self) -> float:
        tt = self._conductor.round.persona.turn_taking
        return max(0.5, float(tt.max_endpointing_delay_s) - float(tt.min_endpointing_delay_s))

    async def _flush_later(self, *, after: Any = None, hold_s: float | None = None) -> None:
        """No more words came: answer the held ones as they are.

        ``after``: the acknowledgement being spoken; the quiet is counted from when it has played.
        """
        loop = asyncio.get_running_loop()
        if after is not None:
            # interrupted, closed or slow to start: the quiet is counted from ACK_MAX_S at the latest
            with contextlib.suppress(Exception):
                await asyncio.wait_for(after.wait_for_playout(), ACK_MAX_S)
        hold_s = self._hold_seconds() if hold_s is None else hold_s
        min_delay = float(self._conductor.round.persona.turn_taking.min_endpointing_delay_s)
        deadline = loop.time() + hold_s
        while True:
            await asyncio.sleep(0.1)
            if not self.hold.active:
                return  # the continuation's turn took it
            if self.session.user_state == "speaking":
                # the rest is coming: give its own turn time to end and pick the hold up
                deadline = loop.time() + hold_s + min_delay
            elif loop.time() >= deadline:
                break
        text, _started, _count = self.hold.take()
        log.info("voice.hold_flushed")
        self._answer_handed_over()
        self.session.generate_reply(user_input=text)

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
