"""Weak ideas an answer has gone past: a fault only when the answer stops there.

Some weak ideas of the rubric are not mistakes in themselves but answers
that stop too early: uptime given as *the* measure of a platform, a new
version and a notice as *the* whole plan for a breaking change. Said beside
strong ideas the candidate explained, the same words are a detail of a good
answer, and scoring or reporting them as the fault would tell a strong
candidate the wrong thing. The content marks such ideas ``only_when_alone``.
"""

from __future__ import annotations

from collections.abc import Iterable

from agent.content.models import Question
from agent.interview.records import SignalHit

# Explaining this many strong ideas takes an answer past a weak idea that is a fault only on its own.
OUTGROWN_BY = 2


def outgrown(question: Question, hits: Iterable[SignalHit]) -> frozenset[str]:
    """The weak ideas marked ``only_when_alone`` that an answer with ``OUTGROWN_BY`` explained strong ideas
    has gone past: "uptime as a guardrail" beside the value for consuming teams is not "uptime as success".
    """
    hits = list(hits)
    if len({h.id for h in hits if h.explained}) < OUTGROWN_BY:
        return frozenset()
    alone = {s.id for s in question.signals if s.only_when_alone}
    return frozenset(h.id for h in hits if h.id in alone and h.credited)
