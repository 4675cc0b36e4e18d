"""A second opinion from an OpenAI-compatible model, for answers given in words the cues do not know.

The cue assessor is fast and predictable but misses strong ideas said in
plain everyday words. When the user configures an endpoint, this wrapper asks
the model about only the strong signals the cues did not find, and accepts a
signal only with a quote that is really in the answer: a model cannot invent
evidence, take away what the cues found, or add a weak signal. The policy still
makes every decision from the result.

The call has a hard time budget. When the endpoint is slow, down or answers
nonsense, the cue result is used unchanged, one warning names the endpoint and
the kind of failure (never the candidate's words), and the endpoint is left
alone for a cool-down so a dead server does not add its timeout to every turn.
"""

from __future__ import annotations

import json
import queue
import re
import threading
import time
from collections.abc import Callable
from urllib.parse import urlsplit, urlunsplit

from pydantic import BaseModel, ConfigDict, ValidationError

from agent.assist.endpoint import DEFAULT_TIMEOUT_S, LLMSettings
from agent.content.models import Polarity, Question, Signal
from agent.interview.assess import CueAssessor, score_signals
from agent.interview.records import Assessment, SignalHit
from agent.logs import get_logger

log = get_logger(__name__)

COOL_DOWN_S = 30.0
# A quote shorter than this is a name-drop, not evidence of reasoning.
MIN_QUOTE_WORDS = 3

_SYSTEM = (
    "You review one spoken answer from a product-manager interview against a short list of rubric points. "
    "Credit a point only when the answer actually makes or reasons about it; naming a term without saying "
    "anything about it does not count. For every point you credit, copy the shortest exact run of the "
    "candidate's own words that shows it. Reply with JSON only, shaped as "
    '{"found": [{"id": "<point id>", "quote": "<exact words from the answer>"}]}, and an empty list when '
    "no point is made."
)


class _Found(BaseModel):
    model_config = ConfigDict(extra="ignore")
    id: str
    quote: str


class _Reply(BaseModel):
    model_config = ConfigDict(extra="ignore")
    found: list[_Found]


# One chat completion: (system prompt, user prompt) -> the model's reply text.
Complete = Callable[[str, str], str]


def openai_complete(settings: LLMSettings) -> Complete:
    """A completion function over the ``openai`` client, with the time budget and no retries."""
    from openai import OpenAI  # deferred: openai takes about a second to import, and only this path uses it

    client = OpenAI(base_url=settings.base_url, api_key=settings.api_key, timeout=settings.timeout_s, max_retries=0)

    def complete(system: str, user: str) -> str:
        resp = client.chat.completions.create(
            model=settings.model,
            messages=[{"role": "system", "content": system}, {"role": "user", "content": user}],
            temperature=0,
            response_format={"type": "json_object"},
        )
        return resp.choices[0].message.content or ""

    return complete


class LLMRefinedAssessor:
    """The cue assessor, plus strong signals a model found and quoted from the answer."""

    def __init__(
        self, base: CueAssessor, complete: Complete, *, endpoint: str, clock: Callable[[], float] = time.monotonic,
        deadline_s: float = DEFAULT_TIMEOUT_S,
    ) -> None:
        self._base = base
        self._complete = complete
        self._endpoint = redacted(endpoint)
        self._deadline_s = deadline_s
        self._clock = clock
        self._lock = threading.Lock()
        self._resting_until = 0.0
        self.calls = 0
        self.failures = 0

    @property
    def press_phrasings(self) -> tuple[str, ...]:
        """Follow-ups on named ideas (the cue assessor's)."""
        return self._base.press_phrasings

    def clarification_term(self, question: Question, text: str) -> str | None:
        """The content's restatement for a term the candidate asked about (the cue assessor decides)."""
        return self._base.clarification_term(question, text)

    def assess(self, question: Question, text: str, *, speaking_s: float | None = None) -> Assessment:
        """Judge ``text`` with the cues, then let the model add quoted strong signals the cues missed."""
        result = self._base.assess(question, text, speaking_s=speaking_s)
        # "off_topic" is the cues' guess for an answer that shares no words with the topic, which is
        # also what a strong answer in plain words looks like, so the model gets a say there too
        if result.answer_kind not in ("answer", "off_topic"):
            return result
        found = {h.id for h in result.signals}
        missed = [s for s in question.signals if s.polarity is Polarity.STRONG and s.id not in found]
        if not missed or not self._awake():
            return result
        added = self._ask(question, text, missed)
        if not added:
            return result
        hits = [*result.signals, *added]
        score = score_signals(question, [*hits, *(h for h in result.set_aside if h.argued)],
                              reasoning=result.reasoning)
        return result.model_copy(update={"signals": hits, "answer_kind": "answer", "score": score})

    # -- the model call ---------------------------------------------------

    def _awake(self) -> bool:
        with self._lock:
            return self._clock() >= self._resting_until

    def _rest(self, why: str) -> None:
        with self._lock:
            self.failures += 1
            self._resting_until = self._clock() + COOL_DOWN_S
        log.warning("llm.assist_unavailable", endpoint=self._endpoint, error=why, resting_s=COOL_DOWN_S)

    def _ask(self, question: Question, text: str, missed: list[Signal]) -> list[SignalHit]:
        self.calls += 1
        started = self._clock()
        outcome = _within(self._deadline_s, self._complete, _SYSTEM, _prompt(question, text, missed))
        if isinstance(outcome, BaseException):  # any failure of the endpoint means "use the cues"
            self._rest(type(outcome).__name__)
            return []
        reply = outcome
        try:
            parsed = _Reply.model_validate(json.loads(_strip_fence(reply)))
        except (ValueError, ValidationError):
            self._rest("unreadable reply")
            return []
        wanted = {s.id: s for s in missed}
        added: list[SignalHit] = []
        for item in parsed.found:
            signal = wanted.pop(item.id, None)
            if signal is None:
                continue  # unknown, weak, already found by the cues, or named twice
            evidence = verbatim(text, item.quote)
            if evidence is None or len(evidence.split()) < MIN_QUOTE_WORDS:
                wanted[signal.id] = signal  # a later, real quote for the same point may still count
                continue
            # the model finds the idea; whether the quote explains it is read the same way as for the cues
            level = self._base.explain_level(question, text, evidence)
            added.append(SignalHit(id=signal.id, polarity=signal.polarity.value, evidence=evidence, level=level,
                                   term=" ".join(evidence.split()[:6])))
        log.info("llm.assist", endpoint=self._endpoint, added=len(added), ms=round((self._clock() - started) * 1000))
        return added


def _prompt(question: Question, text: str, missed: list[Signal]) -> str:
    points = "\n".join(f"- {s.id}: {' '.join(s.description.split())}" for s in missed)
    return f"Interview question:\n{question.prompt}\n\nRubric points:\n{points}\n\nThe candidate's answer:\n{text}"


_FENCE = re.compile(r"^\s*```(?:json)?\s*(.*?)\s*```\s*$", re.DOTALL)


def _strip_fence(reply: str) -> str:
    m = _FENCE.match(reply)
    return m.group(1) if m else reply


def verbatim(text: str, quote: str) -> str | None:
    """The span of ``text`` that ``quote`` copies (case and spacing aside), or None if it is not there."""
    words = re.findall(r"\S+", quote.strip().strip("\"'\u201c\u201d"))
    if not words:
        return None
    pattern = r"\s+".join(re.escape(w) for w in words)
    m = re.search(pattern, text, re.IGNORECASE)
    return m.group(0) if m else None


class DeadlinePassed(Exception):
    """The model had not finished replying when the answer's time budget ran out."""


def _within(deadline_s: float, complete: Complete, system: str, user: str) -> str | BaseException:
    """The reply, or the exception that stopped it, within a wall-clock deadline.

    The client's timeout is per socket read, so an endpoint that trickles a
    byte a second never trips it; the call runs in a daemon thread and the
    turn waits for it no longer than ``deadline_s``. A call left behind ends
    on its own and is never read.
    """
    box: queue.Queue[str | BaseException] = queue.Queue(maxsize=1)

    def call() -> None:
        try:
            box.put(complete(system, user))
        except Exception as exc:  # noqa: BLE001 - handed to the caller as a value
            box.put(exc)

    threading.Thread(target=call, name="llm-assist", daemon=True).start()
    try:
        return box.get(timeout=deadline_s)
    except queue.Empty:
        return DeadlinePassed(f"no complete reply within {deadline_s:g} s")


def redacted(url: str) -> str:
    """An endpoint as it may appear in logs: no user name, password or query (tokens travel there)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    return urlunsplit((parts.scheme, host, parts.path, "", ""))


def assessor_for(base: CueAssessor, settings: LLMSettings | None) -> CueAssessor | LLMRefinedAssessor:
    """The cue assessor, wrapped with the model when an endpoint is configured."""
    if settings is None:
        return base
    return LLMRefinedAssessor(base, openai_complete(settings), endpoint=settings.base_url,
                              deadline_s=settings.timeout_s)
