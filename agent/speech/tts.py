"""Local text-to-speech for livekit-agents: a Piper voice in a bounded thread pool.

Non-streaming on purpose: the session already splits the interviewer's text
into sentences and calls ``synthesize`` per sentence, and Piper renders a
sentence in one ONNX call anyway. Audio is pushed to the emitter as each
sentence is produced (Piper yields per sentence for multi-sentence text), so
playback starts after the first sentence, not after the whole reply.
"""

from __future__ import annotations

import asyncio
import threading
from concurrent.futures import Executor
from dataclasses import dataclass

from livekit.agents import APIConnectOptions, APIError, tts, utils
from livekit.agents import tts as lk_tts
from livekit.agents.types import DEFAULT_API_CONNECT_OPTIONS, NOT_GIVEN, NotGivenOr
from livekit.agents.utils import is_given
from piper import SynthesisConfig

from agent.speech.loader import load_voice, shared_executor
from agent.speech.models import DEFAULT_TTS_VOICE


@dataclass
class _TTSOptions:
    voice: str
    speaking_rate: float
    noise_scale: float | None
    noise_w_scale: float | None


def length_scale_for(rate: float) -> float:
    """Piper stretches phonemes by ``length_scale``; a speaking rate of 1.1 means 1/1.1."""
    if not 0.25 <= rate <= 4.0:
        raise ValueError(f"speaking rate must be between 0.25 and 4.0, got {rate}")
    return 1.0 / rate


class PiperTTS(tts.TTS):
    """A Piper voice loaded once per process; sample rate comes from the voice's config."""

    def __init__(
        self,
        *,
        voice: str = DEFAULT_TTS_VOICE,
        speaking_rate: float = 1.0,
        noise_scale: float | None = None,
        noise_w_scale: float | None = None,
        max_workers: int = 1,
        executor: Executor | None = None,
    ) -> None:
        """``voice`` is a registry name (``en_US-joe-medium``) or a path to an ``.onnx`` voice."""
        length_scale_for(speaking_rate)  # validate early
        self._voice, self._resolved = load_voice(voice)
        super().__init__(
            capabilities=tts.TTSCapabilities(streaming=False),
            sample_rate=self._voice.config.sample_rate,
            num_channels=1,
        )
        self._opts = _TTSOptions(voice, speaking_rate, noise_scale, noise_w_scale)
        self._executor = executor or shared_executor("tts", max_workers)

    @property
    def model(self) -> str:
        """Resolved voice name, for metrics."""
        return self._resolved.name

    @property
    def provider(self) -> str:
        """Always ``piper``, for metrics."""
        return "piper"

    def update_options(self, *, speaking_rate: NotGivenOr[float] = NOT_GIVEN) -> None:
        """Change the speaking rate for later sentences (a persona switch)."""
        if is_given(speaking_rate):
            length_scale_for(speaking_rate)
            self._opts.speaking_rate = speaking_rate

    def synthesize(
        self, text: str, *, conn_options: APIConnectOptions = DEFAULT_API_CONNECT_OPTIONS
    ) -> PiperChunkedStream:
        """Start rendering ``text``; frames arrive sentence by sentence."""
        return PiperChunkedStream(tts=self, input_text=text, conn_options=conn_options)


class PiperChunkedStream(tts.ChunkedStream):
    """One synthesis request; stops between sentences when closed early (barge-in)."""

    def __init__(self, *, tts: PiperTTS, input_text: str, conn_options: APIConnectOptions) -> None:
        super().__init__(tts=tts, input_text=input_text, conn_options=conn_options)
        self._piper = tts

    async def _run(self, output_emitter: lk_tts.AudioEmitter) -> None:
        opts = self._piper._opts
        config = SynthesisConfig(
            length_scale=length_scale_for(opts.speaking_rate),
            noise_scale=opts.noise_scale,
            noise_w_scale=opts.noise_w_scale,
        )
        output_emitter.initialize(
            request_id=utils.shortuuid(),
            sample_rate=self._piper.sample_rate,
            num_channels=1,
            mime_type="audio/pcm",
        )
        loop = asyncio.get_running_loop()
        # each item is one sentence of PCM; the producer waits when the consumer lags
        chunks: asyncio.Queue[bytes | BaseException | None] = asyncio.Queue(maxsize=8)
        stop = threading.Event()
        voice = self._piper._voice
        text = self._input_text

        def put(item: bytes | BaseException | None) -> None:
            # blocks this worker thread (not the loop) while the queue is full
            asyncio.run_coroutine_threadsafe(chunks.put(item), loop).result(timeout=30)

        def produce() -> None:
            try:
                for chunk in voice.synthesize(text, syn_config=config):
                    if stop.is_set():
                        return
                    put(chunk.audio_int16_bytes)
                put(None)
            except Exception as exc:  # noqa: BLE001 - handed to the event loop and raised there
                if not stop.is_set():
                    put(exc)

        job = loop.run_in_executor(self._piper._executor, produce)
        try:
            while True:
                item = await asyncio.wait_for(chunks.get(), self._conn_options.timeout)
                if item is None:
                    break
                if isinstance(item, BaseException):
                    raise APIError(
                        f"piper synthesis failed: {type(item).__name__}: {item}", retryable=False
                    ) from None
                output_emitter.push(item)
            output_emitter.flush()
        except TimeoutError:
            raise APIError(
                f"piper produced no audio within {self._conn_options.timeout} s", retryable=False
            ) from None
        finally:
            stop.set()
            if not job.done():
                job.cancel()
