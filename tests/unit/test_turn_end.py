"""An explicit end of turn: only at the very end of what was said, and never inside an answer."""

import pytest

from agent.content.loader import load_bank
from agent.interview.turn_end import closer_at_end, without_closer

pytestmark = pytest.mark.unit

CLOSERS = load_bank().lexicon.turn_closers


@pytest.mark.parametrize("text", [
    "I'd measure the time to integrate. That's my answer.",
    "so yeah, I'll stop there",
    "And that is why I'd version in the URL. That\u2019s my answer, thanks.",
    "That's all from me.",
    "I'm done",
])
def test_a_closer_at_the_end_ends_the_turn(text):
    assert closer_at_end(text, CLOSERS)


@pytest.mark.parametrize("text", [
    "That's my answer for onboarding, and now the second part",
    "I'll stop there for the first phase, then",
    "I'm done with uptime as a metric, what matters is",
    "that's it",  # too short to trust: it also opens sentences ("that's it for onboarding...")
    "the migration is done",
    "",
])
def test_a_closer_word_inside_or_too_short_is_no_end(text):
    assert not closer_at_end(text, CLOSERS)


def test_the_answer_is_judged_without_its_closer():
    assert without_closer("I'd measure the time to integrate. That's my answer, thanks.", CLOSERS) == (
        "I'd measure the time to integrate.")
    assert without_closer("No closer here.", CLOSERS) == "No closer here."
