"""Setting up a round and keeping it on disk, for every front end.

The text console, the simulated candidate, the microphone and the LiveKit
worker all start rounds the same way: pick questions (weakest first in a
practice loop), create the round, and persist every turn the moment the core
returns it. Keeping that in one place means a crash at any point leaves the
same kind of partial round behind, whichever front end was running.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from agent.content.models import Persona, Question, Track
from agent.interview.assess import Assessor, CueAssessor
from agent.interview.fit import AdFit
from agent.interview.job_ad import preface
from agent.interview.plan import resolve_ids, select_questions, weakest_questions
from agent.interview.records import RoundMeta, TurnRecord
from agent.interview.round import InterviewRound
from agent.interview.scorecard import Scorecard, load_scorecard
from agent.logs import get_logger
from agent.paths import DataDirError, os_reason
from agent.report.files import default_report_path, write_report
from agent.report.retention import Retention, prune_reports
from agent.store.errors import StoreError

if TYPE_CHECKING:
    from agent.content.loader import Bank
    from agent.store import Store

log = get_logger("agent.session")


@dataclass(frozen=True, slots=True)
class RoundRequest:
    """What the candidate asked for."""

    persona_id: str
    track: Track | None = None
    minutes: float | None = None
    question_count: int | None = None
    question_ids: tuple[str, ...] = ()
    loop: bool = False
    mode: str = "text"
    seed: int | None = None
    job_ad: AdFit | None = None  # the round was fitted to a job ad (question_ids then hold its order)


@dataclass(frozen=True, slots=True)
class ReportOutputs:
    """Where a finished round's report goes (the reports folder of ``data_dir``) and how many it keeps."""

    data_dir: Path
    retention: Retention


class LoggedRound:
    """An ``InterviewRound`` whose every turn is committed to the store as it happens."""

    def __init__(self, round_: InterviewRound, store: Store, bank: Bank) -> None:
        self.round = round_
        self.store = store
        self.bank = bank
        self._finished = False
        # Set when the store stopped taking writes: the round goes on in memory (every turn is still in
        # ``round.turns``), and the front end tells the candidate, ends the round and reports from memory.
        self.store_error: str | None = None
        self.on_store_error: Callable[[str], None] | None = None  # told once, from whichever thread wrote

    def _keep(self, what: str, write: Callable[[], None]) -> None:
        if self.store_error is not None:
            return  # one failure is enough: later turns stay in memory with the rest
        try:
            write()
        except StoreError as exc:
            self.store_error = str(exc)
            log.warning("store.write_failed", round_id=self.round.meta.round_id, what=what, error=str(exc),
                        told_user=True)
            if self.on_store_error is not None:
                self.on_store_error(self.store_error)

    def persist(self, turns: Iterable[TurnRecord]) -> list[TurnRecord]:
        saved = list(turns)
        for turn in saved:
            self._keep(f"turn {turn.seq}", partial(self.store.add_turn, turn))
            log.info("turn", round_id=turn.round_id, seq=turn.seq, speaker=turn.speaker.value, kind=turn.kind,
                     question_id=turn.question_id, probe_id=turn.probe_id, pii={"text": turn.text})
        if self.round.done:
            self.finish()
        return saved

    def start(self) -> list[TurnRecord]:
        return self.persist(self.round.start())

    def answer(self, text: str, *, speaking_s: float | None = None) -> list[TurnRecord]:
        return self.persist(self.round.answer(text, speaking_s=speaking_s))

    def silence(self, seconds: float) -> list[TurnRecord]:
        return self.persist(self.round.silence(seconds))

    def tick(self) -> list[TurnRecord]:
        return self.persist(self.round.tick())

    def end(self, reason: str, *, last_words: str = "") -> list[TurnRecord]:
        kept = self.persist(self.round.take_last_words(last_words)) if last_words else []
        return kept + self.persist(self.round.end(reason))

    def finish(self) -> None:
        """Mark the round finished in the store (idempotent)."""
        if self._finished:
            return
        self._finished = True
        card = self.round.scorecard()
        status = "completed" if self.round.completed else "interrupted"
        self._keep("the round's end", partial(self.store.finish_round, self.round.meta.round_id, status=status,
                                              overall_score=card.overall_score))
        log.info("round_finished", round_id=self.round.meta.round_id, status=status, score=card.overall_score)

    def scorecard(self) -> Scorecard:
        return self.round.scorecard()


def answer_blocks(raw: str) -> list[str]:
    """Scripted answers: blocks separated by blank lines, lines joined; blocks starting with '#' are comments."""
    blocks = [" ".join(b.split()) for b in raw.replace("\r\n", "\n").split("\n\n")]
    return [b for b in blocks if b and not b.startswith("#")]


def read_answer_blocks(path: Path, flag: str) -> list[str]:
    """The answers in a script file, or ValueError naming ``flag`` and the file when there are none to read."""
    try:
        raw = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ValueError(f"{flag}: cannot read {path}: {exc}") from None
    answers = answer_blocks(raw)
    if not answers:
        raise ValueError(f"{flag}: {path} holds no answers (separate them with blank lines)")
    return answers


def new_round_id() -> str:
    return uuid.uuid4().hex[:12]


def start_round(
    bank: Bank,
    store: Store,
    request: RoundRequest,
    *,
    clock: Callable[[], float],
    assessor: Assessor | None = None,
    round_id: str | None = None,
) -> LoggedRound:
    """Choose the questions, create the round and record it in the store.

    ``assessor`` judges the answers: an entry point passes the one its settings
    call for (the cues, with a model's second opinion when one is configured);
    None means the bank's cues alone.

    Raises ``KeyError`` subclasses for unknown persona or question ids (their
    message names the id and close matches).
    """
    persona: Persona = bank.personas[request.persona_id]
    count = request.question_count or persona.default_questions
    previous = {}
    if request.question_ids:
        questions = resolve_ids(bank.questions, request.question_ids)
    else:
        focus: Sequence[str] = ()
        if request.loop:
            focus = weakest_questions(past_scorecards(store, bank), limit=count)
        questions = select_questions(bank.questions, persona, count=count, track=request.track, focus=focus,
                                     seed=request.seed)
    rid = round_id or new_round_id()
    previous = store.previous_attempts([q.id for q in questions], before_round_id=rid)
    meta = RoundMeta(
        round_id=rid,
        persona_id=persona.id,
        track=request.track.value if request.track else None,
        question_ids=tuple(q.id for q in questions),
        minutes=float(request.minutes or persona.default_minutes),
        started_at=datetime.now(UTC).isoformat(timespec="seconds"),
        mode=request.mode,
        job_ad=request.job_ad,
    )
    store.start_round(meta)
    log.info("round_started", round_id=rid, persona=persona.id, questions=list(meta.question_ids), mode=request.mode)
    round_ = InterviewRound(
        meta=meta,
        questions=questions,
        persona=persona,
        assessor=assessor or CueAssessor(bank.lexicon),
        clock=clock,
        previous=previous,
        preface=_job_ad_preface(request, questions, bank),
    )
    return LoggedRound(round_, store, bank)


def _job_ad_preface(request: RoundRequest, questions: Sequence[Question], bank: Bank) -> str:
    """What the interviewer says about the job ad before the first question; nothing without an ad."""
    if request.job_ad is None:
        return ""
    titles = {q.id: q.title for q in questions}
    track = request.track.value if request.track else None
    return preface(request.job_ad, titles, track, bank.job_ad.lines)


def past_scorecards(store: Store, bank: Bank, limit: int = 20) -> list[Scorecard]:
    """Scorecards of earlier rounds, rebuilt from their stored turns."""
    return [load_scorecard(store, bank.questions, s.round_id) for s in store.list_rounds(limit=limit)]


def write_round_report(card: Scorecard, outputs: ReportOutputs, fmt: str = "html", path: Path | None = None, *,
                       owner: str | None = None) -> Path:
    """Render the report to ``path`` (default: the reports folder, a browser ``owner``'s own folder in it)
    and return where it went.

    A report written to the reports folder is followed by pruning its folder to
    ``outputs.retention``. The rule counts per folder, so per owner: see
    ``agent.report.default_report_path``.
    """
    target = path or default_report_path(card.round_id, fmt, outputs.data_dir, owner)
    write_report(card, fmt, target)
    if path is None:
        retention = outputs.retention
        removed = prune_reports(target.parent, retention, keep=target)
        if removed:
            log.info("reports.pruned", removed=len(removed), keep=retention.keep, max_days=retention.max_days)
    return target


def save_round_report(card: Scorecard, outputs: ReportOutputs) -> tuple[Path | None, str | None]:
    """Write a finished round's report: (path, None), or (None, why) when it could not be written.

    A report that cannot be written (a full disk, a folder gone read-only) must not turn the end of
    a round into a traceback: the turns are stored, so the front end says so in one line.
    """
    try:
        return write_round_report(card, outputs), None
    except DataDirError as exc:
        return None, str(exc)
    except OSError as exc:
        return None, f"its report could not be written ({os_reason(exc)})"
