"""The transcript gate of a fast reply: does the answer so far read as finished?"""

import pytest

from agent.interview.completeness import (
    SUPPORTED_FLOOR,
    expected_words,
    looks_unfinished,
    unfinished_reason,
    words_needed,
)

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


@pytest.mark.parametrize("text,held", [
    ("I would do that.", False),  # a closed sentence may end on "that", "then" or "so"
    ("We would switch it off then.", False),
    ("I think so.", False),
    ("I would keep it running for a while.", False),
    ("and then.", True),  # ... unless the word before also needs more
    ("I think that", True),  # an open sentence still holds
    ("The feed ranks the posts it predicts you will.", True),  # Whisper closes mid-clause pauses too
    ("the people it reaches for.", True),
    ("until the traffic is close to 0.", False),  # a figure is a word
    ("only when the inputs are narrow enough for a model to fill in.", False),  # a verb's particle ends it
    ("We would move on.", False),
    ("we would look at.", True),  # a preposition that still needs its object
    ("and then fill in", True),  # an open sentence still holds
])
def test_a_closed_sentence_may_end_on_a_word_that_also_opens_one(text, held):
    assert (unfinished_reason(text) == "trailing") is held


def test_support_makes_a_shorter_answer_whole_but_never_a_very_short_one():
    reasoned = "I would track the time a new team needs to ship, because that is the job of the platform."
    assert unfinished_reason(reasoned, min_words=30) == "short"
    assert unfinished_reason(reasoned, min_words=30, supported=True) is None
    assert words_needed(30, supported=True) == 18 and words_needed(15, supported=True) == SUPPORTED_FLOOR
    assert unfinished_reason("Because teams ship faster.", min_words=30, supported=True) == "short"


@pytest.mark.parametrize("text,reason", [
    ("I would expose it as a plain endpoint first, add it to the SDK once people use it.", None),
    ("I would look at the logs first.", "open-list"),  # the next step has not come yet
    ("First, I would look at the logs, see who calls it and write to them.", "open-list"),  # a promise
    ("I would look at the logs first, and that's it.", None),
])
def test_a_first_said_after_its_step_orders_what_follows_it(text, reason):
    assert unfinished_reason(text) == reason


def test_a_short_reply_is_whole_at_any_length_unless_it_stops_mid_phrase():
    assert unfinished_reason("I don't know.", min_words=30, short_reply=True) is None
    assert unfinished_reason("I don't know, but", min_words=30, short_reply=True) == "trailing"
