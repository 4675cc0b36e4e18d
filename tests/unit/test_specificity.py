"""Cue specificity: cues that fire on other questions' answers or on everyday words are flagged, others not."""

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from agent.content.loader import load_bank
from agent.interview.specificity import cue_flags
from tests.fakes.content import fake_question

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[2]
EXE = str(Path(sys.executable).with_name("interviewer"))


def _with_phrases(signal_index, phrases):
    """The fake question with one signal's phrase cues replaced."""
    q = fake_question()
    signals = [s.model_dump(mode="json") for s in q.signals]
    signals[signal_index]["cues"]["phrases"] = list(phrases)
    return fake_question(signals=signals)


def _background(n_other=30, with_teams=True):
    """Answers to another question that all say "teams"; a few to the fake question itself."""
    other = [("other-q", f"We'd ship it to the teams in week {i}." if with_teams else f"We'd ship it in week {i}.")
             for i in range(n_other)]
    return [*other, ("fake-metrics", "The time to integrate matters most.")]


def test_a_cue_that_fires_on_other_questions_is_flagged_and_a_specific_one_is_not():
    q = _with_phrases(0, ("consuming teams", "teams"))  # a generic cue slipped in
    flags = cue_flags({q.id: q}, _background())
    assert [(f.signal, f.cue, f.reason) for f in flags] == [("job-first", "teams", "other-questions")]
    assert "fires on 100% of answers to other questions" in flags[0].line()


def test_a_one_word_everyday_cue_is_flagged_even_within_its_own_question():
    q = _with_phrases(2, ("time to integrate", "the"))
    background = [("fake-metrics", f"The answer number {i}.") for i in range(25)]
    flags = cue_flags({q.id: q}, background)
    assert [(f.cue, f.reason) for f in flags] == [("the", "common-word")]


def test_too_small_a_background_flags_nothing():
    q = _with_phrases(0, ("teams",))
    assert cue_flags({q.id: q}, _background(n_other=5)) == []


def test_the_shipped_bank_has_no_unspecific_cue_on_the_development_answers():
    bank = load_bank()
    answers = [(a["question"], a["text"]) for path in sorted((ROOT / "tests" / "evals").glob("dev_answers*.yaml"))
               for a in yaml.safe_load(path.read_text(encoding="utf-8"))["answers"]]
    assert len(answers) > 500  # every development set, pooled, as `bank validate` measures by default
    flags = cue_flags(bank.questions, answers)
    assert [f.line() for f in flags] == []


def test_bank_validate_reports_a_bad_background_file_in_one_line(tmp_path):
    bad = tmp_path / "bg.yaml"
    bad.write_text("answers: 3\n", encoding="utf-8")
    proc = subprocess.run([EXE, "bank", "validate", "--background", str(bad)], capture_output=True, text=True,
                          timeout=60)
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and str(bad) in lines[0] and "'answers'" in lines[0]
