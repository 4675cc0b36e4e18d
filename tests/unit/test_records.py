"""The record family: how records are written out and read back, what is frozen, and old rounds still loading."""

import json
import shutil
import sqlite3
from pathlib import Path

import pytest
from pydantic import ValidationError

from agent.interview.fit import AdFit, FitError, FitReason
from agent.interview.records import Assessment, Delivery, RoundMeta, SignalHit, Speaker, TurnRecord
from agent.interview.scorecard import REPORTED_DELIVERY, build_scorecard, load_scorecard
from agent.store import Store
from tests.fakes.rounds import full_round, meta, questions

pytestmark = pytest.mark.unit

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "rounds-v1.sqlite3"
OLD_ROUND = "f17e0892cef1"


def test_a_strong_hit_is_written_with_its_level_and_a_weak_one_without():
    strong = SignalHit(id="depth", polarity="strong", evidence="share of workloads", term="share")
    weak = SignalHit(id="vanity", polarity="weak", evidence="uptime", stance="rejected")
    argued = weak.model_copy(update={"support": "reason"})
    assert strong.model_dump(mode="json") == {"id": "depth", "polarity": "strong", "evidence": "share of workloads",
                                              "stance": "endorsed", "level": "explained", "term": "share",
                                              "support": None}
    assert weak.model_dump(mode="json") == {"id": "vanity", "polarity": "weak", "evidence": "uptime",
                                            "stance": "rejected"}
    assert argued.model_dump(mode="json")["support"] == "reason"


def test_an_assessment_is_written_with_its_rates_and_reads_back_equal():
    delivery = Delivery(words=50, fillers=5, jargon=2, jargon_checked=True, speaking_s=30.0)
    a = Assessment(signals=[SignalHit(id="depth", polarity="strong", evidence="e", level="named")],
                   score=3, delivery=delivery, reasoning=4)
    written = json.loads(json.dumps(a.model_dump(mode="json")))
    assert list(written) == ["signals", "set_aside", "score", "delivery", "answer_kind", "reasoning_sentences"]
    assert written["delivery"]["filler_per_100"] == 10.0 and written["delivery"]["words_per_minute"] == 100.0
    assert Assessment.model_validate(written) == a


def test_values_are_frozen_and_a_turn_takes_late_metrics():
    hit = SignalHit(id="depth", polarity="strong", evidence="e")
    with pytest.raises(ValidationError):
        hit.level = "named"  # type: ignore[misc]
    turn = full_round("r1")[1]
    with pytest.raises(ValidationError):
        turn.assessment.score = 5  # type: ignore[union-attr,misc]
    turn.metrics.update(e2e_latency=0.5)  # the voice layer adds the framework's figures once it has them
    assert TurnRecord.model_validate(turn.model_dump(mode="json")).metrics == {"e2e_latency": 0.5}


def test_a_turn_written_by_a_newer_interviewer_still_loads():
    written = full_round("r1")[1].model_dump(mode="json")
    written["mood"] = "calm"
    written["assessment"]["confidence"] = 0.9
    written["assessment"]["signals"][0]["weight"] = 2
    turn = TurnRecord.model_validate(written)
    assert turn.speaker is Speaker.CANDIDATE and turn.assessment is not None
    assert turn.assessment.signals[0].id == "vanity"


def test_a_round_fitted_to_an_ad_keeps_its_fit_through_json():
    fit = AdFit(track_quotes=("platform teams",),
                reasons=(FitReason(question_id="q-one", quotes=("adoption", "health")),))
    m = meta("r1", job_ad=fit)
    written = json.loads(json.dumps(m.model_dump(mode="json")))
    assert written["job_ad"] == {"track_quotes": ["platform teams"],
                                 "reasons": [{"question": "q-one", "quotes": ["adoption", "health"]}]}
    assert RoundMeta.model_validate(written) == m


@pytest.mark.parametrize(("fit", "field", "message"), [
    ({"reasons": [{"question": "q-one"}]}, "fit.reasons[0]", "expected an object with question and quotes"),
    ({"reasons": [{"question": "q-one", "quotes": ["ok"], "why": "x"}]}, "fit.reasons[0]",
     "expected an object with question and quotes"),
    ({"reasons": [{"question": "q-one", "quotes": ["   "]}]}, "fit.reasons[0].quotes", "each quote must be text"),
    ({"reasons": [{"question": "q-one", "quotes": []}]}, "fit.reasons[0].quotes", "expected at least one quote"),
    ({"reasons": [{"question": 7, "quotes": ["ok"]}]}, "fit.reasons[0].question", "not a question of this round"),
    ({"reasons": [{"question": "q-one", "quotes": ["ok"]}] * 15}, "fit.reasons", "at most 14 reasons"),
    ({"track_quotes": "one"}, "fit.track_quotes", "expected a list of at most 2 quotes"),
    ({"track_quotes": [3]}, "fit.track_quotes", "each quote must be text"),
    ([], "fit", "expected an object with track_quotes and reasons"),
])
def test_a_bad_fit_names_its_field_and_never_echoes_the_value(fit, field, message):
    with pytest.raises(FitError) as info:
        AdFit.checked(fit, question_ids=["q-one"])
    assert info.value.field == field and message in info.value.message
    assert "   " not in str(info.value) and "7" not in str(info.value)


def test_a_report_shows_the_delivery_figures_and_a_typed_round_has_no_pace():
    qs = questions("q-one", "q-two")
    typed = build_scorecard(meta("r1"), full_round("r1"), qs, completed=True)
    spoken = build_scorecard(meta("r1", mode="voice"), full_round("r1"), qs, completed=True)
    written = typed.model_dump(mode="json")
    assert tuple(written["delivery"]) == REPORTED_DELIVERY
    assert tuple(written["questions"][0]["delivery"]) == REPORTED_DELIVERY
    assert written["delivery"]["words_per_minute"] is None and typed.delivery.words_per_minute is None
    assert spoken.delivery.words_per_minute == 120.0  # 40 words in 20 s, three answers


def test_every_turn_of_a_round_stored_by_the_first_schema_loads_with_its_assessment(tmp_path):
    copy = tmp_path / "rounds.sqlite3"
    shutil.copyfile(FIXTURE, copy)
    with sqlite3.connect(copy) as conn:
        stored = {seq: json.loads(p) for seq, p in conn.execute(
            "SELECT seq, payload FROM turns WHERE round_id = ? ORDER BY seq", (OLD_ROUND,))}
    with Store(f"sqlite:///{copy}", owner="local:someone") as store:
        _, _, turns = store.get_round(OLD_ROUND)
        card = load_scorecard(store, {"platform-success-metrics": _platform_question()}, OLD_ROUND)
    assert [t.seq for t in turns] == sorted(stored)
    for turn in turns:
        raw = stored[turn.seq]
        assert (turn.text, turn.kind, turn.question_score) == (raw["text"], raw["kind"], raw["question_score"])
        if raw["assessment"] is not None:
            assert turn.assessment is not None
            evidence = [s["evidence"] for s in raw["assessment"]["signals"]]
            assert [s.evidence for s in turn.assessment.signals] == evidence
            assert turn.assessment.delivery.words == raw["assessment"]["delivery"]["words"]
    (question,) = card.questions
    assert "time-to-integrate" in [h.id for h in question.hit] and question.score is not None


def _platform_question():
    from agent.content.loader import load_bank

    return load_bank().questions["platform-success-metrics"]
