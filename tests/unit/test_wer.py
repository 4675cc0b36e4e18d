import pytest

from bench.wer import edit_distance, normalise, wer

pytestmark = pytest.mark.unit


def test_identical_texts_score_zero_whatever_the_case_and_punctuation():
    assert wer("So, the first thing I'd do: ask.", "so the first thing id do ask") == 0.0


def test_substitution_deletion_and_insertion_each_cost_one():
    assert edit_distance(["a", "b", "c"], ["a", "x", "c"]) == 1
    assert edit_distance(["a", "b", "c"], ["a", "c"]) == 1
    assert edit_distance(["a", "b", "c"], ["a", "b", "b", "c"]) == 1
    assert wer("a b c d", "a x c") == 0.5


def test_rate_is_over_reference_length_and_can_exceed_one():
    assert wer("yes", "yes yes yes") == 2.0
    assert wer("one two", "") == 1.0


def test_empty_reference():
    assert wer("", "") == 0.0
    assert wer("", "hello") == 1.0


def test_hyphens_split_words_and_digits_are_kept():
    assert normalise("A one-off request, 10 teams") == ["a", "one", "off", "request", "10", "teams"]
