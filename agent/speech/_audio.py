"""Turn whatever audio the pipeline hands us into what Whisper wants: 16 kHz mono float32.

Browsers send 48 kHz, telephony 8 kHz, test files are often stereo; the
conversion must accept all of them, an empty buffer included, without a
special case at every call site. Resampling uses LiveKit's native resampler
(the same one the pipeline uses) and runs in the worker thread with the
decode, so a 90 s buffer never blocks the event loop.
"""

from __future__ import annotations

import numpy as np
from livekit import rtc

WHISPER_RATE = 16000


def frames_of(buffer: list[rtc.AudioFrame] | rtc.AudioFrame) -> list[rtc.AudioFrame]:
    if isinstance(buffer, rtc.AudioFrame):
        return [buffer]
    return [f for f in buffer if f.samples_per_channel > 0]


def to_mono_int16(frames: list[rtc.AudioFrame]) -> tuple[np.ndarray, int]:
    """Concatenate frames (same rate and layout required) and average the channels."""
    if not frames:
        return np.zeros(0, dtype=np.int16), WHISPER_RATE
    rate, channels = frames[0].sample_rate, frames[0].num_channels
    for f in frames:
        if f.sample_rate != rate or f.num_channels != channels:
            raise ValueError(
                f"audio frames differ in format: {f.sample_rate} Hz x{f.num_channels} "
                f"after {rate} Hz x{channels}"
            )
    pcm = np.concatenate([np.frombuffer(f.data, dtype=np.int16) for f in frames])
    if channels > 1:
        pcm = pcm[: pcm.size - pcm.size % channels].reshape(-1, channels)
        pcm = pcm.astype(np.int32).mean(axis=1).astype(np.int16)
    return pcm, rate


def resample_int16(pcm: np.ndarray, rate: int, target: int = WHISPER_RATE) -> np.ndarray:
    if rate == target or pcm.size == 0:
        return pcm
    resampler = rtc.AudioResampler(rate, target, num_channels=1, quality=rtc.AudioResamplerQuality.HIGH)
    frame = rtc.AudioFrame(data=pcm.tobytes(), sample_rate=rate, num_channels=1, samples_per_channel=pcm.size)
    out = resampler.push(frame) + resampler.flush()
    if not out:
        return np.zeros(0, dtype=np.int16)
    return np.concatenate([np.frombuffer(f.data, dtype=np.int16) for f in out])


def to_whisper_input(buffer: list[rtc.AudioFrame] | rtc.AudioFrame) -> np.ndarray:
    """Any AudioBuffer -> 16 kHz mono float32 in [-1, 1]."""
    pcm, rate = to_mono_int16(frames_of(buffer))
    pcm = resample_int16(pcm, rate)
    return pcm.astype(np.float32) / 32768.0
