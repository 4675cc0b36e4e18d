"""Plain records that flow out of the interview core.

Every turn of a round becomes one ``TurnRecord`` the moment it happens; the
storage layer persists it and the scorecard is rebuilt from the records alone.
That is what lets a round killed halfway still produce a report: nothing the
report needs lives only in memory.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any

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


@dataclass(slots=True)
class SignalHit:
    """An idea of the rubric found in an answer, how the candidate held it, and the words that show it.

    ``level`` (strong ideas only) is "named" when the term came without
    support and "explained" when a reason, mechanism, number, example or
    consequence came with it; ``stance`` is "endorsed", "rejected" or
    "questioned". ``term`` is the candidate's own words for the idea, which a
    follow-up on a named idea picks up. Records stored before levels existed
    carry neither (``level`` None).
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

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"id": self.id, "polarity": self.polarity, "evidence": self.evidence,
                                "stance": self.stance}
        if self.polarity == "strong":
            data.update(level=self.level or "explained", term=self.term, support=self.support)
        elif self.support is not None:
            data["support"] = self.support  # the reason given for rejecting it
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SignalHit:
        return cls(id=data["id"], polarity=data["polarity"], evidence=data["evidence"],
                   stance=data.get("stance", "endorsed"), level=data.get("level"), term=data.get("term"),
                   support=data.get("support"))


@dataclass(slots=True)
class Delivery:
    """Delivery figures computed from the text of one or more answers."""

    words: int = 0
    fillers: int = 0
    jargon: int = 0
    jargon_checked: bool = False  # only explain-it-simply questions count jargon
    background_apologies: list[str] = field(default_factory=list)
    engineering_deferrals: list[str] = field(default_factory=list)
    speaking_s: float | None = None

    @property
    def filler_per_100(self) -> float:
        return round(100.0 * self.fillers / self.words, 1) if self.words else 0.0

    @property
    def jargon_per_100(self) -> float | None:
        if not self.jargon_checked:
            return None
        return round(100.0 * self.jargon / self.words, 1) if self.words else 0.0

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

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data.update(
            filler_per_100=self.filler_per_100,
            jargon_per_100=self.jargon_per_100,
            words_per_minute=self.words_per_minute,
        )
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Delivery:
        keys = {"words", "fillers", "jargon", "jargon_checked", "background_apologies",
                "engineering_deferrals", "speaking_s"}
        return cls(**{k: v for k, v in data.items() if k in keys})


@dataclass(slots=True)
class Assessment:
    """What one answer showed, judged against a set of rubric signals."""

    signals: list[SignalHit]
    score: int  # 1-5 for this answer alone
    delivery: Delivery
    answer_kind: str = "answer"  # answer | dont_know | clarification | empty | off_topic
    set_aside: list[SignalHit] = field(default_factory=list)  # weak ideas the candidate rejected or doubted
    reasoning: int = 0  # sentences carrying a reason, mechanism, figure, example or consequence

    @property
    def scored_hits(self) -> list[SignalHit]:
        """What the score counts: the ideas shown, and the weak ones argued against with a reason."""
        return [*self.signals, *(h for h in self.set_aside if h.argued)]

    def to_dict(self) -> dict[str, Any]:
        return {
            "signals": [s.to_dict() for s in self.signals],
            "set_aside": [s.to_dict() for s in self.set_aside],
            "score": self.score,
            "delivery": self.delivery.to_dict(),
            "answer_kind": self.answer_kind,
            "reasoning_sentences": self.reasoning,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Assessment:
        return cls(
            signals=[SignalHit.from_dict(s) for s in data["signals"]],
            score=int(data["score"]),
            delivery=Delivery.from_dict(data["delivery"]),
            answer_kind=data.get("answer_kind", "answer"),
            set_aside=[SignalHit.from_dict(s) for s in data.get("set_aside", ())],
            reasoning=int(data.get("reasoning_sentences", 0)),
        )


@dataclass(slots=True, frozen=True)
class Action:
    """The interviewer's next move and the words it will say."""

    kind: ActionKind
    text: str
    probe_id: str | None = None

    def to_contract(self) -> dict[str, Any]:
        return {
            "action": CONTRACT_ACTION[self.kind],
            "kind": self.kind.value,
            "probe_id": self.probe_id,
            "text": self.text,
        }


@dataclass(slots=True)
class TurnRecord:
    """One spoken turn, persisted as soon as it exists.

    ``kind`` for interviewer turns is one of: opening, job_ad, question, probe,
    curveball, clarify, acknowledge, reprompt, cut_off, nudge, time_warning,
    time_up, candidate_questions, answer_candidate_question, wrap_up,
    apology. For candidate turns it is ``answer`` (to a question or probe) or
    ``candidate_question``.
    """

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
    metrics: dict[str, float] = field(default_factory=dict)  # voice latencies, when spoken

    def to_dict(self) -> dict[str, Any]:
        return {
            "round_id": self.round_id,
            "seq": self.seq,
            "t": round(self.t, 3),
            "speaker": self.speaker.value,
            "kind": self.kind,
            "text": self.text,
            "phase": self.phase,
            "question_id": self.question_id,
            "probe_id": self.probe_id,
            "assessment": self.assessment.to_dict() if self.assessment else None,
            "question_score": self.question_score,
            "metrics": dict(self.metrics),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TurnRecord:
        return cls(
            round_id=data["round_id"],
            seq=int(data["seq"]),
            t=float(data["t"]),
            speaker=Speaker(data["speaker"]),
            kind=data["kind"],
            text=data["text"],
            phase=data["phase"],
            question_id=data.get("question_id"),
            probe_id=data.get("probe_id"),
            assessment=Assessment.from_dict(data["assessment"]) if data.get("assessment") else None,
            question_score=data.get("question_score"),
            metrics=dict(data.get("metrics") or {}),
        )


@dataclass(slots=True, frozen=True)
class RoundMeta:
    """What a round was set up with; stored once when the round starts."""

    round_id: str
    persona_id: str
    track: str | None
    question_ids: tuple[str, ...]
    minutes: float
    started_at: str  # ISO 8601, UTC
    mode: str = "text"  # text | voice | simulate | browser
    job_ad: AdFit | None = None  # set when the round was fitted to a job ad: the ad's words behind each choice

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["question_ids"] = list(self.question_ids)
        data["job_ad"] = self.job_ad.to_dict() if self.job_ad is not None else None
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RoundMeta:
        return cls(
            round_id=data["round_id"],
            persona_id=data["persona_id"],
            track=data.get("track"),
            question_ids=tuple(data["question_ids"]),
            minutes=float(data["minutes"]),
            started_at=data["started_at"],
            mode=data.get("mode", "text"),
            job_ad=AdFit.from_dict(data["job_ad"]) if data.get("job_ad") is not None else None,
        )
