import pytest

from agent.interview._text import Negation, find_phrase, phrase_stems, stem, tokenize

pytestmark = pytest.mark.unit


@pytest.mark.parametrize("a,b", [("integrations", "integrate"), ("integrating", "integrated"),
                                 ("teams", "team"), ("migrated", "migrating"), ("companies", "company"),
                                 ("Onboarding", "onboard")])
def test_inflections_share_a_stem(a, b):
    assert stem(a) == stem(b)


def test_phrase_found_across_inflections_with_offsets():
    text = "We track the time it takes teams integrating, i.e. time to integration."
    tokens = tokenize(text)
    (m,) = list(find_phrase(tokens, phrase_stems("time to integrate")))
    assert text[tokens[m.first].start:tokens[m.last - 1].end] == "time to integration"


@pytest.mark.parametrize("text,negated", [
    ("not just uptime", True),
    ("we'd look beyond uptime", True),
    ("we don't care about uptime", True),
    ("uptime matters most", False),
    ("no, but uptime matters", False),  # the negator is in another clause
    ("rather than counting uptime", True),
    ("the notes on uptime", False),  # "notes" stems like "not": short negators match whole words only
    ("never uptime", True),
    ("avoiding uptime", True),  # longer negators match by stem
])
def test_negation(text, negated):
    neg = Negation(["not", "no", "never", "avoid", "beyond", "rather than"])
    tokens = tokenize(text)
    idx = next(i for i, t in enumerate(tokens) if t.word == "uptime")
    assert neg.negated(tokens, idx) is negated


@pytest.mark.parametrize("a,b", [("prioritise", "prioritized"), ("realise", "realizing"), ("analyse", "analyzes"),
                                 ("organisation", "organization")])
def test_british_and_american_spellings_share_a_stem(a, b):
    assert stem(a) == stem(b)


@pytest.mark.parametrize("text,negated", [
    ("we don't switch off the old version until every customer has moved", False),
    ("never switch off the old version, until the last caller is gone", False),
    ("we don't switch off the old version. Until then nothing changes", True),  # the condition is a new sentence
    ("we don't switch off the old version at all", True),
])
def test_a_negation_with_a_condition_is_not_a_denial(text, negated):
    neg = Negation(["not", "never"])
    tokens = tokenize(text)
    first = next(i for i, t in enumerate(tokens) if t.word == "switch")
    assert neg.negated(tokens, first, first + 2) is negated
