"""Assessment time against answer length: `python -m bench.answer_size`.

A pasted transcript can be megabytes long. Assessment must grow linearly with
the text (the issue's bar: a 2 MB answer in under 10 s), whatever its shape:
punctuated prose, one unpunctuated run-on, or comma-spliced lists. Each shape
is timed at 20 KB, 200 KB and 2 MB; the ratio between sizes should stay near
10 (linear), not 100 (quadratic).
"""

from __future__ import annotations

import argparse
import random
import statistics
import time

from agent.content.loader import load_bank
from agent.interview.assess import CueAssessor

_PROSE = ("I'd start from the job the platform does for consuming teams, because they come to us to ship faster. "
          "Uptime and adoption and the number of integrations matter, but the time to integrate for a new team is "
          "what I'd watch, for example three weeks down to two days. Um, so yeah, and like, you know. ")
SIZES = (20_000, 200_000, 2_000_000)


def _shapes(size: int) -> dict[str, str]:
    rng = random.Random(size)
    words = _PROSE.replace(".", "").replace(",", "").split()
    run_on = " ".join(rng.choice(words) for _ in range(size // 4))
    commas = ", ".join(rng.choice(words) for _ in range(size // 4))
    return {"prose": (_PROSE * (size // len(_PROSE) + 1))[:size], "run-on": run_on[:size], "commas": commas[:size]}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3, help="timings per shape and size (default 3)")
    args = parser.parse_args(argv)
    bank = load_bank()
    assessor = CueAssessor(bank.lexicon)
    question = bank.questions["platform-success-metrics"]
    assessor.assess(question, _PROSE)  # compile the cues first, as a live process would have
    for shape in ("prose", "run-on", "commas"):
        medians = []
        for size in SIZES:
            text = _shapes(size)[shape]
            samples = []
            for _ in range(args.repeats):
                t0 = time.perf_counter()
                assessor.assess(question, text)
                samples.append(time.perf_counter() - t0)
            samples.sort()
            medians.append(statistics.median(samples))
            print(f"{shape:>7} {size / 1000:>6.0f} KB: median {medians[-1]:7.3f} s  "
                  f"p95 {samples[min(len(samples) - 1, int(len(samples) * 0.95))]:7.3f} s")
        ratios = "  ".join(f"{b / a:5.1f}x" for a, b in zip(medians, medians[1:], strict=False))
        print(f"{shape:>7} ratio per 10x size: {ratios}  (10x is linear; 2 MB / 10 s target: {medians[-1] / 10:.2f})")


if __name__ == "__main__":
    main()
