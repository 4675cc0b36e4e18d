"""Rounds fitted to a job ad: the rules file, the plan, the reasons said aloud, and what travels to the worker."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from agent.content.job_ad import DEFAULT_LINES, JobAdRule, JobAdRules
from agent.content.loader import QUESTIONS_DIR, load_bank, load_files
from agent.content.models import Track
from agent.interview.fit import MAX_QUOTE_CHARS, MAX_QUOTES, AdFit, FitError, FitReason
from agent.interview.job_ad import ad_problem, plan_for_ad, preface
from agent.interview.limits import MAX_AD_CHARS
from agent.interview.records import RoundMeta
from agent.interview.request import RequestError, choose_round
from tests.fakes.job_ads import INTERNAL_AD, PLATFORM_AD, RECS_AD

pytestmark = pytest.mark.unit

BANK = load_bank()
LEAD = BANK.personas["platform-lead"]
PANEL = BANK.personas["big-tech-panel"]

def plan(ad: str, persona=LEAD, **kw):
    kw.setdefault("count", 3)
    return plan_for_ad(ad, BANK.job_ad, BANK.questions, persona, **kw)


# ------------------------------------------------------------------ the rules file


def test_the_shipped_rules_load_and_name_only_real_questions() -> None:
    assert len(BANK.job_ad.rules) >= 5
    ids = {r.id for r in BANK.job_ad.rules}
    assert {"developer-platform", "sdk", "partners", "internal-tools", "recommendations"} <= ids
    for rule in BANK.job_ad.rules:
        assert set(rule.questions) <= set(BANK.questions)


def _rules_file(tmp_path: Path, rules: list[dict], **extra) -> Path:
    path = tmp_path / "_job_ad.yaml"
    path.write_text(yaml.safe_dump({"schema_version": 1, "job_ad": {"rules": rules, **extra}}), encoding="utf-8")
    return path


def _errors_with_bank(path: Path) -> list[str]:
    errors: list[str] = []
    others = sorted(p for p in QUESTIONS_DIR.glob("*.yaml") if p.name != "_job_ad.yaml")
    load_files([*others, path], errors)
    return errors


@pytest.mark.parametrize(("rule", "needle"), [
    ({"id": "xy", "phrases": ["sdk"], "questions": ["api-braking-change"]},
     "job_ad.rules[0].questions[0]: unknown question 'api-braking-change' (did you mean 'api-breaking-change'?)"),
    ({"id": "xy", "phrases": ["sdk"], "track": "enterprise"}, "job_ad.rules[0].track: Input should be"),
    ({"id": "xy", "phrases": ["sdk"], "track": "consumer", "colour": "red"}, "job_ad.rules[0].colour: unknown field"),
    ({"id": "xy", "phrases": ["SDK"], "track": "consumer"}, "job_ad.rules[0].phrases[0]: String should match"),
    ({"id": "xy", "phrases": ["sdk"]}, "job_ad.rules[0]: a rule needs at least one of track, questions or types"),
    ({"id": "xy", "phrases": [], "track": "consumer"}, "job_ad.rules[0].phrases: "),
])
def test_a_broken_rule_is_one_line_naming_the_file_and_field(tmp_path: Path, rule: dict, needle: str) -> None:
    path = _rules_file(tmp_path, [rule])
    errors = _errors_with_bank(path)
    assert len(errors) == 1, errors
    assert errors[0].startswith(f"{path}: ") and needle in errors[0], errors[0]


def test_duplicate_rule_ids_and_bad_placeholders_are_named(tmp_path: Path) -> None:
    rule = {"id": "xy", "phrases": ["sdk"], "track": "consumer"}
    errors = _errors_with_bank(_rules_file(tmp_path, [rule, rule]))
    assert len(errors) == 1 and "rules[1].id: duplicate rule id 'xy'" in errors[0], errors
    lines = {**DEFAULT_LINES.model_dump(), "reason": "Because of {phrase}."}
    errors = _errors_with_bank(_rules_file(tmp_path, [rule], lines=lines))
    assert len(errors) == 1 and "reason: unknown placeholder {phrase}" in errors[0], errors


def test_a_bank_without_rules_file_still_loads_with_no_rules(tmp_path: Path) -> None:
    errors: list[str] = []
    loaded = load_files(sorted(p for p in QUESTIONS_DIR.glob("*.yaml") if p.name != "_job_ad.yaml"), errors)
    assert not errors and loaded.job_ad is None
    assert JobAdRules().rules == ()


# ------------------------------------------------------------------ the plan


def test_a_developer_platform_ad_picks_the_api_track_and_its_questions() -> None:
    p = plan(PLATFORM_AD)
    assert p.track is Track.EXTERNAL_API
    assert set(p.question_ids) <= {"api-breaking-change", "api-versioning-choice", "api-north-star"}
    assert len(p.question_ids) == 3
    assert p.fit.track_quotes and all(q in " ".join(PLATFORM_AD.split()) for q in p.fit.track_quotes)


def test_an_internal_tools_ad_orders_the_internal_platform_questions_first() -> None:
    p = plan(INTERNAL_AD)
    assert p.track is Track.INTERNAL_PLATFORM
    assert set(p.question_ids[:2]) == {"internal-one-off-request", "platform-success-metrics"}
    reasons = {r.question_id: r.quotes for r in p.fit.reasons}
    assert any("competing requests from stakeholders" in q for q in reasons["internal-one-off-request"])


def test_a_recommendations_ad_moves_a_consumer_panel_to_ranking_questions() -> None:
    p = plan(RECS_AD, persona=PANEL)
    assert p.track is Track.CONSUMER
    assert p.question_ids[:2] == ("feed-ranking", "personalization-feasibility")


def test_different_ads_give_different_rounds() -> None:
    assert plan(PLATFORM_AD).question_ids != plan(INTERNAL_AD).question_ids


def test_the_same_ad_gives_the_same_plan_however_it_is_spaced() -> None:
    first = plan(INTERNAL_AD)
    assert all(plan(INTERNAL_AD) == first for _ in range(3))
    assert plan("  " + INTERNAL_AD.replace(" ", "\n", 3) + "\n").question_ids == first.question_ids


def test_every_quote_is_the_ads_own_words_short_and_on_one_line() -> None:
    flat = " ".join(PLATFORM_AD.split())
    p = plan(PLATFORM_AD)
    for reason in p.fit.reasons:
        assert 1 <= len(reason.quotes) <= MAX_QUOTES
        for q in reason.quotes:
            assert q in flat and len(q) <= MAX_QUOTE_CHARS and "\n" not in q


def test_an_explicit_track_is_kept_and_not_explained() -> None:
    p = plan(PLATFORM_AD, track=Track.INTERNAL_PLATFORM)
    assert p.track is Track.INTERNAL_PLATFORM and p.fit.track_quotes == ()
    assert all(Track.INTERNAL_PLATFORM in BANK.questions[q].tracks for q in p.question_ids)


def test_ties_go_to_bank_order_and_rules_in_file_order() -> None:
    rules = JobAdRules(rules=(
        JobAdRule(id="first", phrases=("widgets",), questions=("api-north-star", "api-breaking-change")),
        JobAdRule(id="second", phrases=("gadgets",), questions=("api-breaking-change",)),
    ))
    ad = "We sell widgets and gadgets."
    p = plan_for_ad(ad, rules, BANK.questions, LEAD, count=3)
    order = list(BANK.questions)
    assert p.question_ids[0] == "api-breaking-change"  # two rules behind it
    assert p.question_ids[1] == "api-north-star"
    assert order.index("api-breaking-change") < order.index("api-north-star")  # bank order, for the record
    same = plan_for_ad("We sell widgets.", rules, BANK.questions, LEAD, count=2)
    assert same.question_ids == tuple(q for q in order if q in ("api-north-star", "api-breaking-change"))


def test_repeating_one_buzzword_counts_at_most_three_times() -> None:
    rules = JobAdRules(rules=(
        JobAdRule(id="loud", phrases=("sdk",), questions=("api-versioning-choice",), weight=1.0),
        JobAdRule(id="quiet", phrases=("partners",), questions=("api-north-star",), weight=1.5),
    ))
    ad = "SDK " * 40 + ". Partners. Partners and more partners."
    p = plan_for_ad(ad, rules, BANK.questions, LEAD, count=2)
    assert p.question_ids[0] == "api-north-star"  # 1.5 x 3 beats 1 x 3


def test_an_ad_that_matches_nothing_gets_the_usual_round_and_says_so() -> None:
    ad = "Great coffee, a kind team and a dog-friendly office."
    p = plan(ad)
    assert p.track is None and not p.fit.matched and p.fit.reasons == ()
    assert len(p.question_ids) == 3 and plan(ad) == p
    assert preface(p.fit, {}, None, BANK.job_ad.lines) == BANK.job_ad.lines.no_match


@pytest.mark.parametrize(("text", "needle"), [
    ("", "is empty"), ("   \n\t", "is empty"), ("ad\x00\x01", "binary"),
    ("x" * (MAX_AD_CHARS + 1), f"at most {MAX_AD_CHARS:,}"),
])
def test_text_that_cannot_be_an_ad_is_refused(text: str, needle: str) -> None:
    assert needle in (ad_problem(text) or "")
    with pytest.raises(ValueError, match="job ad"):
        plan(text)


def test_an_ad_of_the_largest_size_is_planned() -> None:
    ad = (INTERNAL_AD + " ") * (MAX_AD_CHARS // (len(INTERNAL_AD) + 1))
    assert len(ad) <= MAX_AD_CHARS and plan(ad).track is Track.INTERNAL_PLATFORM


# ------------------------------------------------------------------ what is said


def test_the_preface_says_at_most_three_reasons_then_points_at_the_report() -> None:
    fit = AdFit(track_quotes=("our developer platform",),
                reasons=tuple(FitReason(question_id=q, quotes=(f"words {q}",))
                              for q in ("api-north-star", "explain-api", "url-enter")))
    titles = {q: BANK.questions[q].title for q in BANK.questions}
    text = preface(fit, titles, "external-api", BANK.job_ad.lines)
    assert text.startswith(BANK.job_ad.lines.intro)
    assert "external API" in text and '"our developer platform"' in text
    assert '"words api-north-star"' in text and '"words explain-api"' in text
    assert "url-enter" not in text and BANK.job_ad.lines.more.format(count=1) in text
    assert len(text.split()) < 90  # short enough to say before a question


# ------------------------------------------------------------------ what travels


def test_a_fit_survives_json_and_the_stored_metadata() -> None:
    fit = plan(PLATFORM_AD).fit
    assert AdFit.checked(json.loads(json.dumps(fit.model_dump(mode="json")))) == fit
    meta = RoundMeta(round_id="r1", persona_id="platform-lead", track="external-api",
                     question_ids=("api-north-star",), minutes=20, started_at="2024-01-01T00:00:00+00:00", job_ad=fit)
    assert RoundMeta.model_validate(json.loads(json.dumps(meta.model_dump(mode="json")))) == meta
    plain = meta.model_dump(mode="json") | {"job_ad": None}
    assert RoundMeta.model_validate(plain).job_ad is None
    del plain["job_ad"]
    assert RoundMeta.model_validate(plain).job_ad is None  # rounds stored before job ads


def test_the_worker_checks_the_fit_it_is_sent() -> None:
    base = {"persona": "platform-lead", "track": "external-api", "minutes": 20, "questions": ["api-north-star"]}
    good = base | {"fit": {"track_quotes": ["an API role"], "reasons": [{"question": "api-north-star",
                                                                       "quotes": ["partners"]}]}}
    choice = choose_round(good, BANK.personas, question_ids=BANK.questions.keys())
    assert choice.fit == AdFit(track_quotes=("an API role",),
                              reasons=(FitReason(question_id="api-north-star", quotes=("partners",)),))
    bad = [
        ({"reasons": [{"question": "explain-api", "quotes": ["x"]}]}, "fit.reasons[0].question"),
        ({"reasons": [{"question": "api-north-star", "quotes": ["x" * (MAX_QUOTE_CHARS + 1)]}]},
         "fit.reasons[0].quotes"),
        ({"track_quotes": ["a", "b", "c"]}, "fit.track_quotes"),
        ({"extra": 1}, "fit.extra"),
        ("text", "fit"),
    ]
    for fit, field in bad:
        with pytest.raises(RequestError) as info:
            choose_round(base | {"fit": fit}, BANK.personas, question_ids=BANK.questions.keys())
        assert info.value.field == field and "x" * 10 not in str(info.value)
    with pytest.raises(RequestError, match="fit: unknown field"):
        choose_round(good, BANK.personas)  # a caller that checks no question ids accepts no fit either
    with pytest.raises(FitError):
        AdFit.checked({"reasons": [{"question": "a", "quotes": []}]})
