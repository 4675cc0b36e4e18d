import pytest

from bench.unseen_voices import VOICES, load_answers

pytestmark = pytest.mark.unit


def test_answer_corpus_has_enough_answers_of_interview_length():
    answers = load_answers()
    assert len(answers) >= 12
    assert all(40 <= len(a.split()) <= 120 for a in answers)
    assert all("#" not in a and "\n" not in a for a in answers)


def test_no_voice_is_the_one_the_tests_speak_with():
    assert not any(v.engine == "flite" and v.arg == "slt" for v in VOICES)
    assert {v.engine for v in VOICES} == {"espeak-ng", "flite", "festival"}
