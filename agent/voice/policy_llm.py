"""The interview core in the language model's slot of a livekit-agents session.

``PolicyLLM`` is an ``llm.LLM`` whose stream returns the core's decision for
the latest candidate turn. Going through the LLM slot (rather than calling
``session.say`` from a transcript callback) keeps everything the framework
does around a reply: the user turn lands in the chat history, the per-turn
latency figures (``e2e_latency``, ``end_of_turn_delay``...) are measured,
interruptions cancel the reply cleanly, and ``session.run(user_input=...)``
tests work without audio. Each interviewer turn of a reply is streamed as its
own chunk (see ``InterviewerAgent.llm_node`` for why).

An OpenAI-compatible rephrasing hook (the design allows one, inside a latency
budget) is deliberately not wired here yet; the deterministic text is what
is spoken.
"""

from __future__ import annotations

from typing import Any

from livekit.agents import APIConnectOptions, llm, utils
from livekit.agents.llm import ChatChunk, ChoiceDelta
from livekit.agents.types import DEFAULT_API_CONNECT_OPTIONS, NOT_GIVEN, NotGivenOr

from agent.voice.conductor import USER_METRIC_KEYS, Reply, RoundConductor


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
