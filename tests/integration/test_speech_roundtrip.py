"""Real models, real audio: flite speaks, Whisper listens; Piper speaks, Whisper listens."""

import asyncio
import re
import subprocess
import time
from pathlib import Path

import numpy as np
import pytest
from livekit import rtc
from livekit.agents import inference, stt

from bench.speech import build_answer, flite_wav, join_wavs, read_wav, slice_frames

pytestmark = pytest.mark.integration

ANSWERS = (
    "I would start with the teams that depend on the platform every day.",
    "Adoption is a useful signal, but I would pair it with the time a new team needs to ship.",
    "For the breaking change, I would contact every consumer directly and offer help to migrate.",
    "The hard part is deciding when the copy is too old to trust.",
)


def words(text: str) -> list[str]:
    return re.sub(r"[^a-z0-9' ]+", " ", text.lower()).split()


def wer(reference: str, hypothesis: str) -> float:
    """Word error rate: word-level edit distance over the reference length."""
    ref, hyp = words(reference), words(hypothesis)
    prev = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, 1):
        cur = [i] + [0] * len(hyp)
        for j, h in enumerate(hyp, 1):
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (r != h))
        prev = cur
    return prev[-1] / max(1, len(ref))


def test_wer_function():
    assert wer("a b c d", "a b c d") == 0
    assert wer("a b c d", "a x c") == 0.5
    assert wer("a", "") == 1.0


@pytest.fixture(scope="module")
def whisper():
    from agent.speech.stt import FasterWhisperSTT

    return FasterWhisperSTT()


@pytest.fixture(scope="module")
def workdir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("speech")


def frame_from(pcm: np.ndarray, rate: int, channels: int = 1) -> rtc.AudioFrame:
    pcm = np.asarray(pcm, dtype=np.int16)
    return rtc.AudioFrame(
        data=pcm.tobytes(), sample_rate=rate, num_channels=channels, samples_per_channel=pcm.size // channels
    )


async def test_flite_answers_transcribe_within_10_percent_wer(whisper, workdir):
    refs, hyps = [], []
    for i, text in enumerate(ANSWERS):
        frame = read_wav(flite_wav(text, workdir / f"a{i}.wav"))
        event = await whisper.recognize(frame)
        assert event.type == stt.SpeechEventType.FINAL_TRANSCRIPT
        refs.append(text)
        hyps.append(event.alternatives[0].text)
    assert wer(" ".join(refs), " ".join(hyps)) <= 0.10, hyps


async def test_piper_sentence_round_trips_through_whisper(whisper):
    from agent.speech.tts import PiperTTS

    tts = PiperTTS(speaking_rate=1.1)
    assert tts.sample_rate == 22050
    text = "How would you know the platform creates value for the teams that use it?"
    frames = [ev.frame async for ev in tts.synthesize(text)]
    assert sum(f.duration for f in frames) > 1.5
    event = await whisper.recognize(frames)
    assert wer(text, event.alternatives[0].text) <= 0.10


async def test_piper_pushes_first_sentence_before_the_rest_is_done():
    from agent.speech.tts import PiperTTS

    tts = PiperTTS()
    text = (
        "First, a short one. "
        + "Then a much longer second sentence that takes Piper noticeably more time. " * 3
    )
    arrivals = []
    t0 = time.perf_counter()
    async for _ev in tts.synthesize(text):
        arrivals.append(time.perf_counter() - t0)
    assert arrivals[0] < arrivals[-1] * 0.6


async def test_silence_gives_empty_text(whisper):
    event = await whisper.recognize(frame_from(np.zeros(16000 * 3), 16000))
    assert event.alternatives[0].text == ""


async def test_zero_length_buffer(whisper):
    assert (await whisper.recognize([])).alternatives[0].text == ""
    assert (await whisper.recognize(frame_from(np.zeros(0), 48000))).alternatives[0].text == ""


async def test_white_noise_does_not_crash_or_ramble(whisper):
    rng = np.random.default_rng(7)
    event = await whisper.recognize(frame_from(rng.normal(0, 3000, 16000 * 4).clip(-32768, 32767), 16000))
    assert len(words(event.alternatives[0].text)) <= 12


async def test_clipped_loud_speech_still_transcribes(whisper, workdir):
    frame = read_wav(flite_wav(ANSWERS[0], workdir / "clip.wav"))
    pcm = np.frombuffer(frame.data, dtype=np.int16).astype(np.int32) * 6
    event = await whisper.recognize(frame_from(pcm.clip(-32768, 32767), frame.sample_rate))
    assert wer(ANSWERS[0], event.alternatives[0].text) <= 0.25


async def test_8khz_stereo_and_48khz_input(whisper, workdir):
    wav = flite_wav(ANSWERS[1], workdir / "rates.wav")
    narrow = workdir / "8k_stereo.wav"
    wide = workdir / "48k.wav"
    await asyncio.to_thread(
        subprocess.run, ["sox", "-D", str(wav), "-r", "8000", "-c", "2", str(narrow)], check=True
    )
    await asyncio.to_thread(
        subprocess.run, ["sox", "-D", str(wav), "-r", "48000", "-c", "1", str(wide)], check=True
    )
    # Telephone bandwidth really loses detail, so the bound there is looser: tiny.en hears the end
    # of this sentence as "...the time and you can be" (WER 0.32); at 48 kHz it is word-perfect.
    # Runs used to disagree (0.11, 0.32, 0.42 at 8 kHz) because sox dithered the converted file
    # differently each time and LiveKit's resampler dithered again; sox runs with -D and the STT
    # resamples with soxr now, so the same audio gives the same transcript on this machine. The
    # 48 kHz bound keeps room for two slips, for other CPUs whose float kernels differ.
    for path, bound in ((narrow, 0.35), (wide, 0.15)):
        frame = read_wav(path)
        event = await whisper.recognize(slice_frames(frame))
        assert wer(ANSWERS[1], event.alternatives[0].text) <= bound, (path.name, event.alternatives[0].text)


async def test_event_loop_never_stalls_while_decoding_a_30s_answer(whisper, workdir):
    wav, _ = build_answer(30, workdir)
    frame = read_wav(wav)
    assert frame.duration >= 28
    gaps: list[float] = []
    done = asyncio.Event()

    async def ticker():
        last = time.perf_counter()
        while not done.is_set():
            await asyncio.sleep(0.01)
            now = time.perf_counter()
            gaps.append(now - last - 0.01)
            last = now

    tick = asyncio.create_task(ticker())
    t0 = time.perf_counter()
    event = await whisper.recognize(frame)
    decode = time.perf_counter() - t0
    done.set()
    await tick
    assert event.alternatives[0].text
    # meaningful only if the decode ran long enough to have stalled the loop many times over
    assert decode > 0.3 and len(gaps) > 20
    assert max(gaps) < 0.05, f"max loop stall {max(gaps) * 1000:.0f} ms"


async def test_segmented_stream_decodes_long_answer_in_pieces(whisper, workdir):
    from agent.speech.segmented import SegmentedWhisperSTT

    parts = [flite_wav(t, workdir / f"p{i}.wav") for i, t in enumerate(ANSWERS * 2)]
    wav = join_wavs(parts, workdir / "long.wav", pause_s=0.3)
    frame = read_wav(wav)
    seg = SegmentedWhisperSTT(stt=whisper, vad=inference.VAD(min_silence_duration=0.55))
    finals, types = [], []
    async with seg.stream() as stream:
        for f in slice_frames(frame) + slice_frames(frame_from(np.zeros(16000), 16000)):
            stream.push_frame(f)
        stream.end_input()
        async for ev in stream:
            types.append(ev.type)
            if ev.type == stt.SpeechEventType.FINAL_TRANSCRIPT:
                finals.append(ev.alternatives[0].text)
        # one VAD segment (0.3 s pauses < 0.55 s), yet decoded as several pieces
        assert types.count(stt.SpeechEventType.END_OF_SPEECH) == 1
        assert len(finals) >= 4 and stream.pieces_closed >= 4
    assert wer(" ".join(ANSWERS * 2), " ".join(finals)) <= 0.10, finals


async def _finals_of(seg, frame):
    """Push ``frame`` and a second of silence through a stream of ``seg``; its final texts and the stream."""
    async with seg.stream() as stream:
        for f in slice_frames(frame) + slice_frames(frame_from(np.zeros(16000), 16000)):
            stream.push_frame(f)
        stream.end_input()
        finals = [ev.alternatives[0].text async for ev in stream if ev.type == stt.SpeechEventType.FINAL_TRANSCRIPT]
    return finals, stream


async def test_segmented_stream_force_closes_speech_without_pauses(whisper, workdir):
    from agent.speech.segmented import SegmentedWhisperSTT

    # no pauses at all: sentences butted together, 40 s of continuous voice
    parts = [flite_wav(t, workdir / f"q{i}.wav") for i, t in enumerate(ANSWERS * 4)]
    wav = join_wavs(parts, workdir / "nopause.wav", pause_s=0.01)
    frame = read_wav(wav)
    seg = SegmentedWhisperSTT(
        stt=whisper, vad=inference.VAD(min_silence_duration=0.55), pause_s=10.0, short_pause_s=10.0, max_segment_s=12.0
    )
    finals, stream = await _finals_of(seg, frame)
    assert stream.pieces_closed >= frame.duration // 12
    # cuts at the quietest window cost a little accuracy, not whole sentences
    assert wer(" ".join(ANSWERS * 4), " ".join(finals)) <= 0.15, finals


async def test_fluent_speech_is_closed_at_its_short_breaks_so_the_last_piece_is_short(whisper, workdir):
    """Sentences with only a short break between them: the earlier ones are decoded while the last is spoken."""
    from agent.speech.segmented import SegmentedWhisperSTT

    parts = [flite_wav(t, workdir / f"f{i}.wav") for i, t in enumerate(ANSWERS)]
    # 0.12 s breaks: under the 0.15 s pause that always closes a piece, over short_pause_s (0.096 s)
    frame = read_wav(join_wavs(parts, workdir / "fluent.wav", pause_s=0.12))

    async def pieces_and_text(short_pause_s: float) -> tuple[list[float], str]:
        seg = SegmentedWhisperSTT(stt=whisper, vad=inference.VAD(min_silence_duration=0.55),
                                  short_pause_s=short_pause_s)
        finals, stream = await _finals_of(seg, frame)
        return list(stream.piece_seconds), " ".join(finals)

    whole, _ = await pieces_and_text(0.15)  # the short-break rule off: one piece, decoded after the last word
    pieces, text = await pieces_and_text(0.096)  # the default
    assert len(whole) == 1, whole
    assert len(pieces) >= 2 and pieces[-1] < 0.6 * whole[0], pieces
    assert wer(" ".join(ANSWERS), text) <= 0.15, text
