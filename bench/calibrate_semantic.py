"""Choose the semantic assessor's threshold on the development answers: `python -m bench.calibrate_semantic`.

The threshold is the one number the semantic backend adds, and it is chosen on
tests/evals/dev_answers.yaml (the answers the bank's authors wrote while
writing cues), never on tests/evals/answers.yaml, which stays a measurement.
For each candidate threshold it prints the development figures; the rule is
the lowest threshold at which weak answers are still probed at least 95% of
the time and no weak answer scores 4 or more, i.e. the most recall the red
flags allow.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from agent.content.loader import load_bank
from agent.interview.evaluation import evaluate
from agent.semantic.assessor import SemanticAssessor
from agent.semantic.encoder import shared_encoder
from tests.evals.loader import load_answers

DEV = Path(__file__).resolve().parents[1] / "tests" / "evals" / "dev_answers.yaml"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--persona", default="platform-lead")
    parser.add_argument("--answers", type=Path, default=DEV)
    args = parser.parse_args()
    bank = load_bank()
    answers = load_answers(args.answers)
    persona = bank.personas[args.persona]
    encoder = shared_encoder()
    chosen = None
    print(f"{len(answers)} development answers, persona {args.persona}")
    print("threshold  weak_probed%  weak>=4  strong>=4%  strong<=2  mean weak/mixed/strong")
    for step in range(12, -1, -1):
        t = round(0.25 + 0.025 * step, 3)
        result = evaluate(answers, bank.questions, persona, SemanticAssessor(bank.lexicon, encoder, threshold=t))
        f = result.figures()
        weak_high = sum(1 for r in result.rows if r.label == "weak" and r.score >= 4)
        means = f"{f['weak_mean_score']}/{f['mixed_mean_score']}/{f['strong_mean_score']}"
        print(f"{t:>9.3f}  {f['weak_probed_pct']:>12}  {weak_high:>7}  {f['strong_scored_4plus_pct']:>10}"
              f"  {f['strong_scored_2minus']:>9}  {means}")
        if f["weak_probed_pct"] >= 95.0 and weak_high == 0:
            chosen = t
        else:
            break  # every lower threshold lifts at least as many weak answers
    print(f"chosen threshold (lowest that keeps every weak answer below 4 and probed): {chosen}")


if __name__ == "__main__":
    main()
