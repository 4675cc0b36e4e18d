"""Strict models for the shared lexicon kept in ``question_bank/_lexicon.yaml``.

The words and patterns every question shares: fillers and jargon for the
delivery figures, the phrases that show stance and support, and the
interviewer's generic follow-ups. Patterns are compiled when the file loads,
so a bad regular expression fails loudly and is named by its index.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator

from agent.content.models import NonEmpty, Strict, compiled_patterns


class SupportCues(Strict):
    """Words and patterns that show one kind of support for an idea (lower-case phrases, case-free patterns)."""

    phrases: tuple[NonEmpty, ...] = ()
    patterns: tuple[NonEmpty, ...] = ()

    @field_validator("patterns")
    @classmethod
    def _compile(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return compiled_patterns(value, "patterns")


class Support(Strict):
    """What turns a named idea into an explained one when it stands in the same or the next sentence.

    ``consequence`` looks back only (it says what the idea does for someone);
    ``reason`` and ``example`` may also come first ("Because ..., I'd ...").
    """

    reason: SupportCues
    mechanism: SupportCues
    number: SupportCues
    example: SupportCues
    consequence: SupportCues
    openers: tuple[NonEmpty, ...] = Field(
        min_length=1,
        description="First words of a sentence that carry on from the one before (that, this, it, so...): "
                    "support in such a sentence counts for the idea just before it.")
    affected: tuple[NonEmpty, ...] = Field(
        min_length=5,
        description="Words for the people a design choice lands on (customers, developers, they...): on an "
                    "opinion question a reason counts only when it says what one of them gains or loses.")


class Lexicon(Strict):
    """Words and patterns for delivery figures, shared by every question."""

    fillers: tuple[NonEmpty, ...] = Field(min_length=3)
    jargon: tuple[NonEmpty, ...] = Field(min_length=5)
    background_apology: tuple[NonEmpty, ...] = Field(min_length=2, description="Regular expressions.")
    engineering_deferral: tuple[NonEmpty, ...] = Field(min_length=2, description="Regular expressions.")
    dont_know: tuple[NonEmpty, ...] = Field(min_length=2, description="Regular expressions.")
    clarification_request: tuple[NonEmpty, ...] = Field(min_length=2, description="Regular expressions.")
    negators: tuple[NonEmpty, ...] = Field(min_length=3, description="Words that negate a cue just after them.")
    dismissals: tuple[NonEmpty, ...] = Field(
        default=(),
        description=(
            "Regular expressions for a judgement later in the same sentence that sets an idea aside "
            '("uptime alone isn\'t enough", "raw call volume I\'d avoid"): the idea is rejected, not proposed.'
        ),
    )
    limiters: tuple[NonEmpty, ...] = Field(
        default=(),
        description='Words that limit an idea rather than deny it ("not just", "more than"): they set a weak idea '
                    "aside but add to a strong one.")
    doubts: tuple[NonEmpty, ...] = Field(
        default=(),
        description='Regular expressions for doubt before an idea in its clause ("I\'m not sure X is worth it").')
    preferences: tuple[NonEmpty, ...] = Field(
        default=(),
        description='Regular expressions for a choice that ranks one thing above another ("I\'d pick active keys '
                    'over"): an idea mentioned after the match in the same clause is the one passed over.')
    buzzwords: tuple[NonEmpty, ...] = Field(
        default=(),
        description='Regular expressions for marketing words that stand in for substance ("leverage big data", '
                    '"AI-first", "seamless"): an answer thick with them explains nothing, whatever reasons it gives.')
    reported_views: tuple[NonEmpty, ...] = Field(
        default=(),
        description='Regular expressions that open a view the candidate reports rather than holds ("the textbook '
                    'answer is", "people will tell you"): an idea inside one is set aside when a turn follows it.')
    set_ups: tuple[NonEmpty, ...] = Field(
        default=(),
        description='Regular expressions that set up a view the candidate is about to argue against ("you might '
                    'think", "the tempting thing is", "a few years ago I\'d have said"): an idea after one in its '
                    'sentence is not theirs, with or without a turn.')
    set_aside_turns: tuple[NonEmpty, ...] = Field(
        default=(),
        description='Regular expressions for the turn that sets a reported view aside ("but in practice", "that\'s '
                    'fine in theory", "people overthink it"), in its sentence or the next two.')
    replacements: tuple[NonEmpty, ...] = Field(
        default=(),
        description='Regular expressions for a proposal that replaces what came before ("so what I\'d really do '
                    'is", "I\'d just say", "I\'d skip that"): after a turn, they take back the ideas said before it.')
    scope_breaks: tuple[NonEmpty, ...] = Field(
        default=(),
        description='Words that end the reach of a negation or doubt inside a clause ("can\'t ship until ...").')
    hollow_reasons: tuple[NonEmpty, ...] = Field(
        default=(),
        description="Regular expressions for reasons that appeal to fashion or authority (\"it's more modern\", "
                    "\"big companies do it\"): they support nothing.")
    support: Support
    turn_closers: tuple[NonEmpty, ...] = Field(
        default=(),
        description="What a candidate says to end their answer (\"that's my answer\"): said at the very end, "
                    "the interviewer replies at once instead of waiting out the silence.")
    acknowledgements: tuple[NonEmpty, ...] = Field(
        default=(),
        description="Short words a two-gate persona says at once when both gates call an answer finished "
                    "(\"Okay.\"); the real reply follows a moment later, and a candidate who goes on talking "
                    "takes them back: no reply is spoken and the answer continues as one turn.")
    press_named: tuple[NonEmpty, ...] = Field(
        min_length=2, description="Generic follow-ups on a named, unexplained idea; {term} is the candidate's words.")

    @field_validator("press_named")
    @classmethod
    def _press_uses_term(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for i, text in enumerate(value):
            if "{term}" not in text:
                raise ValueError(f"[{i}] must contain {{term}} (the candidate's own words for the idea)")
        return value

    @field_validator("background_apology", "engineering_deferral", "dont_know", "clarification_request", "dismissals",
                     "doubts", "preferences", "hollow_reasons", "reported_views", "set_ups", "set_aside_turns",
                     "buzzwords", "replacements")
    @classmethod
    def _compile(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return compiled_patterns(value)


class LexiconFile(Strict):
    """question_bank/_lexicon.yaml."""

    schema_version: Literal[1]
    lexicon: Lexicon
