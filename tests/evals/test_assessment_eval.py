"""The labelled evaluation set: targets for probing weak answers and scoring strong ones."""

import pytest

from agent.content.loader import REQUIRED_QUESTION_IDS, load_bank
from agent.interview._text import find_phrase, phrase_stems, tokenize
from agent.interview.assess import CueAssessor
from agent.interview.evaluation import evaluate

from .loader import load_answers

pytestmark = pytest.mark.unit

REQUIRED = REQUIRED_QUESTION_IDS


@pytest.fixture(scope="module")
def bank():
    return load_bank()


@pytest.fixture(scope="module")
def result(bank):
    assessor = CueAssessor(bank.lexicon)
    return evaluate(load_answers(), bank.questions, bank.personas["platform-lead"], assessor)


def test_the_set_is_large_and_covers_every_required_question():
    answers = load_answers()
    assert len(answers) >= 60
    assert {a.question for a in answers} >= REQUIRED
    assert {a.label for a in answers} == {"strong", "mixed", "weak"}
    assert sum(a.paraphrase for a in answers) * 3 >= len(answers) - 2


def test_paraphrases_use_none_of_the_cue_phrases(bank):
    offenders = []
    for a in load_answers():
        if not a.paraphrase:
            continue
        tokens = tokenize(a.text)
        for s in bank.questions[a.question].signals:
            for phrase in s.cues.phrases:
                if any(True for _ in find_phrase(tokens, phrase_stems(phrase))):
                    offenders.append(f"{a.id}: '{phrase}' ({s.id})")
    assert not offenders, "paraphrases must avoid cue phrases: " + "; ".join(offenders)


def test_weak_answers_are_probed(result):
    assert result.figures()["weak_probed_pct"] >= 95.0


def test_strong_answers_score_high(result):
    figures = result.figures()
    assert figures["strong_scored_4plus_pct"] >= 90.0
    # ids only in the message: the texts stay unseen by whoever edits cues
    assert figures["strong_scored_2minus"] == 0, [
        (r.id, r.score) for r in result.rows if r.label == "strong" and r.score <= 2]
