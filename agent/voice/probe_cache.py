"""Interviewer audio synthesized ahead of time, so a probe starts without waiting for Piper.

While the candidate is still answering, the interview core already knows
every line the interviewer might say next (the current question's unasked
probes and curveballs, the next question). ``ProbeAudioCache`` renders those
lines in the background and keeps the audio; when the decision arrives, the
chosen line plays from memory and the only latency left is the decision
itself.

The session hands a non-streaming TTS one *sentence* at a time (its stream
adapter splits the reply with a sentence tokenizer), so the cache is keyed by
sentence, and :meth:`ProbeAudioCache.prewarm_texts` splits the upcoming texts with
the same tokenizer before rendering them. Keys also carry the voice and
speaking rate, so a persona switch never plays the wrong voice.

Bounded on every axis: at most ``max_items`` sentences and ``max_bytes`` of
PCM (least recently used evicted first), at most ``max_pending`` sentences
queued for background synthesis, one background synthesis at a time (the
live path must not queue behind a long prewarm list), and every task is kept
and cancelled by :meth:`aclose`.
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass, field

from livekit.agents import APIConnectOptions, tokenize, tts, utils
from livekit.agents.types import DEFAULT_API_CONNECT_OPTIONS

from agent.logs import get_logger

log = get_logger(__name__)

CacheKey = tuple[str, str, float]


def sentence_tokenizer() -> tokenize.SentenceTokenizer:
    """The tokenizer livekit-agents uses for a non-streaming TTS (see ``Agent.default.tts_node``)."""
    return tokenize.blingfire.SentenceTokenizer(retain_format=True)


async def split_like_session(text: str, tokenizer: tokenize.SentenceTokenizer | None = None) -> list[str]:
    """The sentences the session will send to the TTS for ``text`` spoken as one segment."""
    stream = (tokenizer or sentence_tokenizer()).stream()
    try:
        stream.push_text(text)
        stream.end_input()
        return [s for ev in [ev async for ev in stream] if (s := ev.token.strip())]
    finally:
        await stream.aclose()


@dataclass
class CacheStats:
    """Counters for benchmarks and tests."""

    hits: int = 0
    waits: int = 0  # the sentence was being prewarmed; the live request joined it
    misses: int = 0
    prewarmed: int = 0
    evicted: int = 0
    prewarm_errors: int = 0
    # seconds from synthesize() to the first audio pushed, split by how it was served
    first_audio_hit_s: list[float] = field(default_factory=list)
    first_audio_miss_s: list[float] = field(default_factory=list)


class ProbeAudioCache(tts.TTS):
    """A caching wrapper around any non-streaming TTS (Piper here)."""

    def __init__(
        self,
        *,
        tts: tts.TTS,
        voice: str,
        rate: float = 1.0,
        max_items: int = 96,
        max_bytes: int = 48 * 1024 * 1024,
        max_pending: int = 32,
        prewarm_timeout_s: float = 20.0,
        prewarm_enabled: bool = True,
    ) -> None:
        """``voice`` and ``rate`` go into the keys; they must describe what ``tts`` renders."""
        if tts.capabilities.streaming:
            raise ValueError("ProbeAudioCache wraps a non-streaming TTS (one sentence per call)")
        super().__init__(
            capabilities=tts.capabilities,
            sample_rate=tts.sample_rate,
            num_channels=tts.num_channels,
        )
        self._wrapped = tts
        self._voice = voice
        self._rate = float(rate)
        self._max_items = max_items
        self._max_bytes = max_bytes
        self._max_pending = max_pending
        self._prewarm_timeout_s = prewarm_timeout_s
        self.prewarm_enabled = prewarm_enabled
        self._audio: OrderedDict[CacheKey, bytes] = OrderedDict()
        self._bytes = 0
        self._inflight: dict[CacheKey, asyncio.Future[bytes]] = {}
        self._queue: asyncio.Queue[str] | None = None
        self._queued: set[CacheKey] = set()
        self._worker: asyncio.Task[None] | None = None
        self._split_tasks: set[asyncio.Task[None]] = set()
        self._tokenizer = sentence_tokenizer()
        self._closed = False
        self.stats = CacheStats()

    # ------------------------------------------------------------------ properties

    @property
    def wrapped_tts(self) -> tts.TTS:
        """The engine that renders misses."""
        return self._wrapped

    @property
    def model(self) -> str:
        """The wrapped engine's model, for metrics."""
        return self._wrapped.model

    @property
    def provider(self) -> str:
        """The wrapped engine's provider, for metrics."""
        return self._wrapped.provider

    def key(self, text: str) -> CacheKey:
        """What a sentence is stored under."""
        return (" ".join(text.split()), self._voice, self._rate)

    def cached(self, text: str) -> bool:
        """Is this exact sentence already rendered?"""
        return self.key(text) in self._audio

    @property
    def size_bytes(self) -> int:
        """PCM bytes held."""
        return self._bytes

    @property
    def items(self) -> int:
        """Sentences held (not ``__len__``: the session tests the TTS for truth with ``tts or None``)."""
        return len(self._audio)

    # ------------------------------------------------------------------ storage

    def _store(self, key: CacheKey, pcm: bytes) -> None:
        if not pcm or len(pcm) > self._max_bytes:
            return
        old = self._audio.pop(key, None)
        if old is not None:
            self._bytes -= len(old)
        self._audio[key] = pcm
        self._bytes += len(pcm)
        while len(self._audio) > self._max_items or self._bytes > self._max_bytes:
            _, dropped = self._audio.popitem(last=False)
            self._bytes -= len(dropped)
            self.stats.evicted += 1

    def _lookup(self, key: CacheKey) -> bytes | None:
        pcm = self._audio.get(key)
        if pcm is not None:
            self._audio.move_to_end(key)
        return pcm

    async def _render(self, text: str, conn_options: APIConnectOptions) -> bytes:
        """Render one sentence with the wrapped engine and return its PCM."""
        parts: list[bytes] = []
        async with self._wrapped.synthesize(text, conn_options=conn_options) as stream:
            async for ev in stream:
                parts.append(ev.frame.data.tobytes())
        return b"".join(parts)

    # ------------------------------------------------------------------ prewarm

    def prewarm_texts(self, texts: Iterable[str]) -> None:
        """Queue ``texts`` (whole interviewer lines) for background rendering; returns at once."""
        if self._closed or not self.prewarm_enabled:
            return
        todo = [t for t in texts if t and t.strip()]
        if not todo:
            return
        task = asyncio.create_task(self._split_and_queue(todo), name="ProbeAudioCache.split")
        self._split_tasks.add(task)
        task.add_done_callback(self._split_tasks.discard)

    async def _split_and_queue(self, texts: list[str]) -> None:
        if self._queue is None:
            self._queue = asyncio.Queue(maxsize=self._max_pending)
        for text in texts:
            for sentence in await split_like_session(text, self._tokenizer):
                key = self.key(sentence)
                if key in self._audio or key in self._inflight or key in self._queued:
                    continue
                if self._queue.full():
                    return  # bounded: the rest will be rendered live if it is ever said
                self._queued.add(key)
                self._queue.put_nowait(sentence)
        if self._worker is None or self._worker.done():
            self._worker = asyncio.create_task(self._prewarm_worker(), name="ProbeAudioCache.prewarm")

    async def _prewarm_worker(self) -> None:
        assert self._queue is not None
        while not self._queue.empty():
            sentence = self._queue.get_nowait()
            key = self.key(sentence)
            self._queued.discard(key)
            if key in self._audio or key in self._inflight:
                continue
            future: asyncio.Future[bytes] = asyncio.get_running_loop().create_future()
            self._inflight[key] = future
            try:
                pcm = await asyncio.wait_for(
                    self._render(sentence, DEFAULT_API_CONNECT_OPTIONS), self._prewarm_timeout_s
                )
            except asyncio.CancelledError:
                future.cancel()
                raise
            except Exception as exc:  # noqa: BLE001 - a failed prewarm just means a live render later
                self.stats.prewarm_errors += 1
                log.warning("voice.prewarm_failed", error=f"{type(exc).__name__}: {exc}")
                future.set_exception(exc)
                future.exception()  # mark retrieved: a live waiter falls back to rendering itself
            else:
                self._store(key, pcm)
                self.stats.prewarmed += 1
                future.set_result(pcm)
            finally:
                self._inflight.pop(key, None)

    # ------------------------------------------------------------------ tts API

    def synthesize(
        self, text: str, *, conn_options: APIConnectOptions = DEFAULT_API_CONNECT_OPTIONS
    ) -> CachedChunkedStream:
        """Serve ``text`` from memory when it was rendered before, else render and keep it."""
        return CachedChunkedStream(cache=self, input_text=text, conn_options=conn_options)

    def prewarm(self) -> None:
        """Nothing to connect to: the engine is local (the session calls this at start)."""

    async def aclose(self) -> None:
        """Stop background rendering; the wrapped engine is shared and stays open."""
        self._closed = True
        tasks = [*self._split_tasks]
        if self._worker is not None:
            tasks.append(self._worker)
        await utils.aio.cancel_and_wait(*tasks)
        for future in self._inflight.values():
            future.cancel()
        self._inflight.clear()


class CachedChunkedStream(tts.ChunkedStream):
    """One sentence: from the cache, from a prewarm already under way, or rendered now."""

    def __init__(self, *, cache: ProbeAudioCache, input_text: str, conn_options: APIConnectOptions) -> None:
        super().__init__(tts=cache, input_text=input_text, conn_options=conn_options)
        self._cache = cache

    async def _run(self, output_emitter: tts.AudioEmitter) -> None:
        cache = self._cache
        started = time.perf_counter()
        output_emitter.initialize(
            request_id=utils.shortuuid(),
            sample_rate=cache.sample_rate,
            num_channels=cache.num_channels,
            mime_type="audio/pcm",
        )
        key = cache.key(self._input_text)
        pcm = cache._lookup(key)
        if pcm is None and (pending := cache._inflight.get(key)) is not None:
            try:
                pcm = await asyncio.wait_for(asyncio.shield(pending), self._conn_options.timeout)
                cache.stats.waits += 1
            except Exception:  # noqa: BLE001 - the prewarm failed or stalled: render it here instead
                pcm = None
        elif pcm is not None:
            cache.stats.hits += 1
        if pcm is not None:
            cache.stats.first_audio_hit_s.append(time.perf_counter() - started)
            output_emitter.push(pcm)
            output_emitter.flush()
            return
        cache.stats.misses += 1
        parts: list[bytes] = []
        first = True
        async with cache.wrapped_tts.synthesize(self._input_text, conn_options=self._conn_options) as stream:
            async for ev in stream:
                chunk = ev.frame.data.tobytes()
                if first:
                    cache.stats.first_audio_miss_s.append(time.perf_counter() - started)
                    first = False
                parts.append(chunk)
                output_emitter.push(chunk)
        output_emitter.flush()
        cache._store(key, b"".join(parts))
