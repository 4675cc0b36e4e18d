"""Whether an answer's words so far read as finished: the transcript half of the fast-reply decision.

Silence alone cannot tell "I'm done" from a thinking pause, and an acoustic
turn model hears only the last second or so of voice. The words say more,
cheaply and the same way every time: an answer that stops on "and" or "um"
is not finished, nor one that promised "two things" and gave one, nor one
that opened with "first" and never reached a second point, nor a two-line
start to a question that deserves a few minutes. The voice layer replies
fast only when this check and the acoustic model both say finished, and
otherwise waits its long delay, so a wrong "not finished" costs a slower
reply and a wrong "finished" may cost a cut-off: when in doubt, not finished.

How many words are enough depends on the question and on what the words
hold: a claim with its reason, mechanism, figure or example is a whole
answer sooner than a bare claim, and "I don't know" or "could you say that
again?" is whole at any length.
"""

from __future__ import annotations

import re

# a last word that promises more words
TRAILING_WORDS = frozenset(
    """
    and but or so because since then the a an to of with for in on at by from into about than as
    that which who whose where if when while unless until um uh er erm like also plus versus
    is are was were would will should could can might my our their your its we i
    """.split()
)
# Trailing words that also end a sentence ("I would do that.", "then.", "I think so."): they hold only when the
# transcript does not close the sentence. Whisper puts a full stop at most pauses, mid-clause ones included, so
# every other trailing word holds whatever the punctuation.
ENDING_TOO = frozenset({"that", "then", "so"})
# Endings that close a phrase although their last word usually opens one ("for a while", "as well"), among them
# a verb and its particle at the end of a sentence ("...for a model to fill in.", "once they opt in."); a bare
# "look at." or "depends on." still needs its object.
CLOSING_PHRASES = (("a", "while"), ("as", "well"), ("so", "on"), ("or", "so"), ("at", "all"), ("so", "far"),
                   ("fill", "in"), ("log", "in"), ("sign", "in"), ("opt", "in"), ("plug", "in"), ("check", "in"),
                   ("kick", "in"), ("phase", "in"), ("carry", "on"), ("move", "on"), ("later", "on"),
                   ("early", "on"), ("turn", "on"), ("switch", "on"), ("log", "on"), ("hold", "on"))
_LAST_WORDS = re.compile(r"[A-Za-z0-9']+")
_WORD = re.compile(r"[A-Za-z']+")
_SENTENCE_END = (".", "!", "?")
_COUNTS = {"two": 2, "three": 3, "four": 4, "five": 5, "couple": 2, "few": 3}
# "two things", "three reasons", "a couple of points": a count the answer then has to honour
_PROMISE = re.compile(r"\b(two|three|four|five|a couple of|a few)\s+(?:main\s+|key\s+|big\s+|quick\s+)?"
                      r"(things|reasons|parts|ways|steps|points|options|questions|ideas|angles|layers|stages)\b",
                      re.IGNORECASE)
# "first, ..." opens a list; "the first call" or "my first week" does not
_OPENER = re.compile(r"(?<!\bthe )(?<!\ba )(?<!\bmy )(?<!\bour )(?<!\btheir )(?<!\byour )(?<!\bits )"
                     r"\b(firstly|first of all|first off|first|to start with|to begin with|step one|number one)\b"
                     r"(?!\s+(?:time|call|successful|request|deploy|week|day|month|year|version|release|team|customer)s?\b)",
                     re.IGNORECASE)
# after an ordering "first": a comma, then at least three more words of the same sentence
_STEPS_AFTER = re.compile(r"\s*,\s*(?:[A-Za-z0-9']+[^A-Za-z0-9'.!?]+){2}[A-Za-z0-9']+")
_NEXT_ITEM = re.compile(r"\b(second|secondly|then|next|after that|also|another|third|finally|lastly|last|"
                        r"step two|number two|the other|plus|on top of that)\b", re.IGNORECASE)
# Words a first answer to a question of this many seconds should reach before a short pause ends it.
WORDS_PER_BUDGET_SECOND = 0.1
MIN_EXPECTED_WORDS, MAX_EXPECTED_WORDS = 12, 40
# An answer that already gives a reason, mechanism, figure or example may end at this share of the expected
# words, but never below SUPPORTED_FLOOR: a claim and its "because" can be a whole short answer, while a bare
# claim ("Uptime matters.") is more often the first line of one.
SUPPORTED_SHARE = 0.6
SUPPORTED_FLOOR = 12
# A first answer that has not yet touched any of the question's ideas is a thin start, however well argued,
# until it runs to this many times the expected words (past that, the cues probably missed the idea).
IDEA_FREE_FACTOR = 2


def looks_unfinished(text: str) -> bool:
    """True when the transcript stops on a word that needs a continuation ("...and then.")."""
    stripped = text.strip()
    if not stripped:
        return False
    if stripped.endswith((",", "...", "\u2026", "-", ";", ":")):
        return True
    words = _LAST_WORDS.findall(stripped)
    return bool(words) and words[-1].lower() in TRAILING_WORDS


def stops_mid_phrase(text: str) -> bool:
    """Like :func:`looks_unfinished`, but a closed sentence may end on "that", "then" or "so", and on a phrase
    such as "for a while"; used where other gates stand behind this one.
    """
    if not looks_unfinished(text):
        return False
    stripped = text.strip()
    words = [w.lower() for w in _LAST_WORDS.findall(stripped)]
    closed = stripped.endswith(_SENTENCE_END) and not stripped.endswith("...")
    if closed and tuple(words[-2:]) in CLOSING_PHRASES:
        return False
    # "I would do that." ends; "and then." does not
    return not (closed and words[-1] in ENDING_TOO and (len(words) < 2 or words[-2] not in TRAILING_WORDS))


def expected_words(time_budget_s: float, *, follow_up: bool) -> int:
    """How many words a first answer should have before a short pause may end it; a follow-up needs fewer."""
    words = min(MAX_EXPECTED_WORDS, max(MIN_EXPECTED_WORDS, round(time_budget_s * WORDS_PER_BUDGET_SECOND)))
    return words // 2 if follow_up else words


def words_needed(min_words: int, *, supported: bool) -> int:
    """How many words this answer needs before a short pause may end it, given whether it carries support."""
    if not supported or min_words <= SUPPORTED_FLOOR:
        return min_words
    return max(SUPPORTED_FLOOR, round(min_words * SUPPORTED_SHARE))


def _goes_on_after(text: str, opener: re.Match[str]) -> bool:
    """A "first" said after its step ("expose it as an endpoint first, add it to the SDK once ...") orders the
    steps that follow it in the same sentence; one that opens a sentence ("First, ...") promises them.
    """
    before = text[: opener.start()].rstrip()
    opens_sentence = not before or before.endswith((".", "!", "?", ":"))
    return not opens_sentence and _STEPS_AFTER.match(text, opener.end()) is not None


def unfinished_reason(text: str, *, min_words: int = 0, supported: bool = False,
                      short_reply: bool = False, touched_idea: bool | None = None) -> str | None:
    """Why the answer so far does not read as finished, or None when it does.

    ``trailing``: it stops on a word that needs more; ``open-list``: it
    promised more parts, or opened a list, than it has given; ``short``:
    fewer words than the question expects (``min_words``, fewer when the
    answer is ``supported`` by a reason, mechanism, figure or example).
    ``short_reply``: the answer is a whole reply at any length ("I don't
    know", a request to repeat the question), so only the first two apply.
    ``no-idea``: ``touched_idea`` is False (a first answer that names none
    of the question's ideas yet) and the answer is shorter than
    ``IDEA_FREE_FACTOR`` times ``min_words``.
    """
    if stops_mid_phrase(text):
        return "trailing"
    promised = _PROMISE.search(text)
    if promised is not None:
        count = _COUNTS.get(promised.group(1).lower().split()[-1], 2)
        if len(_NEXT_ITEM.findall(text, promised.end())) < count - 1:
            return "open-list"
    opener = _OPENER.search(text)
    if opener is not None and _NEXT_ITEM.search(text, opener.end()) is None and not _goes_on_after(text, opener):
        return "open-list"
    if short_reply:
        return None
    words = len(_WORD.findall(text))
    if words < words_needed(min_words, supported=supported):
        return "short"
    if touched_idea is False and words < IDEA_FREE_FACTOR * min_words:
        return "no-idea"
    return None
