"""What the page and the web app tell a round's worker, and what the worker tells the page (agent/web/PROTOCOL.md).

In: the job metadata, re-validated against the content bank (it came from a
browser, through the app, but a worker trusts nothing it did not check).
Out: the ``interviewer.*`` attributes, ``interviewer.round_id`` as soon as the
round row exists and the others once per interviewer turn (never on a timer).
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING

from agent.interview.request import RequestError, RoundChoice, choose_round
from agent.logs import get_logger
from agent.store.owners import WEB_OWNER

if TYPE_CHECKING:
    from livekit import rtc

    from agent.content.loader import Bank
    from agent.voice.conductor import RoundConductor, TurnLog

log = get_logger(__name__)

# A round fitted to a job ad carries up to 30 quotes of 80 characters (agent/interview/fit.py), at most
# 4 bytes each in UTF-8: about 10 KB at worst, a few hundred bytes as ads usually are.
MAX_METADATA_BYTES = 16 * 1024
# Set on the interviewer at join when the worker could not serve one more round at the reply targets: the page
# shows the line and ends (agent.admission); no round is started.
REFUSED_ATTRIBUTE = "interviewer.refused"
REFUSED_LINE = ("Every interviewer here is busy with other rounds right now, and one more would slow them all "
                "down. Please try again in a few minutes.")
PAGE_PHASES = {
    "opening": "opening",
    "question": "question",
    "follow_up": "follow_up",
    "candidate_questions": "wrap_up",
    "wrap_up": "wrap_up",
    "closed": "wrap_up",  # "ended" is published only once the closing words have played
}


class MetadataError(ValueError):
    """Bad job metadata; the message names the field and never echoes the value."""


@dataclass(frozen=True)
class RoundJob:
    """The round the candidate asked for, checked against the bank, and whose it is."""

    choice: RoundChoice
    owner: str | None = None  # the browser's owner id ("web:<hash>"), set by the web app's token endpoint


def parse_metadata(raw: str, bank: Bank) -> RoundJob:
    """``{"persona", "track", "minutes"}`` (and optional ``questions``, a list of question ids, ``fit``, how a
    job ad chose them, and ``owner``).
    """
    if not raw or len(raw.encode()) > MAX_METADATA_BYTES:
        raise MetadataError("metadata: missing or too long")
    try:
        data = json.loads(raw)
    except json.JSONDecodeError:
        raise MetadataError("metadata: not valid JSON") from None
    if not isinstance(data, dict):
        raise MetadataError("metadata: expected a JSON object")
    try:
        choice = choose_round(data, bank.personas, question_ids=bank.questions.keys(), also_allowed={"owner"})
    except RequestError as exc:
        raise MetadataError(f"metadata.{exc.field}: {exc.message}") from None
    owner = data.get("owner")
    if owner is not None and (not isinstance(owner, str) or not WEB_OWNER.fullmatch(owner)):
        raise MetadataError("metadata.owner: expected web: and 32 hex digits")
    return RoundJob(choice=choice, owner=owner)


class Attributes:
    """The agent's ``interviewer.*`` attributes: only changed keys are sent, one send at a time."""

    def __init__(self, participant: rtc.LocalParticipant) -> None:
        self._participant = participant
        self._sent: dict[str, str] = {}
        self._lock = asyncio.Lock()
        self._tasks: set[asyncio.Task[None]] = set()

    async def set(self, values: dict[str, str]) -> None:
        async with self._lock:
            changed = {k: v for k, v in values.items() if self._sent.get(k) != v}
            if not changed:
                return
            try:
                await asyncio.wait_for(self._participant.set_attributes(changed), 10)
            except Exception as exc:  # noqa: BLE001 - the round goes on without a page update
                log.warning("room.attributes_failed", error=type(exc).__name__, keys=sorted(changed))
                return
            self._sent.update(changed)

    def schedule(self, values: dict[str, str]) -> None:
        """Set from a synchronous callback; sends stay in order (the lock is FIFO)."""
        task = asyncio.create_task(self.set(values))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def settle(self) -> None:
        if self._tasks:
            await asyncio.wait(set(self._tasks), timeout=10)


def turn_attributes(conductor: RoundConductor, entry: TurnLog | None = None) -> dict[str, str]:
    """Phase and clock after a turn; the question text and number when a main question was asked."""
    rnd = conductor.round
    values = {
        "interviewer.phase": PAGE_PHASES.get(rnd.phase.value, rnd.phase.value),
        "interviewer.remaining_s": str(max(0, int(rnd.remaining()))),
    }
    question = rnd.current_question
    if question is not None and (entry is None or "question" in entry.interviewer_kinds):
        values["interviewer.question"] = question.prompt
        values["interviewer.question_number"] = str(rnd.meta.question_ids.index(question.id) + 1)
    return values
