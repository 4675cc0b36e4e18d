"""Evaluation figures for the default assessor: `python -m bench.evals`."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from agent.content.loader import load_bank
from agent.interview.assess import CueAssessor
from agent.interview.evaluation import evaluate
from tests.evals.loader import ANSWERS, load_answers


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--persona", default="platform-lead")
    parser.add_argument("--misses", action="store_true", help="list the answers that miss a target")
    parser.add_argument("--answers", type=Path, default=ANSWERS,
                        help="labelled answers (default: the blind set; tests/evals/dev_answers.yaml is the "
                             "development set)")
    args = parser.parse_args()
    bank = load_bank()
    assessor = CueAssessor(bank.lexicon)
    result = evaluate(load_answers(args.answers), bank.questions, bank.personas[args.persona], assessor)
    print(f"persona {args.persona}, answers {args.answers.name}")
    for name, para in (("all", None), ("keyword-bearing", False), ("paraphrases", True)):
        print(f"{name:>16}: {json.dumps(result.figures(para))}")
    print("score distribution by label:")
    for label in ("strong", "mixed", "weak"):
        counts = result.confusion().get(label, {})
        print(f"  {label:>6}: " + "  ".join(f"{s}:{counts.get(s, 0)}" for s in range(1, 6)))
    if args.misses:
        for r in result.misses():
            print(f"  miss {r.id} label={r.label} score={r.score} action={r.action} signals={list(r.signals)}")


if __name__ == "__main__":
    main()
