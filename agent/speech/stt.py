"""Local speech-to-text for livekit-agents: faster-whisper in a bounded thread pool.

``FasterWhisperSTT`` follows the shape of LiveKit's own plugins (keyword-only
constructor, private options dataclass, errors translated at the edge) so it
drops into ``AgentSession(stt=...)``. It is a batch recogniser: give it a
buffer, get one final transcript. For live turns wrap it in
:class:`agent.speech.segmented.SegmentedWhisperSTT`, which decodes long
answers piece by piece while the candidate is still talking.
"""

from __future__ import annotations

import asyncio
from concurrent.futures import Executor
from dataclasses import dataclass

from livekit.agents import APIConnectOptions, APIError, stt, utils
from livekit.agents.language import LanguageCode
from livekit.agents.types import DEFAULT_API_CONNECT_OPTIONS, NOT_GIVEN, NotGivenOr
from livekit.agents.utils import is_given

from agent.speech import _whisper
from agent.speech._audio import to_whisper_input
from agent.speech.loader import load_whisper, shared_executor
from agent.speech.models import DEFAULT_STT_MODEL


@dataclass
class _STTOptions:
    model: str
    compute_type: str
    beam_size: int
    language: str
    cpu_threads: int


class FasterWhisperSTT(stt.STT):
    """Whisper via faster-whisper (CTranslate2), loaded once per process, run off the event loop."""

    def __init__(
        self,
        *,
        model: str = DEFAULT_STT_MODEL,
        compute_type: str = "int8",
        beam_size: int = 1,
        language: str = "en",
        cpu_threads: int = 0,
        max_workers: int = 1,
        executor: Executor | None = None,
    ) -> None:
        """Load (or reuse) the model now, so a bad name or digest fails at start-up, not mid-round.

        ``model`` is a registry name (``tiny.en``, ``base.en``...) or a folder path;
        ``executor`` lets several plugins share one bounded pool (default: the
        process-wide speech-to-text pool with ``max_workers`` threads).
        """
        super().__init__(capabilities=stt.STTCapabilities(streaming=False, interim_results=False))
        self._opts = _STTOptions(
            model=model,
            compute_type=compute_type,
            beam_size=beam_size,
            language=language,
            cpu_threads=cpu_threads,
        )
        self._whisper, self._resolved = load_whisper(
            model, compute_type=compute_type, cpu_threads=cpu_threads
        )
        self._executor = executor or shared_executor("stt", max_workers)

    @property
    def model(self) -> str:
        """Resolved model name (``tiny.en``, a folder name...), for metrics."""
        return self._resolved.name

    @property
    def provider(self) -> str:
        """Always ``faster-whisper``, for metrics."""
        return "faster-whisper"

    def update_options(
        self, *, beam_size: NotGivenOr[int] = NOT_GIVEN, language: NotGivenOr[str] = NOT_GIVEN
    ) -> None:
        """Change beam size or language for later decodes."""
        if is_given(beam_size):
            self._opts.beam_size = beam_size
        if is_given(language):
            self._opts.language = language

    def _decode(self, buffer: utils.AudioBuffer, language: str) -> _whisper.Transcript:
        audio = to_whisper_input(buffer)
        return _whisper.transcribe(self._whisper, audio, language=language, beam_size=self._opts.beam_size)

    async def transcribe_buffer(
        self, buffer: utils.AudioBuffer, *, language: str | None = None, deadline_s: float | None = None
    ) -> _whisper.Transcript:
        """Decode in the pool and return the raw transcript (used by the segmenting stream)."""
        lang = language or self._opts.language
        loop = asyncio.get_running_loop()
        future = loop.run_in_executor(self._executor, self._decode, buffer, lang)
        try:
            return await asyncio.wait_for(future, deadline_s) if deadline_s else await future
        except TimeoutError:
            raise APIError(f"whisper decode took longer than {deadline_s} s", retryable=False) from None
        except asyncio.CancelledError:
            raise
        except ValueError as exc:
            raise APIError(f"unusable audio for whisper: {exc}", retryable=False) from None
        except Exception as exc:  # noqa: BLE001 - translate any engine failure at the edge
            raise APIError(f"whisper decode failed: {type(exc).__name__}: {exc}", retryable=False) from None

    async def _recognize_impl(
        self,
        buffer: utils.AudioBuffer,
        *,
        language: NotGivenOr[str] = NOT_GIVEN,
        conn_options: APIConnectOptions = DEFAULT_API_CONNECT_OPTIONS,
    ) -> stt.SpeechEvent:
        lang = language if is_given(language) else self._opts.language
        # a local decode of a long answer can exceed the network-oriented default
        # (10 s); allow the audio's length on top of it
        result = await self.transcribe_buffer(
            buffer,
            language=lang,
            deadline_s=conn_options.timeout + utils.audio.calculate_audio_duration(buffer),
        )
        return stt.SpeechEvent(
            type=stt.SpeechEventType.FINAL_TRANSCRIPT,
            request_id=utils.shortuuid(),
            alternatives=[
                stt.SpeechData(
                    language=LanguageCode(result.language),
                    text=result.text,
                    start_time=0.0,
                    end_time=result.duration,
                    confidence=result.confidence,
                )
            ],
        )

    async def aclose(self) -> None:
        """Nothing to release: the model and pool are process-wide and outlive a session."""
        return None
