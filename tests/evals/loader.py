"""Reads the labelled answer sets of tests/evals/ into LabelledAnswer records."""

from __future__ import annotations

from pathlib import Path

import yaml

from agent.interview.evaluation import LabelledAnswer

HERE = Path(__file__).parent
ANSWERS = HERE / "answers.yaml"  # the first blind set
BLIND_2 = HERE / "blind_2.yaml"  # the second blind set, frozen before issue 9's assessor was measured on it
BLIND_3 = HERE / "blind_3.yaml"  # the third, frozen before the stance and floor changes of 2026-12-04
BLIND_4 = HERE / "blind_4.yaml"  # the fourth, frozen before the reasoning and outgrown-weak-idea changes
BLIND_5 = HERE / "blind_5.yaml"  # the fifth, frozen before the second reasoning point and the "pick X over Y" stance
BLIND_6 = HERE / "blind_6.yaml"  # the sixth, frozen 2026-12-07 before the change it measures
BLIND_7 = HERE / "blind_7.yaml"  # the seventh, frozen 2026-12-07 after the first of that day's changes
BLIND_8 = HERE / "blind_8.yaml"  # the eighth, frozen 2026-12-07 before the next assessor change (its "before")
BLIND_9 = HERE / "blind_9.yaml"  # the ninth, frozen 2026-12-07 (a new session) before that session's assessor change
BLIND_10 = HERE / "blind_10.yaml"  # the tenth, frozen 2026-12-07 after a reverted batch and before the next one
BLIND_11 = HERE / "blind_11.yaml"  # the eleventh, frozen 2026-12-07 after the fourth batch landed
BLIND_12 = HERE / "blind_12.yaml"  # the twelfth, frozen 2026-12-07 before the sixth batch (reverted)
BLIND_13 = HERE / "blind_13.yaml"  # the thirteenth, frozen 2026-12-07 before the sixth batch was tried again
BLIND_14 = HERE / "blind_14.yaml"  # the fourteenth, frozen 2026-12-07 (a new session) before its changes
BLIND_15 = HERE / "blind_15.yaml"  # the fifteenth, frozen 2026-12-07 (the next session), before any assessor change
BLIND_16 = HERE / "blind_16.yaml"  # the sixteenth, frozen 2026-12-07 (a new session), before any of its changes
BLIND_17 = HERE / "blind_17.yaml"  # the seventeenth, frozen 2026-12-08 (a new session), before any of its changes
# every frozen blind set; targets hold on each
BLIND_SETS = (ANSWERS, BLIND_2, BLIND_3, BLIND_4, BLIND_5, BLIND_6, BLIND_7, BLIND_8, BLIND_9, BLIND_10, BLIND_11,
              BLIND_12, BLIND_13, BLIND_14, BLIND_15, BLIND_16, BLIND_17)
DEV_ANSWERS = HERE / "dev_answers.yaml"
DEV_ANSWERS_2 = HERE / "dev_answers_2.yaml"  # written blind to the bank, but tuned on: development only
DEV_ANSWERS_3 = HERE / "dev_answers_3.yaml"  # the same, a third author
DEV_ANSWERS_4 = HERE / "dev_answers_4.yaml"  # the same, a fourth author, weighted towards weak answers that sound right
DEV_ANSWERS_5 = HERE / "dev_answers_5.yaml"  # a fifth: weak answers with correct-sounding content, varied dismissals
DEV_ANSWERS_6 = HERE / "dev_answers_6.yaml"  # a sixth: strong answers in varied wording, and stance both ways
DEV_ANSWERS_7 = HERE / "dev_answers_7.yaml"  # a seventh: weak answers that sound competent, dismissals in many words


def load_answers(path: Path = ANSWERS) -> list[LabelledAnswer]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if data.get("schema_version") != 1:
        raise ValueError(f"{path}: schema_version: expected 1")
    return [
        LabelledAnswer(id=a["id"], question=a["question"], label=a["label"],
                       paraphrase=bool(a.get("paraphrase", False)), text=a["text"],
                       category=str(a.get("category", "")))
        for a in data["answers"]
    ]
