"""Speech benchmarks: Whisper real-time factor and final-transcript delay, Piper time to first audio.

Run: ``.venv/bin/python -m bench.speech [--runs 5] [--speed 4]``

Answers of ~5, 30 and 90 s are built from flite (voice slt) sentences joined
with sox and short pauses. The streaming figures push the answer through
``SegmentedWhisperSTT`` with the local VAD; most of the answer is paced at
``--speed`` x real time to keep the run short, the last 3 s and the trailing
silence at real time, because the tail is what the candidate waits for.
The VAD uses a 0.55 s end-of-speech silence and sentences are joined with
0.3 s pauses, so the whole answer is one VAD segment. "Whole" is the
alternative without incremental decoding: the entire answer
decoded after it ends (what livekit's StreamAdapter does when pauses are
shorter than the VAD's end-of-speech silence).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import subprocess
import sys
import tempfile
import time
import wave
from pathlib import Path

import numpy as np
from livekit import rtc

# a patient VAD, as an interviewer needs: the 0.3 s pauses between sentences never end
# a VAD segment, so without incremental decoding the whole answer waits for the end
VAD_SILENCE_S = 0.55

SENTENCES = (
    "I would start by asking which teams depend on the platform every day.",
    "Adoption is a useful signal, but I would pair it with the time a new team needs to ship.",
    "The second number I watch is how often teams build around the platform instead of on it.",
    "If the support queue keeps growing, the platform is creating work rather than removing it.",
    "For the breaking change, I would contact every consumer directly and offer help to migrate.",
    "We would publish a clear timeline and keep the old version running for as long as we safely can.",
    "A cache keeps a copy of the answer close to the reader, so repeated requests stay fast.",
    "The hard part is deciding when the copy is too old to trust.",
)


def flite_wav(text: str, out: Path, voice: str = "slt") -> Path:
    """Speak ``text`` with flite, then trim flite's own leading and trailing silence (sox)."""
    raw = out.with_name(out.stem + "_raw.wav")
    subprocess.run(["flite", "-voice", voice, "-t", text, "-o", str(raw)], check=True, timeout=60)
    subprocess.run(
        [
            "sox",
            "-D",  # no dither: the same text always gives the same file
            str(raw),
            str(out),
            "silence",
            "1",
            "0.02",
            "0.5%",
            "reverse",
            "silence",
            "1",
            "0.02",
            "0.5%",
            "reverse",
        ],
        check=True,
        timeout=60,
    )
    raw.unlink()
    return out


def join_wavs(parts: list[Path], out: Path, pause_s: float = 0.3, rate: int = 16000) -> Path:
    """Concatenate WAVs with ``pause_s`` of silence between them (sox), at ``rate`` Hz mono."""
    gap = out.with_name(out.stem + "_gap.wav")
    subprocess.run(
        ["sox", "-D", "-n", "-r", str(rate), "-c", "1", "-b", "16", str(gap), "trim", "0", str(pause_s)],
        check=True,
        timeout=60,
    )
    seq: list[str] = []
    for i, p in enumerate(parts):
        if i:
            seq.append(str(gap))
        seq.append(str(p))
    subprocess.run(["sox", "-D", *seq, "-r", str(rate), "-c", "1", "-b", "16", str(out)], check=True, timeout=120)
    return out


def read_wav(path: Path) -> rtc.AudioFrame:
    with wave.open(str(path)) as w:
        data = w.readframes(w.getnframes())
        return rtc.AudioFrame(
            data=data,
            sample_rate=w.getframerate(),
            num_channels=w.getnchannels(),
            samples_per_channel=w.getnframes(),
        )


def build_answer(seconds: float, workdir: Path, voice: str = "slt") -> tuple[Path, str]:
    """An answer of at least ``seconds`` built by cycling SENTENCES; returns (wav, reference text)."""
    parts: list[Path] = []
    texts: list[str] = []
    total = 0.0
    i = 0
    while total < seconds:
        text = SENTENCES[i % len(SENTENCES)]
        wav = flite_wav(text, workdir / f"{voice}_{i % len(SENTENCES)}.wav", voice)
        with wave.open(str(wav)) as w:
            total += w.getnframes() / w.getframerate() + 0.3
        parts.append(wav)
        texts.append(text)
        i += 1
    out = join_wavs(parts, workdir / f"answer_{int(seconds)}s_{voice}.wav")
    return out, " ".join(texts)


def slice_frames(frame: rtc.AudioFrame, ms: int = 20) -> list[rtc.AudioFrame]:
    n = frame.sample_rate * ms // 1000
    pcm = np.frombuffer(frame.data, dtype=np.int16).reshape(-1, frame.num_channels)
    return [
        rtc.AudioFrame(
            data=pcm[i : i + n].tobytes(),
            sample_rate=frame.sample_rate,
            num_channels=frame.num_channels,
            samples_per_channel=len(pcm[i : i + n]),
        )
        for i in range(0, len(pcm), n)
    ]


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[k]


async def stream_answer(
    stt_stream: object,
    frame: rtc.AudioFrame,
    *,
    speed: float,
    realtime_tail_s: float = 3.0,
    trailing_silence_s: float = 1.2,
) -> dict[str, float]:
    """Push ``frame`` paced, then silence; return timing of END_OF_SPEECH and the last final."""
    from livekit.agents import stt

    stream = stt_stream
    frames = slice_frames(frame)
    step = 0.02
    tail_from = max(0, len(frames) - int(realtime_tail_s / step))
    silence = slice_frames(
        rtc.AudioFrame(
            data=b"\0\0" * int(frame.sample_rate * trailing_silence_s),
            sample_rate=frame.sample_rate,
            num_channels=1,
            samples_per_channel=int(frame.sample_rate * trailing_silence_s),
        )
    )
    marks: dict[str, float] = {}
    finals: list[str] = []

    async def consume() -> None:
        async for ev in stream:  # type: ignore[attr-defined]
            if ev.type == stt.SpeechEventType.END_OF_SPEECH:
                marks["eos"] = time.perf_counter()
            elif ev.type == stt.SpeechEventType.FINAL_TRANSCRIPT:
                marks["final"] = time.perf_counter()
                finals.append(ev.alternatives[0].text)

    consumer = asyncio.create_task(consume())
    t0 = time.perf_counter()
    clock = 0.0
    for i, f in enumerate(frames + silence):
        stream.push_frame(f)  # type: ignore[attr-defined]
        clock += step / (1.0 if i >= tail_from else speed)
        if i == len(frames) - 1:
            marks["voice_end"] = t0 + clock
        delay = t0 + clock - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
    stream.end_input()  # type: ignore[attr-defined]
    await asyncio.wait_for(consumer, 60)
    return {
        # negative means the last piece was decoded before the VAD declared end of speech
        "after_eos": max(0.0, marks["final"] - marks["eos"]),
        "after_voice": marks["final"] - marks["voice_end"],
        "text": " ".join(finals),  # type: ignore[dict-item]
        "last_piece": stream.decode_seconds[-1] if stream.decode_seconds else float("nan"),  # type: ignore[attr-defined]
        "pieces": float(len(stream.decode_seconds)),  # type: ignore[attr-defined]
    }


def _row(label: str, values: list[float], unit: str = "s") -> str:
    return (
        f"  {label:<44} median {statistics.median(values):7.3f}{unit}  p95 {pct(values, 95):7.3f}{unit}"
        f"  (n={len(values)})"
    )


async def bench(runs: int, speed: float, lengths: tuple[int, ...]) -> None:
    from livekit.agents import inference

    from agent.speech import loader
    from agent.speech.segmented import SegmentedWhisperSTT
    from agent.speech.stt import FasterWhisperSTT
    from agent.speech.tts import PiperTTS

    print("== model load (cold, this process)")
    t = time.perf_counter()
    report = loader.load_speech(warm_up=False)
    print(
        f"  whisper tiny.en {report.whisper_seconds:.3f}s  piper joe-medium {report.voice_seconds:.3f}s "
        f"(both incl. digest check; total {time.perf_counter() - t:.3f}s)"
    )

    whisper = FasterWhisperSTT()
    work = Path(tempfile.mkdtemp(prefix="bench-speech-"))
    answers = {n: build_answer(n, work) for n in lengths}

    print(f"== STT: whole-buffer recognize() and segmented streaming (x{speed} pacing, real-time tail)")
    for wav, _ref in answers.values():
        frame = read_wav(wav)
        whole: list[float] = []
        for _ in range(runs):
            t = time.perf_counter()
            await whisper.recognize(frame)
            whole.append(time.perf_counter() - t)
        rtf = [w / frame.duration for w in whole]
        after_eos: list[float] = []
        after_voice: list[float] = []
        last_piece: list[float] = []
        pieces = 0.0
        for _ in range(runs):
            seg = SegmentedWhisperSTT(stt=whisper, vad=inference.VAD(min_silence_duration=VAD_SILENCE_S))
            async with seg.stream() as stream:
                r = await stream_answer(stream, frame, speed=speed)
            after_eos.append(r["after_eos"])
            after_voice.append(r["after_voice"])
            last_piece.append(r["last_piece"])
            pieces = r["pieces"]
        print(f" answer {frame.duration:5.1f}s ({int(pieces)} pieces)")
        print(_row("whole decode after end (= final delay, whole)", whole))
        print(_row("real-time factor, whole", rtf, ""))
        print(_row("segmented: final after VAD end-of-speech", after_eos))
        print(_row("segmented: final after last voiced audio", after_voice))
        print(_row("segmented: decode time of the last piece", last_piece))
        print(
            f"  ratio whole / segmented, both from the last voiced audio (medians): "
            f"{(statistics.median(whole) + 0.55) / max(1e-3, statistics.median(after_voice)):.1f}x"
            "  (whole also waits for the 0.55 s VAD silence)"
        )

    print("== TTS: Piper en_US-joe-medium time to first audio")
    sentence = "Those numbers tell me the platform is up and used. How would you know it creates value?"
    cold_tts = PiperTTS()
    t = time.perf_counter()
    async for _ in cold_tts.synthesize(sentence):
        cold = time.perf_counter() - t
        break
    warm: list[float] = []
    for _ in range(runs):
        t = time.perf_counter()
        stream = cold_tts.synthesize(sentence)
        async for _ in stream:
            warm.append(time.perf_counter() - t)
            break
        await stream.aclose()
    print(f"  first call after load (cold) {cold:.3f}s")
    print(_row("warm time to first audio", warm))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench.speech", description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--speed", type=float, default=4.0, help="pacing factor for all but the last 3 s")
    parser.add_argument("--lengths", default="5,30,90", help="answer lengths in seconds, comma separated")
    args = parser.parse_args(argv)
    from agent.logs import configure_logging

    configure_logging()
    lengths = tuple(int(x) for x in args.lengths.split(","))
    started = time.perf_counter()
    asyncio.run(bench(args.runs, args.speed, lengths))
    print(f"(total {time.perf_counter() - started:.0f}s)")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    sys.exit(main())
