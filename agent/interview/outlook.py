"""The core's view of an answer still in progress: is it finished, and what would the reply be.

A spoken reply should not have to wait, after the candidate stops, for the
answer to be judged and the next move chosen. Both are pure functions of the
round's history and the words, so the voice layer asks for them on the
running transcript while the candidate pauses (``InterviewRound.look_ahead``)
and hands the result back when the turn ends; it is used as it stands only
when the words are the same and nothing else happened in the round since.
"""

from __future__ import annotations

import dataclasses

from agent.interview.completeness import unfinished_reason
from agent.interview.records import Assessment, TurnRecord

# A look-ahead made with this speaking time still stands for an answer timed within this much of it.
SPEAKING_TIME_SLACK_S = 0.5
# Replies that are whole at any length: "I don't know", "could you say that again?"
_SHORT_REPLY_KINDS = frozenset({"dont_know", "clarification"})


@dataclasses.dataclass(frozen=True, slots=True)
class Outlook:
    """What the core makes of the answer so far, worked out while the candidate pauses.

    ``unfinished`` is the transcript gate's verdict (see completeness.py);
    ``turns`` is the reply the round would give if the answer ended here, and
    ``after`` the round as it would then be (an ``InterviewRound``, which only
    that class reads back: round.py imports this module, not the other way).
    Handing the outlook back to
    :meth:`InterviewRound.answer` with the same words and nothing else said
    since makes that the answer, without judging it again.
    """

    text: str
    speaking_s: float | None
    unfinished: str | None
    turns: tuple[TurnRecord, ...] = ()
    base: tuple[int, str] = (-1, "")
    after: object | None = None

    def holds_for(self, text: str, speaking_s: float | None, base: tuple[int, str]) -> bool:
        """Is this still the reply to ``text`` in a round at ``base``? (An unknown speaking time agrees.)"""
        if self.after is None or text != self.text or base != self.base:
            return False
        return speaking_s is None or self.speaking_s is None or abs(speaking_s - self.speaking_s) <= \
            SPEAKING_TIME_SLACK_S




def readiness(text: str, assessment: Assessment | None, *, min_words: int, any_length: bool = False,
              first_answer: bool = False) -> str | None:
    """The transcript gate on the answer so far, with what its assessment knows (see completeness.py).

    Support for any idea, or an explained idea, makes a shorter answer whole; "I don't know" and a request to
    repeat the question are whole at any length, as is anything said when ``any_length`` (the candidate's own
    questions at the end). A ``first_answer`` to a question must also have touched one of its ideas.
    """
    supported = assessment is not None and (assessment.reasoning > 0 or any(h.explained for h in
                                                                             assessment.signals))
    short_reply = any_length or (assessment is not None and assessment.answer_kind in _SHORT_REPLY_KINDS)
    touched = None
    if first_answer and assessment is not None:
        touched = any(h.polarity == "strong" and h.credited for h in assessment.signals)
    return unfinished_reason(text, min_words=min_words, supported=supported, short_reply=short_reply,
                             touched_idea=touched)
