"""Fake content for core unit tests: one small question, a persona, a lexicon.

Built in code so the core's tests do not depend on the shipped YAML wording.
"""

from __future__ import annotations

from typing import Any

from agent.content.lexicon import Lexicon, Support, SupportCues
from agent.content.models import Persona, Question

FAKE_LEXICON = Lexicon(
    fillers=("um", "uh", "like", "you know", "sort of"),
    jargon=("endpoint", "REST", "HTTP", "payload", "token"),
    background_apology=(r"i'?m not (very |that )?technical", r"no (cs|computer science) degree"),
    engineering_deferral=(r"leave (it|that) to (the )?engineer", r"let (the )?engineers? decide"),
    dont_know=(r"\bi (really |honestly )?(don'?t|do not) know\b", r"\bno idea\b", r"can'?t recall"),
    clarification_request=(r"what do you mean by", r"could you clarify"),
    negators=("not", "no", "never", "without", "rather than", "instead of", "avoid"),
    limiters=("not just", "beyond"),
    dismissals=(r"\bisn'?t enough\b", r"\bi'?d avoid\b"),
    doubts=(r"\bnot sure\b",),
    scope_breaks=("until", "because", "so"),
    hollow_reasons=(r"\bbest practice\b", r"\bbig companies\b"),
    buzzwords=(r"\bleverag(e|es|ing)\b", r"\bbig data\b", r"\bseamless\b", r"\bsynerg(y|ies)\b", r"\bai[- ]first\b"),
    reported_views=(r"\bthe textbook answer\b", r"\bpeople (will )?tell you\b", r"\bi know the arguments\b"),
    set_aside_turns=(r"\bbut in practice\b", r"\bfine in theory\b"),
    support=Support(
        reason=SupportCues(phrases=("because", "so that", "which means")),
        mechanism=SupportCues(phrases=("by comparing", "versus")),
        number=SupportCues(patterns=(r"\b\d+\b",)),
        example=SupportCues(phrases=("for example",)),
        consequence=SupportCues(patterns=(r"\b(teams|they) (can|won't|save)\b",)),
        openers=("that", "this"),
        affected=("they", "teams", "customers", "developers", "users"),
    ),
    press_named=("You said {term}. Why does it matter?", "Tell me more about {term}: how would it work?"),
    turn_closers=("that's my answer", "i'll stop there"),
)


def fake_question(**overrides: Any) -> Question:
    data: dict[str, Any] = dict(
        id="fake-metrics",
        title="measuring the fake platform",
        prompt="How would you measure whether the shared platform is a success?",
        tracks=("internal-platform",),
        type="success-metrics",
        time_budget_s=300,
        signals=[
            dict(id="job-first", polarity="strong", description="Starts from the job the platform does",
                 cues=dict(phrases=("consuming teams", "job to be done"))),
            dict(id="adoption-depth", polarity="strong", description="Measures depth of adoption",
                 cues=dict(combos=((("share", "percent", "portion"), ("use case", "workload")),))),
            dict(id="time-to-integrate", polarity="strong", description="Tracks time to integrate",
                 cues=dict(phrases=("time to integrate", "onboarding time"))),
            dict(id="infra-only", polarity="weak", description="Stops at uptime and counts",
                 cues=dict(phrases=("uptime", "number of integrations"))),
            dict(id="defers", polarity="weak", description="Hands the call to engineering",
                 cues=dict(patterns=(r"leave (it|that) to (the )?engineer",))),
        ],
        probes=[
            dict(id="value-probe", trigger=dict(missing=("job-first",), present=("infra-only",)), priority=9,
                 assesses=("job-first",), phrasings=("Up and used, sure. Where is the value for teams?",
                                                     "Those say it runs. What does it do for its users?")),
            dict(id="depth-probe", trigger=dict(missing=("adoption-depth",)), priority=5,
                 assesses=("adoption-depth",), phrasings=("How deep is adoption?", "How much do teams use it?")),
            dict(id="speed-probe", trigger=dict(missing=("time-to-integrate",)), priority=3,
                 assesses=("time-to-integrate",), phrasings=("How fast can a team start?", "Onboarding speed?")),
        ],
        curveballs=[
            dict(id="one-metric", assesses=("time-to-integrate",),
                 phrasings=("Headcount is cut: keep one metric.", "You may keep only one number. Which?")),
        ],
        clarifications=[dict(terms=("consuming teams",), restatement="I mean the teams that build on it.")],
        strong_answer=("Start from the job", "Measure adoption depth"),
        weak_answer="Uptime and number of integrations.",
        topic_words=("platform", "metric", "team", "measure", "adoption", "uptime"),
    )
    data.update(overrides)
    return Question.model_validate(data)


def fake_persona(**overrides: Any) -> Persona:
    lines = dict(
        opening=("Hi, I'm {name}. We have {minutes} minutes.", "Hello, {name} here."),
        transition=("Next one.", "Moving on."),
        acknowledge_unknown=("That's fine, let's move on.",),
        empty_answer=("I didn't catch anything there.",),
        off_topic=("Let's come back to the question.",),
        rambling_cut=("Let me stop you there.",),
        silence_nudge=("Take your time. Want me to repeat it?",),
        time_warning=("We have {time_left} left.",),
        time_up=("We're out of time.",),
        candidate_questions=("What would you like to ask me?",),
        answer_candidate_question=("Good question. Anything else?",),
        wrap_up=("Thanks, that's the round.",),
        apology=("Sorry, I lost that. Could you say it again?",),
    )
    data: dict[str, Any] = dict(
        id="fake-persona", name="Robin", title="Platform lead", description="A fake persona for tests.",
        tracks=("internal-platform",), default_minutes=20, default_questions=2,
        probe_budget=2, probe_below_score=3, lines=lines,
    )
    data.update(overrides)
    return Persona.model_validate(data)
