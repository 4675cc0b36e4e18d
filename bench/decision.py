"""Decision time (assess + policy) per answer: `python -m bench.decision`.

Runs every question with a weak, a middling and a long strong-ish answer many
times and prints the median, p95, p99 and max in milliseconds, for all answers
and split at the persona's rambling limit: the 5 ms target is for ordinary
answers, and an answer past the limit is cut short by the interviewer anyway.
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
    limit = persona.rambling.max_answer_words
    samples: list[tuple[float, bool]] = []  # (ms, within the persona's rambling limit)
    for _ in range(rounds):
        for q, a in cases:
            t0 = time.perf_counter()
            judge(q, persona, assessor, a)
            samples.append(((time.perf_counter() - t0) * 1000.0, len(a.split()) <= limit))
    print(f"decision time over {len(samples)} answers ({len(cases)} distinct, words "
          f"{min(len(a.split()) for _, a in cases)}-{max(len(a.split()) for _, a in cases)}):")
    for label, chosen in (("all", [ms for ms, _ in samples]),
                          (f"ordinary (up to {limit} words)", [ms for ms, ok in samples if ok]),
                          (f"rambling (over {limit} words)", [ms for ms, ok in samples if not ok])):
        if chosen:
            _line(label, sorted(chosen))


def _line(label: str, ms: list[float]) -> None:
    n = len(ms)
    p99 = ms[min(n - 1, int(n * 0.99))]
    print(f"  {label}: n {n}  median {statistics.median(ms):.3f} ms  p95 {ms[min(n - 1, int(n * 0.95))]:.3f} ms  "
          f"p99 {p99:.3f} ms  max {ms[-1]:.3f} ms  (p99 / 5 ms target: {p99 / 5:.2f})")

if __name__ == "__main__":
    main()
