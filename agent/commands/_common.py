"""Helpers the subcommands share: loading content, finding personas, opening the store.

Each command is an entry point: it gets the process's ``Settings`` from
``agent.cli`` and loads the bank at most once, through :func:`load_content`.
"""

from __future__ import annotations

import difflib
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from agent.cli import UsageError
from agent.content.loader import DEFAULT_PERSONA, Bank, ContentError, load_bank_at
from agent.content.models import Persona
from agent.paths import DB_URL_ENV, DataDirError, os_reason, reports_dir, unwritable, why_unwritable
from agent.private import private_dir
from agent.settings import Settings

if TYPE_CHECKING:
    from agent.session import ReportOutputs
    from agent.store import Store


def load_content(settings: Settings) -> Bank:
    """The bank under the settings' content folder; one line (exit 2) when it does not load."""
    try:
        return load_bank_at(settings.content_root)
    except ContentError as exc:
        raise UsageError(f"the shipped content does not load: {exc.errors[0]}") from None


def persona_of(bank: Bank, persona_id: str | None) -> Persona:
    pid = persona_id or DEFAULT_PERSONA
    if pid not in bank.personas:
        close = difflib.get_close_matches(pid, list(bank.personas), n=3)
        hint = f"did you mean {', '.join(close)}?" if close else f"known: {', '.join(bank.personas)}"
        raise UsageError(f"--persona: unknown persona '{pid}'; {hint}")
    return bank.personas[pid]


def open_store(settings: Settings, *, writes: bool = True) -> Store:
    """The local user's store at the settings' database; ``writes=False`` (history, report) may open it
    read-only.

    A SQLite file whose folder cannot be written is one line naming the folder
    and what to do (exit 2), before any round starts, instead of a traceback
    or a round that cannot keep a single turn. A command that only reads opens
    an existing file read-only instead.
    """
    # deferred: SQLAlchemy and Alembic take about half a second to import, which `--help` and `assess` skip
    from agent.store import Store, StoreError
    from agent.store.owners import local_owner

    try:
        read_only = False
        blocked = _unwritable_sqlite(settings)
        if blocked is not None:
            path, error = blocked
            if writes or not (path.is_file() and os.access(path, os.R_OK)):
                raise error
            read_only = True
        return Store(settings.database_url, write_wait_s=settings.db_wait_s, owner=local_owner(),
                     read_only=read_only)
    except StoreError as exc:
        raise UsageError(str(exc)) from None


def _unwritable_sqlite(settings: Settings) -> tuple[Path, DataDirError] | None:
    """The SQLite file and the one-line error to give when it, or its folder, cannot be written."""
    from agent.store._engine import parse_url, sqlite_file  # deferred with the store, see open_store

    path = sqlite_file(parse_url(settings.database_url))
    if path is None:
        return None
    try:
        private_dir(path.parent)  # made owner-only here when missing, as the store would
        reason = why_unwritable(path.parent)
    except OSError as exc:
        reason = os_reason(exc)
    if reason is None and path.exists() and not os.access(path, os.W_OK):
        reason = "the database file is read-only"
    if reason is None:
        return None
    if settings.database_named:  # the user chose the file: the way out is another location
        return path, unwritable(path.parent, reason, what="database folder",
                                hint=f"pass --db (or {DB_URL_ENV}) with a location you can write")
    return path, unwritable(path.parent, reason)


def round_outputs(settings: Settings) -> ReportOutputs:
    """Before a round starts: where its report goes, checked writable, and how many reports stay.

    The folder is checked first so that a read-only data folder is one line
    before the round, not a surprise after the candidate has answered every
    question (a bad retention variable was said when the settings were read).
    """
    from agent.session import ReportOutputs  # deferred with the store: the session opens rounds in it

    reports_dir(settings.data_dir)  # DataDirError: one line naming the folder (exit 2)
    return ReportOutputs(settings.data_dir, settings.retention)


def store_lost(command: str, error: str, report: object, report_problem: str | None = None) -> int:
    """The one line a round command ends with when the database stopped taking writes; exit status 1."""
    if report is None:
        print(f"interviewer {command}: {error}; {report_problem or 'and its report could not be written'}",
              file=sys.stderr)
        return 1
    print(f"interviewer {command}: {error}; the round was kept in memory and its report written: {report}",
          file=sys.stderr)
    return 1


def report_not_written(command: str, round_id: str, score: float | None, problem: str) -> int:
    """The one line a round command ends with when the round is stored but its report could not be written."""
    shown = f"{score:g}/5" if score is not None else "no score"
    print(f"interviewer {command}: round {round_id} ({shown}) was saved but {problem}; "
          f"write it later with: interviewer report {round_id}", file=sys.stderr)
    return 1

