"""Small questions and scripted turn records for the store and report tests.

Built in code so these tests depend neither on the shipped YAML nor on the
interview engine: the store and the report only see records and questions.
"""

from __future__ import annotations

from typing import Any

from agent.content.models import Question
from agent.interview.records import Assessment, Delivery, RoundMeta, SignalHit, Speaker, TurnRecord

CANDIDATE_QUOTE = "the teams building on it ship features faster"
HOSTILE = "<script>alert('pwned')</script> & <b>bold</b>"


def make_question(qid: str, **overrides: Any) -> Question:
    data: dict[str, Any] = dict(
        id=qid,
        title=f"the {qid} question",
        prompt=f"Prompt for {qid}: how would you judge it?",
        tracks=("internal-platform",),
        type="success-metrics",
        time_budget_s=300,
        signals=[
            dict(id="value", polarity="strong", description="Ties the platform to value for its users",
                 cues=dict(phrases=("ship faster",))),
            dict(id="depth", polarity="strong", description="Looks at depth of adoption",
                 cues=dict(phrases=("share of workloads",))),
            dict(id="vanity", polarity="weak", description="Stops at counts and uptime",
                 cues=dict(phrases=("uptime",))),
        ],
        probes=[dict(id="value-probe", trigger=dict(missing=("value",)), assesses=("value",),
                     phrasings=("Where is the value?", "What does it do for users?"))],
        strong_answer=("Start from what users need done", "Measure depth, not counts"),
        weak_answer="Uptime and a count of integrations.",
        topic_words=("platform", "team", "measure"),
    )
    data.update(overrides)
    return Question.model_validate(data)


def questions(*ids: str) -> dict[str, Question]:
    return {qid: make_question(qid) for qid in ids}


def meta(round_id: str, qids: tuple[str, ...] = ("q-one", "q-two"), **overrides: Any) -> RoundMeta:
    data: dict[str, Any] = dict(round_id=round_id, persona_id="fake-persona", track="internal-platform",
                                question_ids=qids, minutes=20.0, started_at="2025-03-01T10:00:00+00:00",
                                mode="text")
    data.update(overrides)
    return RoundMeta(**data)


def delivery(words: int = 40, fillers: int = 2, speaking_s: float | None = 20.0) -> Delivery:
    return Delivery(words=words, fillers=fillers, jargon=1, jargon_checked=True, speaking_s=speaking_s)


class TurnScript:
    """Builds consecutive turn records for one round."""

    def __init__(self, round_id: str) -> None:
        self.round_id = round_id
        self.seq = 0
        self.t = 0.0

    def _next(self, **kw: Any) -> TurnRecord:
        turn = TurnRecord(round_id=self.round_id, seq=self.seq, t=self.t, phase="question", **kw)
        self.seq += 1
        self.t += 30.0
        return turn

    def ask(self, qid: str) -> TurnRecord:
        return self._next(speaker=Speaker.INTERVIEWER, kind="question", text=f"Prompt for {qid}",
                          question_id=qid)

    def probe(self, qid: str, probe_id: str = "value-probe") -> TurnRecord:
        return self._next(speaker=Speaker.INTERVIEWER, kind="probe", text="Where is the value?",
                          question_id=qid, probe_id=probe_id)

    def answer(self, qid: str, text: str, score: int, hits: list[tuple[str, str, str]]) -> TurnRecord:
        signals = [SignalHit(id=i, polarity=p, evidence=e) for i, p, e in hits]
        return self._next(speaker=Speaker.CANDIDATE, kind="answer", text=text, question_id=qid,
                          assessment=Assessment(signals=signals, score=score, delivery=delivery()),
                          question_score=score)


def full_round(round_id: str, *, strong: bool = False) -> list[TurnRecord]:
    """Two questions, one probed; ``strong`` makes the second question's answer hit both strong signals."""
    s = TurnScript(round_id)
    first = f"We track uptime, and {CANDIDATE_QUOTE}."
    turns = [
        s.ask("q-one"),
        s.answer("q-one", first, 2, [("vanity", "weak", "uptime"), ("value", "strong", CANDIDATE_QUOTE)]),
        s.probe("q-one"),
        s.answer("q-one", f"Also the share of workloads moved. {HOSTILE}", 4,
                 [("depth", "strong", "share of workloads")]),
        s.ask("q-two"),
    ]
    if strong:
        hits = [("value", "strong", "ship faster"), ("depth", "strong", "share of workloads")]
        turns.append(s.answer("q-two", "They ship faster and the share of workloads grows.", 5, hits))
    else:
        turns.append(s.answer("q-two", "Mostly uptime.", 1, [("vanity", "weak", "uptime")]))
    return turns


def exercise_store(store: Any) -> None:
    """The store behaviours every backend must show; shared by the SQLite and PostgreSQL tests."""
    import pytest

    from agent.store import AmbiguousRound, StoreError, UnknownRound

    qs = questions("q-one", "q-two")
    first, second = "aa11first000", "aa22second00"
    store.start_round(meta(first))
    for turn in full_round(first):
        store.add_turn(turn)
    store.finish_round(first, status="completed", overall_score=2.5)

    got_meta, status, turns = store.get_round(first)
    assert got_meta == meta(first) and status == "completed"
    assert [t.model_dump(mode="json") for t in turns] == [t.model_dump(mode="json") for t in full_round(first)]

    store.start_round(meta(second))
    for turn in full_round(second, strong=True)[:4]:
        store.add_turn(turn)
    summaries = store.list_rounds(limit=10)
    assert [s.round_id for s in summaries] == [second, first]
    assert summaries[0].status == "running" and summaries[0].overall_score is None
    assert summaries[1].overall_score == 2.5 and summaries[1].asked_questions == 2
    assert summaries[1].planned_questions == ("q-one", "q-two") and summaries[1].turns == 6

    with pytest.raises(StoreError, match="already has a turn number 0"):
        store.add_turn(full_round(second)[0])
    with pytest.raises(UnknownRound, match="most recent: aa22second00, aa11first000"):
        store.add_turn(full_round("nope")[0])
    with pytest.raises(UnknownRound, match="no round with id 'zz'; most recent: aa22second00, aa11first000"):
        store.get_round("zz")
    with pytest.raises(UnknownRound):
        store.finish_round("zz", status="abandoned")
    with pytest.raises(StoreError, match="already exists"):
        store.start_round(meta(first))

    assert store.round_ids_prefix("aa") == [second, first]
    assert store.round_ids_prefix("aa%") == []  # LIKE wildcards are escaped
    assert store.resolve_round_id("aa1") == first
    assert store.resolve_round_id(second) == second
    with pytest.raises(AmbiguousRound, match="matches several rounds"):
        store.resolve_round_id("aa")

    # the second round has answered q-one only; earlier attempts come from the first round
    prev = store.previous_attempts(["q-one", "q-two", "q-absent"], before_round_id=second)
    assert set(prev) == {"q-one", "q-two"}
    assert prev["q-one"].round_id == first and prev["q-one"].score == 4
    assert prev["q-one"].hit_ids == ["value", "depth"]
    assert prev["q-two"].score == 1 and prev["q-two"].hit_ids == []
    # a round that is not stored yet: every stored round counts as earlier, the latest wins
    latest = store.previous_attempts(["q-one", "q-two"], before_round_id="not-yet-stored")
    assert latest["q-one"].round_id == second and latest["q-two"].round_id == first
    assert store.previous_attempts(["q-one"], before_round_id=first) == {}

    outcomes = store.signal_history(limit_rounds=10, questions=qs)
    as_tuples = {(o.round_id, o.question_id, o.signal_id, o.polarity, o.hit) for o in outcomes}
    assert (first, "q-two", "value", "strong", False) in as_tuples
    assert (first, "q-two", "vanity", "weak", True) in as_tuples
    assert (second, "q-one", "depth", "strong", True) in as_tuples
    assert outcomes[0].round_id == second  # most recent round first
    only_hits = store.signal_history(limit_rounds=1)
    assert {o.round_id for o in only_hits} == {second} and all(o.hit for o in only_hits)
