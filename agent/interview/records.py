"""The records that flow out of the interview core: turns, assessments, actions, rounds.

Every turn of a round becomes one ``TurnRecord`` the moment it happens; the
storage layer persists it and the scorecard is rebuilt from the records alone.
That is what lets a round killed halfway still produce a report: nothing the
report needs lives only in memory.

They share one pydantic base (``agent.interview._record.Record``) with the
job-ad fit and the scorecard, so a record goes to the database, a report or
the ``assess --json`` contract by ``model_dump(mode="json")`` and comes back by
``model_validate``. Reading ignores keys it does not know (a newer interviewer
may have written them) and fills the defaults for keys an older one never
wrote, so every stored round still loads.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import (
    AliasChoices,
    ConfigDict,
    Field,
    SerializerFunctionWrapHandler,
    computed_field,
    field_serializer,
    model_serializer,
)

from agent.interview._record import Record
from agent.interview.fit import AdFit


class Speaker(StrEnum):
    """Who spoke a turn."""

    INTERVIEWER = "interviewer"
    CANDIDATE = "candidate"


class ActionKind(StrEnum):
    """What the interviewer does next; the policy picks exactly one per answer."""

    PROBE = "probe"
    CURVEBALL = "curveball"
    CLARIFY = "clarify"
    ACKNOWLEDGE = "acknowledge"  # "I don't know": acknowledged, then advance
    REPROMPT = "reprompt"  # empty or off-topic answer: ask again, once
    CUT_OFF = "cut_off"  # rambling answer cut short, then the next move
    ADVANCE = "advance"
    WRAP_UP = "wrap_up"


# How the fine-grained kinds map onto the public `assess --json` contract.
CONTRACT_ACTION: dict[ActionKind, str] = {
    ActionKind.PROBE: "probe",
    ActionKind.CURVEBALL: "probe",
    ActionKind.CLARIFY: "probe",
    ActionKind.REPROMPT: "probe",
    ActionKind.ACKNOWLEDGE: "advance",
    ActionKind.CUT_OFF: "advance",
    ActionKind.ADVANCE: "advance",
    ActionKind.WRAP_UP: "wrap_up",
}


class SignalHit(Record):
    """An idea of the rubric found in an answer, how the candidate held it, and the words that show it.

    ``level`` (strong ideas only) is "named" when the term came without
    support and "explained" when a reason, mechanism, number, example or
    consequence came with it; ``stance`` is "endorsed", "rejected" or
    "questioned". ``term`` is the candidate's own words for the idea, which a
    follow-up on a named idea picks up. Records stored before levels existed
    carry neither (``level`` None).

    Written out, a strong idea always carries its level (None reads as
    "explained"), term and support; a weak one carries only the support it
    was rejected with, if any. That is the shape of the ``assess --json``
    contract's signals and of every stored assessment.
    """

    id: str
    polarity: str  # "strong" | "weak"
    evidence: str  # the clause copied verbatim from the answer
    stance: str = "endorsed"
    level: str | None = None
    term: str | None = None
    support: str | None = None  # the kind of support that explained it

    @property
    def credited(self) -> bool:
        """Does it count for the answer: a strong idea not rejected, or a weak one the candidate proposed?"""
        if self.polarity == "weak":
            return self.stance == "endorsed"
        return self.stance != "rejected"

    @property
    def explained(self) -> bool:
        return self.polarity == "strong" and self.stance == "endorsed" and self.level in ("explained", None)

    @property
    def argued(self) -> bool:
        """A weak idea the candidate rejected and gave a reason for rejecting."""
        return self.polarity == "weak" and self.stance == "rejected" and self.support is not None

    @property
    def named_only(self) -> bool:
        return self.polarity == "strong" and self.credited and not self.explained

    def rank(self) -> tuple[int, int]:
        """Which of two hits of one idea says more: proposed over doubted over rejected, explained over named."""
        stance = {"endorsed": 2, "questioned": 1}.get(self.stance, 0)
        return stance, 1 if self.level in ("explained", None) else 0

    @model_serializer(mode="wrap")
    def _written(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        data: dict[str, Any] = handler(self)
        if self.polarity == "strong":
            data["level"] = self.level or "explained"
        else:
            del data["level"], data["term"]
            if self.support is None:
                del data["support"]
        return data


class Delivery(Record):
    """Delivery figures computed from the text of one or more answers.

    Written out with its rates (per 100 words, words per minute) after the
    counts; the rates are derived, so reading ignores them.
    """

    words: int = 0
    fillers: int = 0
    jargon: int = 0
    jargon_checked: bool = False  # only explain-it-simply questions count jargon
    background_apologies: list[str] = Field(default_factory=list)
    engineering_deferrals: list[str] = Field(default_factory=list)
    speaking_s: float | None = None

    @computed_field  # type: ignore[prop-decorator]
    @property
    def filler_per_100(self) -> float:
        return round(100.0 * self.fillers / self.words, 1) if self.words else 0.0

    @computed_field  # type: ignore[prop-decorator]
    @property
    def jargon_per_100(self) -> float | None:
        if not self.jargon_checked:
            return None
        return round(100.0 * self.jargon / self.words, 1) if self.words else 0.0

    @computed_field  # type: ignore[prop-decorator]
    @property
    def words_per_minute(self) -> float | None:
        if not self.speaking_s or self.speaking_s <= 0:
            return None
        return round(60.0 * self.words / self.speaking_s, 0)

    def merged(self, other: Delivery) -> Delivery:
        speaking = None
        if self.speaking_s is not None or other.speaking_s is not None:
            speaking = (self.speaking_s or 0.0) + (other.speaking_s or 0.0)
        return Delivery(
            words=self.words + other.words,
            fillers=self.fillers + other.fillers,
            jargon=self.jargon + other.jargon,
            jargon_checked=self.jargon_checked or other.jargon_checked,
            background_apologies=self.background_apologies + other.background_apologies,
            engineering_deferrals=self.engineering_deferrals + other.engineering_deferrals,
            speaking_s=speaking,
        )

    def unpaced(self) -> Delivery:
        """The same figures without a pace: a typed answer's "pace" is typing speed, not speech."""
        return self if self.speaking_s is None else self.model_copy(update={"speaking_s": None})


class Assessment(Record):
    """What one answer showed, judged against a set of rubric signals."""

    signals: list[SignalHit]
    set_aside: list[SignalHit] = Field(default_factory=list)  # weak ideas the candidate rejected or doubted
    score: int  # 1-5 for this answer alone
    delivery: Delivery
    answer_kind: str = "answer"  # answer | dont_know | clarification | empty | off_topic
    # sentences carrying a reason, mechanism, figure, example or consequence
    reasoning: int = Field(0, serialization_alias="reasoning_sentences",
                           validation_alias=AliasChoices("reasoning_sentences", "reasoning"))

    @property
    def scored_hits(self) -> list[SignalHit]:
        """What the score counts: the ideas shown, and the weak ones argued against with a reason."""
        return [*self.signals, *(h for h in self.set_aside if h.argued)]


class Action(Record):
    """The interviewer's next move and the words it will say."""

    kind: ActionKind
    text: str
    probe_id: str | None = None

    def to_contract(self) -> dict[str, Any]:
        """The ``next`` object of the ``assess --json`` contract."""
        return {
            "action": CONTRACT_ACTION[self.kind],
            "kind": self.kind.value,
            "probe_id": self.probe_id,
            "text": self.text,
        }


class TurnRecord(Record):
    """One spoken turn, persisted as soon as it exists.

    ``kind`` for interviewer turns is one of: opening, job_ad, question, probe,
    curveball, clarify, acknowledge, reprompt, cut_off, nudge, time_warning,
    time_up, candidate_questions, answer_candidate_question, wrap_up,
    apology. For candidate turns it is ``answer`` (to a question or probe) or
    ``candidate_question``.

    Not frozen: the voice layer adds the framework's latency figures to
    ``metrics`` once they are known, after the turn itself was stored.
    """

    model_config = ConfigDict(frozen=False)

    round_id: str
    seq: int
    t: float  # seconds since the round started, from the injected clock
    speaker: Speaker
    kind: str
    text: str
    phase: str
    question_id: str | None = None
    probe_id: str | None = None
    assessment: Assessment | None = None
    question_score: int | None = None  # the question's running score after this turn
    metrics: dict[str, float] = Field(default_factory=dict)  # voice latencies, when spoken

    @field_serializer("t")
    def _millisecond(self, t: float) -> float:
        return round(t, 3)


class RoundMeta(Record):
    """What a round was set up with; stored once when the round starts."""

    round_id: str
    persona_id: str
    track: str | None
    question_ids: tuple[str, ...]
    minutes: float
    started_at: str  # ISO 8601, UTC
    mode: str = "text"  # text | voice | simulate | browser
    job_ad: AdFit | None = None  # set when the round was fitted to a job ad: the ad's words behind each choice


class RoundSummary(Record):
    """One row of the history list: a stored round, its status and how far it got."""

    round_id: str
    persona_id: str
    track: str | None
    mode: str
    started_at: str
    ended_at: str | None
    status: str
    overall_score: float | None
    planned_questions: tuple[str, ...]
    asked_questions: int
    turns: int
