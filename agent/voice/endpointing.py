"""Holding a turn that ends mid-sentence, so a thinking pause is not taken for an answer.

Silence alone cannot tell "I'm done" from "and then... [thinking]". The
audio turn detector helps with human prosody, but on flat synthetic voices
(and some real ones) it ends the turn after a short pause even when the
words stop on "and then". The transcript is the cheaper, sharper clue: an
utterance ending on a conjunction, an article, a preposition or a filler is
almost never a finished answer.

When a committed turn ends like that, the agent keeps its text here instead
of answering, and waits up to the persona's ``max_endpointing_delay_s``. If
the candidate speaks again, the two parts become one answer; if not, the
held words are answered as they are.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

MAX_HOLDS = 2  # per answer; after that, silence wins
# the VAD's own end-of-speech silence; endpointing delays are counted on top of the last speech
VAD_MIN_SILENCE_S = 0.3
# How long after answering a closer the framework's pending turn is committed without a reply.
COMMIT_AFTER_S = 0.1
# How long a closer waits for the voice detector to call the candidate's speech over.
USER_SILENCE_WAIT_S = 1.0
# A framework wait at most this long ends a turn about when its transcript is in: an explicit end is then
# answered in that end of turn, not ahead of it.
FRAMEWORK_SOON_S = 0.5
# How long after Done is pressed the next transcript still counts as the end of the answer.
DONE_REACH_S = 5.0
# How long after an explicit end the framework's own end of the same words is recognised as a repeat.
CLOSED_ECHO_S = 3.0
# After an acknowledgement has played, how long a quiet candidate waits for the reply; speaking takes it back.
# "Okay." lasts about 0.67 s (its last 0.27 s silent), so the reply itself starts about 1.1 s after the "Okay."
# and about 1.8-2 s after the last word, as the fixed wait used to, while a candidate who goes on within that
# time (a pause of up to about 1.7 s) keeps the floor.
ACK_GRACE_S = 0.4
# The longest an acknowledgement may take to play before the quiet is counted anyway.
ACK_MAX_S = 1.5
# How often a held turn looks whether the candidate went on or the wait is over.
FLUSH_POLL_S = 0.05


@dataclass
class TurnHold:
    """Words of an unfinished turn, waiting for the rest."""

    text: str = ""
    started_speaking_at: float | None = None
    stopped_speaking_at: float | None = None  # wall clock of the held words' last speech, for the reply's latency
    held_at: float = 0.0
    count: int = 0
    acknowledged: bool = False  # the interviewer said "Okay." over these words and is about to reply

    @property
    def active(self) -> bool:
        return bool(self.text)

    def hold(self, text: str, *, started_speaking_at: float | None, count: int,
             stopped_speaking_at: float | None = None) -> None:
        self.text = text
        self.started_speaking_at = started_speaking_at
        self.stopped_speaking_at = stopped_speaking_at
        self.held_at = time.monotonic()
        self.count = count

    def take(self) -> tuple[str, float | None, int]:
        """The held words, when their speech began and how many holds they went through; clears the hold."""
        text, started, count = self.text, self.started_speaking_at, self.count
        self.text, self.started_speaking_at, self.count, self.acknowledged = "", None, 0, False
        return text, started, count
