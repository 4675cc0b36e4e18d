"""What a listener says while someone else talks ("mm-hm", "right"): not a turn, when said over the interviewer.

Whisper also tends to hear a cough or a chair as one of these. Said while the
interviewer speaks, such words must neither end its line nor become an
answer: the agent drops them, and the paused line resumes.
"""

from __future__ import annotations

import re

# short acknowledgements a listener makes while someone else talks (and what Whisper
# tends to hear in a cough); said over the interviewer they are not a turn
BACKCHANNEL_WORDS = frozenset(
    "mm mmm mhm hm hmm mm-hmm mm-hm uh-huh uh huh um yeah yep yes yup right okay ok sure "
    "got it i see alright all cool thanks thank you".split()
)
MAX_BACKCHANNEL_WORDS = 3
_WORD = re.compile(r"[a-z]+(?:-[a-z]+)*")
# hums however Whisper spells them: "MMHMM", "Mhm", "Uh-huh", "Hmmm", "Ah", "Oh"
_HUM = re.compile(r"^(?:m+h*m*|h+m+|m+h+m+|u+h+h*u+h+|a+h+|o+h+|a+h+a+)$")


def _is_hum_or_ack(word: str) -> bool:
    return word in BACKCHANNEL_WORDS or bool(_HUM.match(word.replace("-", "")))


def is_backchannel(text: str) -> bool:
    """True for "Mm-hmm.", "Right, okay." and the like; False for anything with content."""
    words = _WORD.findall(text.lower())
    return 0 < len(words) <= MAX_BACKCHANNEL_WORDS and all(_is_hum_or_ack(w) for w in words)
