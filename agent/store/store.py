"""The round store: every turn committed the moment it happens.

Rounds and turns go to SQLite by default and to PostgreSQL when several
workers share one database; the same SQLAlchemy Core statements serve both.
Each ``add_turn`` is its own transaction, so killing the process mid-round
loses at most the turn that was being written, and a partial scorecard can
always be rebuilt from what is on disk.
"""

from __future__ import annotations

import copy
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import TYPE_CHECKING, TypeVar

from pydantic import ValidationError
from sqlalchemy import ColumnElement, Connection, func, insert, inspect, or_, select, true, update
from sqlalchemy.exc import IntegrityError, OperationalError, SQLAlchemyError

from agent.interview.records import RoundMeta, RoundSummary, TurnRecord
from agent.interview.scorecard import PreviousAttempt
from agent.logs import get_logger
from agent.store import schema
from agent.store._engine import SQLITE_BUSY_TIMEOUT_S, open_engine, parse_url, shown
from agent.store.attempts import SignalOutcome, latest_attempts, signal_outcomes
from agent.store.errors import AmbiguousRound, StoreError, UnknownRound, explain
from agent.store.migrations import upgrade
from agent.store.owners import effective_status, is_local, writer_id
from agent.store.schema import FINAL_STATUSES, SCHEMA_VERSION, meta, rounds, turns

if TYPE_CHECKING:
    from agent.content.models import Question

T = TypeVar("T")
log = get_logger("agent.store")
# How long a write keeps retrying while another writer holds the database, before the round is told.
WRITE_WAIT_S = 30.0


class Store:
    """Rounds and their turns in a SQL database (see the module docstring)."""

    def __init__(self, url: str, *, write_wait_s: float = WRITE_WAIT_S,
                 owner: str | None = None, read_only: bool = False) -> None:
        self.url = parse_url(url)
        self.shown_url = shown(self.url)
        self.write_wait_s = write_wait_s
        # Read-only: the data folder cannot be written, but ``history`` and ``report`` can still read it.
        self.read_only = read_only
        # Whose rounds this store reads and writes: ``None`` is the operator (every round; new rounds
        # have no owner), "local:<user>" the CLI's user, "web:<hash>" one browser (see agent.store.owners).
        self.owner = owner
        self._engine = open_engine(self.url, busy_timeout_s=min(SQLITE_BUSY_TIMEOUT_S, max(0.1, write_wait_s / 3)),
                                   read_only=read_only)
        try:
            self._ensure_schema()
        except BaseException:
            self._engine.dispose()
            raise

    # -- lifecycle -----------------------------------------------------------

    def close(self) -> None:
        """Release the connection pool (the database file stays consistent either way)."""
        self._engine.dispose()

    def as_owner(self, owner: str | None) -> Store:
        """The same database seen by ``owner`` (one engine, shared: close only the original)."""
        view = copy.copy(self)
        view.owner = owner
        return view

    def _visible(self) -> ColumnElement[bool]:
        """Which rounds this store's owner may see: their own; the CLI's user also sees rounds from
        before owners were recorded (they were made on this machine); the operator sees all.
        """
        if self.owner is None:
            return true()
        if is_local(self.owner):
            return or_(rounds.c.owner == self.owner, rounds.c.owner.is_(None))
        return rounds.c.owner == self.owner

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    @contextmanager
    def _tx(self, action: str) -> Iterator[Connection]:
        """One transaction; database errors become a one-line ``StoreError``."""
        try:
            with self._engine.begin() as conn:
                yield conn
        except StoreError:
            raise
        except IntegrityError:
            raise
        except SQLAlchemyError as exc:
            raise StoreError(f"database {self.shown_url}: {action} failed: {explain(exc)}") from None

    def _write(self, action: str, work: Callable[[Connection], T]) -> T:
        """Run ``work`` in one transaction, retrying with backoff while another writer holds the database.

        A locked SQLite file (another process mid-write, a backup tool) is
        usually free again in moments; giving up at the first "database is
        locked" would lose a candidate's answer for nothing. The wait is
        bounded by ``write_wait_s``; after it the error is a ``StoreError``.
        """
        deadline = time.monotonic() + self.write_wait_s
        delay = 0.05
        while True:
            try:
                with self._engine.begin() as conn:
                    return work(conn)
            except (StoreError, IntegrityError):
                raise
            except OperationalError as exc:
                if not _is_lock(exc) or time.monotonic() + delay > deadline:
                    raise StoreError(f"database {self.shown_url}: {action} failed: {explain(exc)}") from None
                log.info("store.locked_retry", action=action, wait_s=round(delay, 2))
                time.sleep(delay)
                delay = min(delay * 2, 1.0)
            except SQLAlchemyError as exc:
                raise StoreError(f"database {self.shown_url}: {action} failed: {explain(exc)}") from None

    def _ensure_schema(self) -> None:
        for attempt in (1, 2):
            try:
                self._check_or_create()
                return
            except StoreError:
                raise
            except SQLAlchemyError as exc:
                # a second process may have created the tables between our check and our create
                if attempt == 2 or self.read_only:
                    raise StoreError(f"database {self.shown_url}: cannot open: {explain(exc)}") from None

    def _check_or_create(self) -> None:
        names = set(inspect(self._engine).get_table_names())
        if "meta" in names:
            with self._engine.connect() as conn:
                found = conn.execute(select(meta.c.schema_version)).scalar()
            if found is None:
                raise StoreError(f"database {self.shown_url} has no schema version: it was not created by "
                                 "this interviewer; use another --db")
            if int(found) > SCHEMA_VERSION:
                raise StoreError(f"database {self.shown_url} has schema version {found}; this interviewer "
                                 f"reads up to {SCHEMA_VERSION}: upgrade the interviewer to read it")
            if int(found) < SCHEMA_VERSION:
                if self.read_only:
                    raise StoreError(f"database {self.shown_url} needs an upgrade (schema version {found}) but "
                                     "its folder cannot be written: open it once where it can be written")
                upgrade(self._engine, int(found), self.shown_url)
            return
        if self.read_only:
            raise StoreError(f"database {self.shown_url} holds no rounds yet and its folder cannot be written")
        if names & {"rounds", "turns"}:
            raise StoreError(f"database {self.shown_url} already holds tables named rounds/turns that this "
                             "interviewer did not create; use another --db")
        with self._engine.begin() as conn:
            schema.metadata.create_all(conn)
            # another process may have created and stamped the tables since the look above: stamp once
            if conn.execute(select(func.count()).select_from(meta)).scalar() == 0:
                conn.execute(insert(meta).values(schema_version=SCHEMA_VERSION))

    # -- writing -------------------------------------------------------------

    def start_round(self, meta_: RoundMeta) -> None:
        """Record a new round as running."""
        row = dict(
            id=meta_.round_id,
            persona_id=meta_.persona_id,
            track=meta_.track,
            mode=meta_.mode,
            started_at=meta_.started_at,
            status="running",
            meta=meta_.model_dump(mode="json"),
            owner=self.owner,
            writer=writer_id(),
        )
        try:
            self._write("start a round", lambda conn: conn.execute(insert(rounds).values(**row)))
        except IntegrityError:
            raise StoreError(f"database {self.shown_url}: a round with id {meta_.round_id!r} "
                             "already exists") from None

    def add_turn(self, turn: TurnRecord) -> None:
        """Commit one turn in its own transaction (the crash-safety unit)."""
        row = dict(
            round_id=turn.round_id,
            seq=turn.seq,
            t=float(turn.t),
            speaker=turn.speaker.value,
            kind=turn.kind,
            question_id=turn.question_id,
            probe_id=turn.probe_id,
            payload=turn.model_dump(mode="json"),
        )
        try:
            self._write("store a turn", lambda conn: conn.execute(insert(turns).values(**row)))
        except IntegrityError:
            if not self._exists(turn.round_id):
                raise self._unknown(turn.round_id) from None
            raise StoreError(f"database {self.shown_url}: round {turn.round_id} already has a turn "
                             f"number {turn.seq}") from None

    def finish_round(self, round_id: str, status: str, overall_score: float | None = None) -> None:
        """Mark a round completed, interrupted or abandoned, with its overall score."""
        if status not in FINAL_STATUSES:
            raise ValueError(f"status must be one of {', '.join(FINAL_STATUSES)}, not {status!r}")
        ended = datetime.now(UTC).isoformat(timespec="seconds")

        def work(conn: Connection) -> None:
            result = conn.execute(
                update(rounds)
                .where(rounds.c.id == round_id)
                .values(status=status, ended_at=ended, overall_score=overall_score)
            )
            if result.rowcount == 0:
                raise self._unknown(round_id, conn)

        self._write("finish a round", work)

    # -- reading -------------------------------------------------------------

    def get_round(self, round_id: str) -> tuple[RoundMeta, str, list[TurnRecord]]:
        """The round's set-up, its status and its turns in order; ``UnknownRound`` if absent."""
        with self._tx("read a round") as conn:
            row = conn.execute(
                select(rounds.c.meta, rounds.c.status, rounds.c.writer)
                .where(rounds.c.id == round_id, self._visible())
            ).first()
            if row is None:
                raise self._unknown(round_id, conn)
            stored = conn.execute(
                select(turns.c.seq, turns.c.payload).where(turns.c.round_id == round_id).order_by(turns.c.seq)
            ).all()
        records = []
        for seq, payload in stored:
            try:
                records.append(TurnRecord.model_validate(payload))
            except ValidationError as exc:
                # one damaged row must not cost the candidate the rest of their round
                log.warning("store.turn_unreadable", round_id=round_id, seq=seq, error=type(exc).__name__)
        try:
            meta_ = RoundMeta.model_validate(row.meta)
        except ValidationError:
            raise StoreError(f"database {self.shown_url}: round {round_id}'s set-up is damaged and cannot be "
                             "read") from None
        return meta_, effective_status(row.status, row.writer), records

    def round_status(self, round_id: str) -> str:
        """Just the round's status ("running", "completed", ...); ``UnknownRound`` if absent."""
        with self._tx("read a round's status") as conn:
            row = conn.execute(
                select(rounds.c.status, rounds.c.writer).where(rounds.c.id == round_id, self._visible())
            ).first()
            if row is None:
                raise self._unknown(round_id, conn)
        return effective_status(row.status, row.writer)

    def round_ids_prefix(self, prefix: str, limit: int = 10) -> list[str]:
        """Ids starting with ``prefix``, most recent first (so users can type a short id, as with git)."""
        with self._tx("look up round ids") as conn:
            return list(
                conn.execute(
                    select(rounds.c.id)
                    .where(rounds.c.id.startswith(prefix, autoescape=True), self._visible())
                    .order_by(rounds.c.n.desc())
                    .limit(limit)
                ).scalars()
            )

    def resolve_round_id(self, text: str) -> str:
        """The one round id that ``text`` names exactly or as a prefix."""
        text = text.strip()
        if not text:
            raise UnknownRound("a round id is required")
        matches = self.round_ids_prefix(text, limit=6)
        if text in matches:
            return text
        if len(matches) == 1:
            return matches[0]
        if not matches:
            raise self._unknown(text)
        shown_ids = ", ".join(matches[:5]) + (", ..." if len(matches) > 5 else "")
        raise AmbiguousRound(f"round id prefix {text!r} matches several rounds ({shown_ids}); "
                             "type more of it")

    def list_rounds(self, limit: int = 20) -> list[RoundSummary]:
        """The most recent rounds first, with how many questions were asked and turns stored."""
        asked = (
            select(turns.c.round_id, func.count(turns.c.question_id.distinct()).label("asked"))
            .where(turns.c.speaker == "interviewer", turns.c.kind == "question")
            .group_by(turns.c.round_id)
            .subquery()
        )
        counted = (
            select(turns.c.round_id, func.count().label("turns")).group_by(turns.c.round_id).subquery()
        )
        query = (
            select(rounds, asked.c.asked, counted.c.turns)
            .outerjoin(asked, asked.c.round_id == rounds.c.id)
            .outerjoin(counted, counted.c.round_id == rounds.c.id)
            .where(self._visible())
            .order_by(rounds.c.n.desc())
            .limit(max(0, int(limit)))
        )
        with self._tx("list rounds") as conn:
            rows = conn.execute(query).all()
        return [
            RoundSummary(
                round_id=r.id,
                persona_id=r.persona_id,
                track=r.track,
                mode=r.mode,
                started_at=r.started_at,
                ended_at=r.ended_at,
                status=effective_status(r.status, r.writer),
                overall_score=r.overall_score,
                planned_questions=tuple(r.meta.get("question_ids", ()) if isinstance(r.meta, dict) else ()),
                asked_questions=int(r.asked or 0),
                turns=int(r.turns or 0),
            )
            for r in rows
        ]

    def previous_attempts(
        self, question_ids: Sequence[str], before_round_id: str | None = None
    ) -> dict[str, PreviousAttempt]:
        """For each question, the latest scored attempt in a round stored before ``before_round_id``.

        When ``before_round_id`` is not stored yet (a round about to start), every
        stored round counts as earlier.
        """
        wanted = {q for q in question_ids if q}
        if not wanted:
            return {}
        with self._tx("read earlier attempts") as conn:
            return latest_attempts(conn, wanted, self._visible(), before_round_id)

    def signal_history(
        self, limit_rounds: int = 10, questions: Mapping[str, Question] | None = None
    ) -> list[SignalOutcome]:
        """Signal outcomes over the latest rounds, most recent round first.

        Without ``questions`` only the signals that were shown are returned. With
        the bank's questions, every rubric signal of each answered question gets an
        outcome, so a practice loop can rank the signals a candidate keeps missing.
        """
        with self._tx("read signal history") as conn:
            return signal_outcomes(conn, self._visible(), limit_rounds, questions)

    # -- helpers -------------------------------------------------------------

    def _exists(self, round_id: str) -> bool:
        with self._tx("look up a round") as conn:
            return conn.execute(select(rounds.c.n).where(rounds.c.id == round_id)).first() is not None

    def _unknown(self, round_id: str, conn: Connection | None = None) -> UnknownRound:
        query = select(rounds.c.id).where(self._visible()).order_by(rounds.c.n.desc()).limit(3)
        if conn is None:
            with self._tx("list rounds") as own:
                recent = list(own.execute(query).scalars())
        else:
            recent = list(conn.execute(query).scalars())
        if not recent:
            return UnknownRound(f"no round with id {round_id!r}: "
                                f"no rounds are stored in {self.shown_url} yet")
        return UnknownRound(f"no round with id {round_id!r}; most recent: {', '.join(recent)}")


def _is_lock(exc: OperationalError) -> bool:
    text = str(getattr(exc, "orig", None) or exc).lower()
    return "locked" in text or "busy" in text
