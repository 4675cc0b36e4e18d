"""The transcript gate of a fast reply: does the answer so far read as finished?"""

import pytest

from agent.interview.completeness import expected_words, looks_unfinished, unfinished_reason

pytestmark = pytest.mark.unit

DONE = "I would track how long a new team takes to ship, because that is the job the platform does."


@pytest.mark.parametrize("text,reason", [
    (DONE, None),
    ("I would track how long a new team takes to ship, and", "trailing"),
    ("the first thing I'd say is, um", "trailing"),
    ("There are two things I'd look at: the time to ship.", "open-list"),
    ("There are two things I'd look at: the time to ship, and then the share of work moved.", None),
    ("First, I would talk to the teams that depend on it.", "open-list"),
    ("First, I would talk to the teams. Then I would measure how long they take to ship.", None),
    ("The first call a new customer makes is the one to measure, because it shows the setup works.", None),
])
def test_unfinished_reason(text, reason):
    assert unfinished_reason(text) == reason


def test_a_short_start_to_a_big_question_is_not_finished():
    assert unfinished_reason("Uptime, mostly.", min_words=expected_words(300, follow_up=False)) == "short"
    assert unfinished_reason(DONE, min_words=expected_words(300, follow_up=True)) is None


def test_expected_words_grow_with_the_budget_within_limits():
    assert expected_words(60, follow_up=False) < expected_words(300, follow_up=False) <= 40
    assert expected_words(300, follow_up=True) == expected_words(300, follow_up=False) // 2
    assert expected_words(5, follow_up=False) == 12


def test_looks_unfinished_keeps_its_old_meaning():
    assert looks_unfinished("and then...") and looks_unfinished("we'd start with the")
    assert not looks_unfinished("That's the whole plan.") and not looks_unfinished("")
