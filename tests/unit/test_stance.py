"""Stance: an idea mentioned is proposed, rejected or doubted, read from its own clause."""

from functools import cache

import pytest

from agent.content.lexicon import Lexicon
from agent.interview._text import Answer
from agent.interview.stance import Stance, StanceReader
from tests.fakes.content import FAKE_LEXICON

pytestmark = pytest.mark.unit


def _stance(text: str, word: str = "uptime", *, weak: bool = True, width: int = 1) -> Stance:
    answer = Answer.of(text)
    i = next(k for k, t in enumerate(answer.tokens) if t.word == word)
    return StanceReader(FAKE_LEXICON).read(answer, i, i + width, weak=weak)


@cache
def _shipped() -> Lexicon:
    """The lexicon the product ships, read once for the tests of its own phrasings."""
    from agent.content.loader import load_bank

    return load_bank().lexicon


@pytest.mark.parametrize("text,stance", [
    ("not just uptime", Stance.REJECTED),
    ("we'd look beyond uptime", Stance.REJECTED),
    ("we don't care about uptime", Stance.REJECTED),
    ("uptime matters most", Stance.ENDORSED),
    ("no, but uptime matters", Stance.ENDORSED),  # the negator is in another clause
    ("rather than counting uptime", Stance.REJECTED),
    ("the notes on uptime", Stance.ENDORSED),  # "notes" stems like "not": short negators match whole words only
    ("never uptime", Stance.REJECTED),
    ("avoiding uptime", Stance.REJECTED),  # longer negators match by stem
    ("I don't think the number that matters is uptime", Stance.REJECTED),  # anywhere before it in the clause
    ("you can't ship without uptime", Stance.ENDORSED),  # two negations affirm
    ("I'm not sure uptime is worth tracking", Stance.QUESTIONED),
    ("uptime isn't enough on its own", Stance.REJECTED),
    ("uptime I'd avoid as the measure", Stance.REJECTED),
    ("we can't say much, because uptime is what they see", Stance.ENDORSED),  # "because" ends the reach
    ("if there's no hit it checks uptime", Stance.ENDORSED),  # "no" denies its own noun ("no hit")
    ("there's no need to chase uptime", Stance.REJECTED),  # ... unless the noun carries the denial on
    ("we no longer report uptime", Stance.REJECTED),
    ("no uptime figures", Stance.REJECTED),
])
def test_stance_of_a_weak_idea(text, stance):
    assert _stance(text) is stance


def test_a_limiter_sets_a_weak_idea_aside_but_adds_to_a_strong_one():
    assert _stance("not just uptime", weak=True) is Stance.REJECTED
    assert _stance("not just uptime", weak=False) is Stance.ENDORSED


@pytest.mark.parametrize("text,stance", [
    ("we don't switch off the old version until every customer has moved", Stance.ENDORSED),
    ("never switch off the old version, until the last caller is gone", Stance.ENDORSED),
    ("we don't switch off the old version. Until then nothing changes", Stance.REJECTED),  # a new sentence
    ("we don't switch off the old version at all", Stance.REJECTED),
])
def test_a_negation_with_a_condition_is_not_a_denial(text, stance):
    assert _stance(text, "switch", weak=False, width=2) is stance


def test_a_judgement_about_another_idea_is_not_about_this_one():
    answer = Answer.of("uptime and then depth, which isn't enough")
    reader = StanceReader(FAKE_LEXICON)
    depth = next(k for k, t in enumerate(answer.tokens) if t.word == "depth")
    assert reader.read(answer, 0, 1, weak=True, others=[depth]) is Stance.ENDORSED
    assert reader.read(answer, depth, depth + 1, weak=True) is Stance.REJECTED


@pytest.mark.parametrize("text", [
    "I'd steer away from uptime as the headline",
    "uptime, and that sounds good, however it can hide a lot",
    "uptime can be really misleading here",
    "a plain uptime number is bad too, since nobody feels it",
    "counting uptime is measuring the wrong thing",
])
def test_the_shipped_lexicon_reads_these_as_rejections(text):
    assert _shipped_stance(text, "uptime") is Stance.REJECTED


def _shipped_stance(text: str, word: str, *, weak: bool = True) -> Stance:
    answer = Answer.of(text)
    i = next(k for k, t in enumerate(answer.tokens) if t.word == word)
    return StanceReader(_shipped()).read(answer, i, i + 1, weak=weak)


@pytest.mark.parametrize("text,stance", [
    ("I'd pick live integrations over uptime for that reason", Stance.REJECTED),
    ("we chose the path version over a header", Stance.REJECTED),
    ("active keys are more telling than uptime", Stance.REJECTED),
    ("I'd go over uptime with the team first", Stance.ENDORSED),  # "go over" is no choice
    ("pick the one that holds up over time and track uptime", Stance.ENDORSED),  # "over time" is no ranking
    ("uptime over everything else, I'd pick that", Stance.ENDORSED),  # the choice comes after it
])
def test_a_choice_that_ranks_something_above_passes_over_what_follows(text, stance):
    word = "header" if "header" in text else "uptime"
    assert _shipped_stance(text, word) is stance


def test_a_choice_inside_a_weak_cue_passes_over_its_tail():
    answer = Answer.of("And the reason I'd pick that over DAU is simple")
    words = [t.word for t in answer.tokens]
    reader = StanceReader(_shipped())
    # the cue "pick that over DAU" as one mention: the weak term is its tail, after "over"
    first, last = words.index("pick"), words.index("dau") + 1
    assert reader.read(answer, first, last, weak=True) is Stance.REJECTED
    assert reader.read(answer, first, last, weak=False) is Stance.ENDORSED


@pytest.mark.parametrize("text,hollow", [
    ("because big companies do it", True),
    ("it's what most APIs do, like the big companies", True),
    ("since most APIs bill on usage, the number follows revenue", False),  # a fact about them, not imitation
    ("big companies need an audit trail for every change", False),
])
def test_an_appeal_to_authority_is_imitation_not_any_mention_of_big_players(text, hollow):
    import re

    patterns = [re.compile(p, re.IGNORECASE) for p in _shipped().hollow_reasons]
    assert any(p.search(text) for p in patterns) is hollow


@pytest.mark.parametrize("text,stance", [
    # a view reported and then set aside is not the candidate's
    ("The textbook answer is to track uptime. But in practice nobody reads it.", Stance.REJECTED),
    ("People will tell you uptime, and that's fine in theory.", Stance.REJECTED),
    ("We track uptime, and people will tell you that too. But honestly it goes stale.", Stance.REJECTED),
    ("I know the arguments. Uptime is visible. However, I'd go with what teams feel.", Stance.REJECTED),
    # reported and kept: no turn follows, or the "but" adds to it
    ("The textbook answer is to track uptime, and I agree with it.", Stance.ENDORSED),
    ("The textbook answer is to track uptime. But also the time teams wait.", Stance.ENDORSED),
    # the turn came first: what follows it is the candidate's own view
    ("The textbook answer is latency. But in practice I'd track uptime.", Stance.ENDORSED),
    # a turn too far away is about something else
    ("People will tell you uptime. It is easy. It is cheap. It is everywhere. But in practice it is noise.",
     Stance.ENDORSED),
])
def test_a_reported_view_then_set_aside_is_rejected(text, stance):
    assert _stance(text, weak=False) is stance


@pytest.mark.parametrize("text,stance", [
    # an option the candidate only says one could take, then waves away, is not their proposal
    ("You could survey the teams about uptime, but honestly developers always complain.", Stance.REJECTED),
    ("One could track uptime. But in practice nobody looks at it.", Stance.REJECTED),
    # an option with a caveat is still the candidate's idea; "but also" adds to it
    ("You could show uptime on the page, but then it goes stale within the hour.", Stance.ENDORSED),
    ("You could track uptime, but also the hours teams save.", Stance.ENDORSED),
    ("You could track uptime, and I would, because teams notice every outage.", Stance.ENDORSED),
])
def test_an_option_one_could_take_then_waved_away_is_set_aside(text, stance):
    assert _shipped_stance(text, "uptime", weak=False) is stance


@pytest.mark.parametrize("text,stance", [
    # a first thought the answer turns from and replaces is taken back
    ("I'd start with uptime, it's what teams feel. But realistically nobody reads it. So I'd just track "
     "sign-ups.", Stance.REJECTED),
    ("Uptime is the classic pick. But, honestly? It turns into a lecture. I'd skip that and count teams.",
     Stance.REJECTED),
    # a turn that refines without a replacing proposal leaves it standing
    ("I'd start with uptime. But on its own it misses whether teams stay, so I'd also track retention.",
     Stance.ENDORSED),
    # a replacement with no turn before it is another idea, not a retraction
    ("I'd track uptime. So what I'd really do first is ask teams what hurts.", Stance.ENDORSED),
    # a turn too far after the idea is about something else
    ("I'd track uptime. Teams feel it. It's cheap. It's visible. But honestly I'd just ask them.", Stance.ENDORSED),
])
def test_a_first_thought_turned_from_and_replaced_is_taken_back(text, stance):
    assert _shipped_stance(text, "uptime", weak=False) is stance


@pytest.mark.parametrize("text,stance", [
    # a view set up to be argued against is not the candidate's, turn or no turn
    ("You might think it's just uptime.", Stance.REJECTED),
    ("The tempting thing is to report uptime every week.", Stance.REJECTED),
    ("A few years ago I'd have said uptime and teams onboarded.", Stance.REJECTED),
    ("There's a real pull right now to track uptime.", Stance.REJECTED),
    # the set-up ends where the candidate speaks for themselves or turns
    ("There's a temptation to rank by likes, and I'd steer away from that, since uptime matters more.",
     Stance.ENDORSED),
    ("The tempting thing is likes, but uptime is what teams feel.", Stance.ENDORSED),
    # a first step is not a set-up, and neither is a view in another sentence
    ("The first thing I'd look at is uptime.", Stance.ENDORSED),
    ("You might think it's likes. Uptime is what teams feel.", Stance.ENDORSED),
])
def test_a_view_set_up_to_be_argued_against_is_not_the_candidates(text, stance):
    assert _shipped_stance(text, "uptime", weak=True) is stance
