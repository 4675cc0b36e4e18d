"""Load each speech model once per process and hand out the shared instance.

A worker process serves many rounds; loading Whisper (~0.5 s) or a Piper
voice (~0.4 s) per turn would sit directly in the candidate's wait. The
worker's setup hook calls :func:`load_speech` (or :func:`prewarm`) once; the
plugins then find the loaded models here by key. Decoding runs in small,
bounded thread pools, one for recognition and one for synthesis, so a probe
being synthesized ahead of time never queues behind the candidate's
transcript (and vice versa).
"""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import numpy as np
from piper import PiperVoice

from agent.logs import get_logger
from agent.speech._onnx import shrink_after_each_run
from agent.speech._whisper import ShortContextWhisper
from agent.speech.models import (
    DEFAULT_STT_MODEL,
    DEFAULT_TTS_VOICE,
    ResolvedModel,
    resolve_verified,
)

log = get_logger(__name__)

_lock = threading.Lock()
_whisper_cache: dict[tuple[str, str, int], Any] = {}
_voice_cache: dict[str, Any] = {}
_executors: dict[str, ThreadPoolExecutor] = {}


def shared_executor(kind: str, max_workers: int = 1) -> ThreadPoolExecutor:
    """The process-wide pool for ``kind`` ("stt" or "tts"), created on first use."""
    with _lock:
        pool = _executors.get(kind)
        if pool is None:
            pool = ThreadPoolExecutor(max_workers=max_workers, thread_name_prefix=f"speech-{kind}")
            _executors[kind] = pool
        return pool


def load_whisper(
    model: str = DEFAULT_STT_MODEL, *, compute_type: str = "int8", cpu_threads: int = 0
) -> tuple[Any, ResolvedModel]:
    """Return the shared faster-whisper model for ``model`` (name or path), loading it if needed."""
    resolved = resolve_verified(model, "stt")
    key = (str(resolved.path), compute_type, cpu_threads)
    with _lock:
        cached = _whisper_cache.get(key)
    if cached is not None:
        return cached, resolved
    started = time.perf_counter()
    # a path, never a bare size name: faster-whisper would go to the model hub for a name
    instance = ShortContextWhisper(
        str(resolved.path),
        device="cpu",
        compute_type=compute_type,
        cpu_threads=cpu_threads,
        local_files_only=True,
    )
    log.info("speech.whisper_loaded", model=resolved.name, seconds=round(time.perf_counter() - started, 3))
    with _lock:
        instance = _whisper_cache.setdefault(key, instance)
    return instance, resolved


def load_voice(voice: str = DEFAULT_TTS_VOICE) -> tuple[Any, ResolvedModel]:
    """Return the shared Piper voice for ``voice`` (name or path), loading it if needed."""
    resolved = resolve_verified(voice, "tts")
    key = str(resolved.path)
    with _lock:
        cached = _voice_cache.get(key)
    if cached is not None:
        return cached, resolved
    started = time.perf_counter()
    # a long-lived worker must not keep the memory of the longest sentence it ever spoke (see _onnx)
    instance = shrink_after_each_run(PiperVoice.load(resolved.path, config_path=resolved.config_path))
    log.info("speech.voice_loaded", voice=resolved.name, seconds=round(time.perf_counter() - started, 3))
    with _lock:
        instance = _voice_cache.setdefault(key, instance)
    return instance, resolved


@dataclass(frozen=True)
class SpeechLoadReport:
    """What :func:`load_speech` loaded and how long each step took (seconds)."""

    stt_model: str
    voice: str
    whisper_seconds: float
    voice_seconds: float
    warmup_seconds: float


def load_speech(
    stt_model: str = DEFAULT_STT_MODEL,
    voice: str = DEFAULT_TTS_VOICE,
    *,
    compute_type: str = "int8",
    warm_up: bool = True,
) -> SpeechLoadReport:
    """Load Whisper and the Piper voice once, for the worker's setup hook.

    ``warm_up`` runs one tiny decode and one tiny synthesis so the first real
    turn does not pay ONNX/CTranslate2 first-call costs.
    """
    t0 = time.perf_counter()
    whisper, stt_resolved = load_whisper(stt_model, compute_type=compute_type)
    t1 = time.perf_counter()
    piper_voice, tts_resolved = load_voice(voice)
    t2 = time.perf_counter()
    if warm_up:
        segments, _ = whisper.transcribe(
            np.zeros(8000, dtype=np.float32),
            language="en",
            beam_size=1,
            vad_filter=False,
            without_timestamps=True,
        )
        list(segments)
        for _chunk in piper_voice.synthesize("Hello."):
            pass
    t3 = time.perf_counter()
    report = SpeechLoadReport(
        stt_resolved.name, tts_resolved.name, round(t1 - t0, 3), round(t2 - t1, 3), round(t3 - t2, 3)
    )
    log.info(
        "speech.loaded",
        stt_model=report.stt_model,
        voice=report.voice,
        whisper_seconds=report.whisper_seconds,
        voice_seconds=report.voice_seconds,
        warmup_seconds=report.warmup_seconds,
    )
    return report


def prewarm(proc: Any = None) -> SpeechLoadReport:
    """``setup_fnc``-shaped wrapper: loads the defaults and stores the report in ``proc.userdata``."""
    report = load_speech()
    if proc is not None and hasattr(proc, "userdata"):
        proc.userdata["speech_load"] = report
    return report
