"""faster-whisper with a shorter encoder window for short clips, and the decode call.

Whisper pads every clip to a 30 s window before the encoder, so a 2 s tail
costs as much as 30 s of audio: about 0.33 s on two cores for tiny.en, which
alone breaks a 300 ms transcript budget. CTranslate2 accepts a shorter
window; trimming the zero padding to ``content + 3 s`` with a 10 s floor
measured 0.14-0.22 s for 1.6-8.7 s clips with the same words as the full
window. Below ~10 s of context tiny.en loops ("Yes. Yes. Yes."), hence the
floor; decoding is also capped in tokens and run at temperature 0 only, so a
hallucination can never turn into a 10 s temperature-fallback spiral.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import numpy as np
from faster_whisper import WhisperModel

MIN_CONTEXT_FRAMES = 1000  # 10 s of mel frames
CONTEXT_MARGIN_FRAMES = 300  # 3 s
FULL_WINDOW = 3000
SILENCE_PEAK = 1e-3  # below this the clip is digital silence: skip the model entirely


class ShortContextWhisper(WhisperModel):
    """A WhisperModel whose encoder sees only the audio plus a margin, not 30 s of padding."""

    short_context = True

    def encode(self, features: np.ndarray) -> Any:
        if self.short_context:
            # pad_or_trim fills with exact zeros; real log-mel frames are never all-zero
            columns = np.flatnonzero(np.any(features != 0, axis=-2))
            content = int(columns[-1]) + 1 if columns.size else 1
            keep = min(FULL_WINDOW, max(MIN_CONTEXT_FRAMES, content + CONTEXT_MARGIN_FRAMES))
            features = np.ascontiguousarray(features[..., :keep])
        return super().encode(features)


@dataclass
class Transcript:
    text: str
    language: str
    duration: float
    confidence: float


_SPACES = re.compile(r"\s+")


def transcribe(model: WhisperModel, audio: np.ndarray, *, language: str, beam_size: int) -> Transcript:
    """Decode 16 kHz mono float32 audio. Blocking: call it in a worker thread.

    The segment generator is lazy (decoding happens while iterating), so it is
    consumed here, inside the same thread, never on the event loop.
    """
    duration = audio.shape[0] / 16000.0
    if audio.size == 0 or float(np.max(np.abs(audio))) < SILENCE_PEAK:
        return Transcript("", language, duration, 0.0)
    segments, info = model.transcribe(
        audio,
        language=language,
        beam_size=beam_size,
        temperature=0.0,
        vad_filter=False,
        condition_on_previous_text=False,
        without_timestamps=True,
        # ~3 words/s, ~1.5 tokens a word: generous, but bounds a runaway loop
        max_new_tokens=min(440, int(24 + 8 * min(duration, 30.0))),
    )
    texts: list[str] = []
    logprobs: list[float] = []
    for seg in segments:
        texts.append(seg.text)
        logprobs.append(seg.avg_logprob)
    text = _SPACES.sub(" ", " ".join(texts)).strip()
    confidence = float(np.exp(np.mean(logprobs))) if logprobs else 0.0
    return Transcript(text, info.language or language, duration, min(1.0, confidence))
