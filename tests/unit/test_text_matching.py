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
])
def test_negation(text, negated):
    neg = Negation(["not", "no", "beyond", "rather than"])
    tokens = tokenize(text)
    idx = next(i for i, t in enumerate(tokens) if t.word == "uptime")
    assert neg.negated(tokens, idx) is negated
