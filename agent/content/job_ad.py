"""Strict models for the job-ad rules kept in ``question_bank/_job_ad.yaml``.

A candidate can hand the interviewer the ad of the job they want; which words
of an ad point at which track and questions is editorial judgement, so it is
content, not code. The models are frozen and reject unknown keys like the rest
of the bank; question ids are checked against the bank when it loads
(``agent.content.loader``), so a rule can never point at a question that is
not there.
"""

from __future__ import annotations

import string
from typing import Annotated, Literal

from pydantic import Field, field_validator, model_validator

from agent.content.models import NonEmpty, QuestionType, Slug, Strict, Track

JOB_AD_FILE = "_job_ad.yaml"

# A keyword phrase: lower-case words, as a candidate's ad would spell them (matched on word stems).
Phrase = Annotated[str, Field(min_length=2, max_length=60, pattern=r"^[a-z0-9][a-z0-9 '&+./-]*$")]


class JobAdRule(Strict):
    """Words an ad uses when it stresses one thing, and what the round should do about it."""

    id: Slug
    phrases: tuple[Phrase, ...] = Field(min_length=1, description="Lower-case phrases, matched on word stems.")
    track: Track | None = Field(default=None, description="The track an ad full of these words is hiring for.")
    questions: tuple[Slug, ...] = Field(default=(), description="Question ids these words point at.")
    types: tuple[QuestionType, ...] = Field(default=(), description="Question types these words point at.")
    weight: float = Field(default=1.0, gt=0, le=5)

    @model_validator(mode="after")
    def _points_somewhere(self) -> JobAdRule:
        if self.track is None and not self.questions and not self.types:
            raise ValueError("a rule needs at least one of track, questions or types")
        return self

    @field_validator("phrases")
    @classmethod
    def _no_repeats(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        seen: set[str] = set()
        for i, phrase in enumerate(value):
            if phrase in seen:
                raise ValueError(f"[{i}]: '{phrase}' is listed twice")
            seen.add(phrase)
        return value


def _placeholders_only(text: str, allowed: frozenset[str], where: str) -> str:
    """The text unchanged, once every ``{name}`` in it is one of ``allowed``."""
    for _literal, name, _spec, _conv in string.Formatter().parse(text):
        if name is not None and name not in allowed:
            shown = ", ".join(f"{{{a}}}" for a in sorted(allowed)) or "none"
            raise ValueError(f"{where}: unknown placeholder {{{name}}} (allowed: {shown})")
    return text


class JobAdLines(Strict):
    """What the interviewer says, before the first question, about how it read the ad."""

    intro: NonEmpty = Field(description="Opens the explanation; no placeholders.")
    track: NonEmpty = Field(description="Why this track: {quote} (words of the ad) and {track}.")
    reason: NonEmpty = Field(description="One question's reason: {quote} (words of the ad) and {title}.")
    more: NonEmpty = Field(description="Said when more reasons exist than are spoken; may use {count}.")
    no_match: NonEmpty = Field(description="Said when nothing in the ad matched a rule; no placeholders.")

    @model_validator(mode="after")
    def _placeholders(self) -> JobAdLines:
        _placeholders_only(self.intro, frozenset(), "intro")
        _placeholders_only(self.track, frozenset({"quote", "track"}), "track")
        _placeholders_only(self.reason, frozenset({"quote", "title"}), "reason")
        _placeholders_only(self.more, frozenset({"count"}), "more")
        _placeholders_only(self.no_match, frozenset(), "no_match")
        return self


DEFAULT_LINES = JobAdLines(
    intro="I read the job ad you gave me and fitted this round to it.",
    track="It reads as a role on the {track} track, going by \"{quote}\".",
    reason="Because it mentions \"{quote}\", we'll cover {title}.",
    more="The report lists the other reasons.",
    no_match="I read the job ad you gave me, but none of its wording matched my rules, so this is my usual round.",
)


class JobAdRules(Strict):
    """Every rule, in the order ties are broken, and the lines that explain the result."""

    rules: tuple[JobAdRule, ...] = ()
    lines: JobAdLines = DEFAULT_LINES

    @model_validator(mode="after")
    def _unique_ids(self) -> JobAdRules:
        seen: set[str] = set()
        for i, rule in enumerate(self.rules):
            if rule.id in seen:
                raise ValueError(f"rules[{i}].id: duplicate rule id '{rule.id}'")
            seen.add(rule.id)
        return self


class JobAdFile(Strict):
    """question_bank/_job_ad.yaml."""

    schema_version: Literal[1]
    job_ad: JobAdRules
