"""Evaluation figures for the default assessor: `python -m bench.evals`.

Prints, for every frozen blind set (or the set given with --answers), the
target figures overall, for keyword-bearing answers and paraphrases, and per
category where the set tags its items.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from agent.content.loader import load_bank
from agent.interview.assess import CueAssessor
from agent.interview.evaluation import EvalResult, evaluate
from tests.evals.loader import BLIND_SETS, load_answers

_SHOWN = ("answers", "weak_2minus_followed_up_pct", "strong_scored_4plus_pct", "strong_scored_2minus",
          "mixed_2_to_4_pct", "short_quote_pct", "weak_mean_score", "mixed_mean_score", "strong_mean_score")


def _line(figures: dict[str, float | int]) -> str:
    return json.dumps({k: figures[k] for k in _SHOWN})


def report(result: EvalResult, name: str, misses: bool) -> None:
    print(f"== {name}")
    for label, para in (("all", None), ("keyword-bearing", False), ("paraphrases", True)):
        print(f"{label:>16}: {_line(result.figures(para))}")
    for category in result.categories():
        rows = result.subset(category=category)
        by_label = ", ".join(f"{lab} {sum(r.on_target for r in rows if r.label == lab)}/"
                             f"{sum(r.label == lab for r in rows)}"
                             for lab in ("strong", "mixed", "weak") if any(r.label == lab for r in rows))
        print(f"{'cat ' + category:>16}: on target {by_label}  "
              f"scores {sorted(r.score for r in rows)}")
    print("score distribution by label:")
    for label in ("strong", "mixed", "weak"):
        counts = result.confusion().get(label, {})
        print(f"  {label:>6}: " + "  ".join(f"{s}:{counts.get(s, 0)}" for s in range(1, 6)))
    if misses:
        for r in result.misses():
            print(f"  miss {r.id} label={r.label} category={r.category or '-'} score={r.score} "
                  f"action={r.action} signals={list(r.signals)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--persona", default="platform-lead")
    parser.add_argument("--misses", action="store_true", help="list the answers that miss a target")
    parser.add_argument("--answers", type=Path, action="append",
                        help="labelled answers (default: every frozen blind set; tests/evals/dev_answers.yaml "
                             "is the development set); may be repeated")
    args = parser.parse_args()
    bank = load_bank()
    assessor = CueAssessor(bank.lexicon)
    print(f"persona {args.persona}")
    for path in args.answers or BLIND_SETS:
        result = evaluate(load_answers(path), bank.questions, bank.personas[args.persona], assessor)
        report(result, path.name, args.misses)


if __name__ == "__main__":
    main()
