"""Audio conversion for Whisper: every rate and layout, and the same input always gives the same output."""

import numpy as np
import pytest
from livekit import rtc

from agent.speech._audio import WHISPER_RATE, resample_int16, to_whisper_input

pytestmark = pytest.mark.unit


def tone(rate: int, seconds: float = 1.0, channels: int = 1) -> rtc.AudioFrame:
    t = np.arange(int(rate * seconds)) / rate
    mono = (np.sin(2 * np.pi * 440 * t) * 8000).astype(np.int16)
    pcm = np.repeat(mono, channels) if channels > 1 else mono
    return rtc.AudioFrame(data=pcm.tobytes(), sample_rate=rate, num_channels=channels,
                          samples_per_channel=mono.size)


@pytest.mark.parametrize("rate,channels", [(8000, 2), (16000, 1), (44100, 1), (48000, 2)])
def test_any_rate_and_layout_becomes_16k_mono_float(rate, channels):
    audio = to_whisper_input(tone(rate, channels=channels))
    assert audio.dtype == np.float32
    assert abs(audio.size - WHISPER_RATE) <= 2
    assert 0.2 < float(np.max(np.abs(audio))) < 0.3  # the tone's level survives (8000 / 32768)


def test_the_same_audio_always_gives_the_same_whisper_input():
    # LiveKit's resampler dithers; two calls on one 8 kHz clip differed by up to 2 LSB, enough
    # to flip tiny.en's transcript of a telephone-rate answer between runs
    frame = tone(8000, seconds=3.0, channels=2)
    assert np.array_equal(to_whisper_input(frame), to_whisper_input(frame))
    pcm = np.frombuffer(tone(48000).data, dtype=np.int16)
    assert np.array_equal(resample_int16(pcm, 48000), resample_int16(pcm, 48000))


def test_an_empty_buffer_is_empty_audio():
    assert to_whisper_input([]).size == 0
