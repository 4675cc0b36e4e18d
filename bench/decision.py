"""Decision time (assess + policy) per answer: `python -m bench.decision`.

Runs every question with a weak, a middling and a long strong-ish answer many
times and prints the median, p95, p99 and max in milliseconds.
"""

from __future__ import annotations

import statistics
import time

from agent.content.loader import load_bank
from agent.interview.assess import CueAssessor
from agent.interview.oneshot import judge


def _answers(q) -> list[str]:  # noqa: ANN001
    outline = " ".join(q.strong_answer)
    return [q.weak_answer, outline[: len(outline) // 2], (outline + " ") * 3]


def main(rounds: int = 60) -> None:
    bank = load_bank()
    persona = bank.personas["platform-lead"]
    assessor = CueAssessor(bank.lexicon)
    cases = [(q, a) for q in bank.questions.values() for a in _answers(q)]
    for q, a in cases:  # warm the compiled-cue cache, as a live process would be
        judge(q, persona, assessor, a)
    samples = []
    for _ in range(rounds):
        for q, a in cases:
            t0 = time.perf_counter()
            judge(q, persona, assessor, a)
            samples.append((time.perf_counter() - t0) * 1000.0)
    samples.sort()
    n = len(samples)
    print(f"decision time over {n} answers ({len(cases)} distinct, words {min(len(a.split()) for _, a in cases)}"
          f"-{max(len(a.split()) for _, a in cases)}):")
    print(f"  median {statistics.median(samples):.3f} ms  p95 {samples[int(n * 0.95)]:.3f} ms  "
          f"p99 {samples[int(n * 0.99)]:.3f} ms  max {samples[-1]:.3f} ms  (p99 / 5 ms target: "
          f"{samples[int(n * 0.99)] / 5:.2f})")


if __name__ == "__main__":
    main()
