"""Strict models for the interview content kept in YAML.

Content (questions, rubric signals, probes, personas; the shared lexicon is in
``agent.content.lexicon``) is data so that a new question or persona needs no code change. These models are
frozen and reject unknown keys so a typo in a YAML file fails loudly at load
instead of silently changing interviewer behaviour.
"""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

SCHEMA_VERSION = 1

Slug = Annotated[str, Field(pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$", min_length=2, max_length=64)]
NonEmpty = Annotated[str, Field(min_length=1)]


def compiled_patterns(value: tuple[str, ...], field: str = "") -> tuple[str, ...]:
    """The patterns unchanged, once each compiles; the first that does not is named by its index."""
    for i, pattern in enumerate(value):
        try:
            re.compile(pattern)
        except re.error as exc:
            raise ValueError(f"{field}[{i}] is not a valid regular expression: {exc}") from None
    return value

class Strict(BaseModel):
    """Base for every content model: frozen, no unknown keys."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class Track(StrEnum):
    """Role tracks a question belongs to (the guides' role split)."""

    CONSUMER = "consumer"  # consumer or growth PM
    TECHNICAL = "technical"  # technical PM (PM-T)
    INTERNAL_PLATFORM = "internal-platform"
    EXTERNAL_API = "external-api"


class QuestionType(StrEnum):
    """What kind of question it is; it decides which delivery checks apply."""

    EXPLAIN_CONCEPT = "explain-concept"
    HOW_IT_WORKS = "how-it-works"
    LIGHTWEIGHT_DESIGN = "lightweight-design"
    FEASIBILITY = "feasibility-tradeoffs"
    SUCCESS_METRICS = "success-metrics"
    CHANGE_MANAGEMENT = "change-management"
    GOVERNANCE = "governance"
    API_DESIGN_OPINION = "api-design-opinion"
    AGENTS_AS_CONSUMERS = "agents-as-consumers"
    BACKGROUND = "background-positioning"


class Polarity(StrEnum):
    """A strong signal raises the score when present; a weak one lowers it."""

    STRONG = "strong"
    WEAK = "weak"


class Cues(Strict):
    """How a signal is detected in an answer.

    - ``phrases``: words or short phrases, matched on word stems, so
      "integrate" also matches "integrating" and "integrations".
    - ``combos``: each combo is a list of groups of alternatives; it matches
      when one alternative from every group occurs within ``window`` words of
      each other (this is how paraphrases are caught without exact wording).
    - ``patterns``: case-insensitive regular expressions over the raw answer.
    """

    phrases: tuple[NonEmpty, ...] = ()
    combos: tuple[tuple[tuple[NonEmpty, ...], ...], ...] = ()
    patterns: tuple[NonEmpty, ...] = ()
    shared: tuple[Literal["hollow_reasons"], ...] = Field(
        default=(), description="Lexicon lists whose patterns also count as cues (e.g. hollow_reasons).")
    window: int = Field(default=12, ge=2, le=60)

    @field_validator("patterns")
    @classmethod
    def _patterns_compile(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return compiled_patterns(value, "patterns")

    @field_validator("combos")
    @classmethod
    def _combos_have_groups(cls, value: tuple[tuple[tuple[str, ...], ...], ...]) -> tuple:
        for i, combo in enumerate(value):
            if len(combo) < 2 or any(len(group) == 0 for group in combo):
                raise ValueError(f"combos[{i}] needs at least two non-empty groups")
        return value

    @model_validator(mode="after")
    def _not_empty(self) -> Cues:
        if not (self.phrases or self.combos or self.patterns or self.shared):
            raise ValueError("a signal needs at least one of phrases, combos, patterns or shared")
        return self


class Signal(Strict):
    """One rubric point: something a strong answer says, or a weak answer does."""

    id: Slug
    polarity: Polarity
    description: NonEmpty
    weight: float = Field(default=1.0, gt=0, le=5)
    cues: Cues
    only_when_alone: bool = Field(
        default=False,
        description=(
            "For a weak idea that is a fault only when the answer stops there (uptime given as the measure of "
            "success, versioning as the whole plan): said beside explained strong ideas it costs nothing and "
            "is not reported as a weakness."
        ),
    )
    press: tuple[NonEmpty, ...] = Field(
        default=(),
        description=(
            "For a strong idea the candidate named without explaining it: follow-ups that pick up their own "
            "words, with {term} standing for them where it reads well. Empty means the lexicon's press_named."
        ),
    )

    @field_validator("press")
    @classmethod
    def _press_placeholders(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for i, text in enumerate(value):
            try:
                text.format(term="x")
            except (KeyError, IndexError, ValueError):
                raise ValueError(f"press[{i}]: the only placeholder allowed is {{term}}") from None
        return value

    @model_validator(mode="after")
    def _alone_is_for_weak_ideas(self) -> Signal:
        if self.only_when_alone and self.polarity is not Polarity.WEAK:
            raise ValueError("only_when_alone: only a weak idea can be a fault only when the answer stops there")
        return self


class Trigger(Strict):
    """When a probe or curveball is eligible.

    It fires when any signal in ``missing`` was not detected, or any signal in
    ``present`` was detected, in the answers to this question so far. A
    curveball with an empty trigger is always eligible.
    """

    missing: tuple[Slug, ...] = ()
    present: tuple[Slug, ...] = ()


class Probe(Strict):
    """A follow-up aimed at what the answer missed."""

    id: Slug
    trigger: Trigger
    priority: int = Field(default=5, ge=1, le=10)
    assesses: tuple[Slug, ...] = Field(min_length=1)
    phrasings: tuple[NonEmpty, ...] = Field(min_length=2)

    @model_validator(mode="after")
    def _trigger_not_empty(self) -> Probe:
        if not (self.trigger.missing or self.trigger.present):
            raise ValueError("trigger needs at least one signal in missing or present")
        return self


class Curveball(Strict):
    """A scenario twist that panels use to test judgement under pressure."""

    id: Slug
    trigger: Trigger = Trigger()
    assesses: tuple[Slug, ...] = Field(min_length=1)
    phrasings: tuple[NonEmpty, ...] = Field(min_length=2)


class Clarification(Strict):
    """How to restate a term when the candidate asks what it means."""

    terms: tuple[NonEmpty, ...] = Field(min_length=1)
    restatement: NonEmpty


class Question(Strict):
    """One interview question with its rubric, probes and feedback material."""

    id: Slug
    title: Annotated[str, Field(min_length=3, max_length=60)] = Field(
        description="A short human name for the question, used in the spoken wrap-up and the report.")
    prompt: NonEmpty
    opinion: bool = Field(
        default=False,
        description=(
            "An opinion question: a position counts as explained only by a reason about the people affected, "
            "and appeals to fashion or authority are hollow."
        ),
    )
    restatement: NonEmpty | None = Field(
        default=None,
        description="The question said another way, for a candidate who asks what it means and names no term.",
    )
    tracks: tuple[Track, ...] = Field(min_length=1)
    type: QuestionType
    time_budget_s: int = Field(ge=30, le=1800)
    signals: tuple[Signal, ...] = Field(min_length=2)
    probes: tuple[Probe, ...] = Field(min_length=1)
    curveballs: tuple[Curveball, ...] = ()
    clarifications: tuple[Clarification, ...] = ()
    strong_answer: tuple[NonEmpty, ...] = Field(min_length=2)
    weak_answer: NonEmpty
    topic_words: tuple[NonEmpty, ...] = Field(
        min_length=3,
        description="Words an on-topic answer is likely to use; none of them means off-topic.",
    )

    @model_validator(mode="after")
    def _has_both_polarities(self) -> Question:
        polarities = {s.polarity for s in self.signals}
        if Polarity.STRONG not in polarities:
            raise ValueError("signals: a question needs at least one strong signal")
        return self


class QuestionFile(Strict):
    """A YAML file in question_bank/ holding one or more questions."""

    schema_version: Literal[1]
    questions: tuple[Question, ...] = Field(min_length=1)


class TurnTaking(Strict):
    """How long the persona waits before deciding the candidate has finished."""

    # "two-gate": after min_endpointing_delay_s of quiet, reply at once only when the words read as finished and
    # the local audio turn model agrees; otherwise wait max_endpointing_delay_s in all (agent/voice/turn_gate.py)
    mode: Literal["vad", "v1-mini", "two-gate"] = "vad"
    min_endpointing_delay_s: float = Field(default=0.8, ge=0.2, le=5)
    max_endpointing_delay_s: float = Field(default=3.0, ge=0.5, le=10)
    # two-gate: after a fast "Okay." the reply itself waits until the candidate has been quiet this long (counted
    # from the last word; 0: right after the "Okay." and a short grace), so a candidate who goes on after a
    # longer pause still takes it back; at most max_endpointing_delay_s
    reply_after_ack_s: float = Field(default=0.0, ge=0, le=10)
    # two-gate: when the words read as finished and only the audio model doubts, or they are whole sentences only
    # short for the question and the audio model calls them finished, the "Okay." is said once the candidate has
    # been quiet this long (0: no "Okay." then; the turn waits max_endpointing_delay_s as before)
    ack_after_doubt_s: float = Field(default=0.0, ge=0, le=10)
    silence_nudge_s: float = Field(default=12.0, ge=3, le=120)
    absence_end_s: float = Field(default=60.0, ge=10, le=600)

    @model_validator(mode="after")
    def _ordered(self) -> TurnTaking:
        if self.max_endpointing_delay_s < self.min_endpointing_delay_s:
            raise ValueError("max_endpointing_delay_s must be >= min_endpointing_delay_s")
        if self.reply_after_ack_s > self.max_endpointing_delay_s:
            raise ValueError("reply_after_ack_s must be <= max_endpointing_delay_s")
        if self.ack_after_doubt_s and not self.min_endpointing_delay_s <= self.ack_after_doubt_s <= \
                self.reply_after_ack_s:
            raise ValueError("ack_after_doubt_s must lie between min_endpointing_delay_s and reply_after_ack_s")
        if self.absence_end_s <= self.silence_nudge_s:
            raise ValueError("absence_end_s must be greater than silence_nudge_s")
        return self


class Rambling(Strict):
    """Whether the persona cuts off an answer that runs long."""

    cut_off: bool = False
    max_answer_words: int = Field(default=400, ge=50, le=3000)
    max_answer_s: float = Field(default=180, ge=20, le=900)


class CurveballUse(Strict):
    """How often the persona throws a curveball."""

    use: Literal["never", "after-strong", "always"] = "after-strong"
    max_per_round: int = Field(default=1, ge=0, le=10)


class TimeKeeping(Strict):
    """How the persona keeps time."""

    style: Literal["strict", "relaxed"] = "relaxed"
    warn_before_end_s: int = Field(default=60, ge=0, le=600)
    question_overrun_factor: float = Field(
        default=1.5, ge=1.0, le=4.0, description="Move on once a question has used this multiple of its budget."
    )


class Voice(Strict):
    """Which TTS voice and speaking rate (1.0 is the voice's own pace)."""

    name: NonEmpty = "en_US-joe-medium"
    rate: float = Field(default=1.0, ge=0.5, le=2.0)


class PersonaLines(Strict):
    """What the persona says around the questions; several phrasings each."""

    opening: tuple[NonEmpty, ...] = Field(min_length=1)
    transition: tuple[NonEmpty, ...] = Field(min_length=1)
    acknowledge_unknown: tuple[NonEmpty, ...] = Field(min_length=1)
    empty_answer: tuple[NonEmpty, ...] = Field(min_length=1)
    off_topic: tuple[NonEmpty, ...] = Field(min_length=1)
    rambling_cut: tuple[NonEmpty, ...] = Field(min_length=1)
    silence_nudge: tuple[NonEmpty, ...] = Field(min_length=1)
    time_warning: tuple[NonEmpty, ...] = Field(
        min_length=1, description='May use {time_left} ("about two minutes") or {minutes} (a bare number).')
    time_up: tuple[NonEmpty, ...] = Field(min_length=1)
    candidate_questions: tuple[NonEmpty, ...] = Field(min_length=1)
    answer_candidate_question: tuple[NonEmpty, ...] = Field(min_length=1)
    wrap_up: tuple[NonEmpty, ...] = Field(min_length=1)
    apology: tuple[NonEmpty, ...] = Field(min_length=1, description="Said when speech or transcription fails.")


class Persona(Strict):
    """An interviewer whose parameters change behaviour, not only wording."""

    id: Slug
    name: NonEmpty
    title: NonEmpty
    description: NonEmpty
    tracks: tuple[Track, ...] = Field(min_length=1)
    question_types: tuple[QuestionType, ...] = Field(
        default=(), description="Types this persona prefers; empty means any type of its tracks."
    )
    default_minutes: int = Field(default=20, ge=3, le=90)
    default_questions: int = Field(default=3, ge=1, le=14)
    probe_budget: int = Field(ge=0, le=6, description="Probes per question, curveballs excluded.")
    probe_below_score: int = Field(
        ge=1, le=5, description="Probe while the question's score is at or below this (1-5)."
    )
    turn_taking: TurnTaking = TurnTaking()
    rambling: Rambling = Rambling()
    curveballs: CurveballUse = CurveballUse()
    timekeeping: TimeKeeping = TimeKeeping()
    voice: Voice = Voice()
    lines: PersonaLines


class PersonaFile(Strict):
    """A YAML file in interviewer_personas/ holding one persona."""

    schema_version: Literal[1]
    persona: Persona
