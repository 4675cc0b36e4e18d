"""Where the interviewer keeps the user's rounds and reports, and where its content lives.

Rounds hold what a candidate said, so they live in the user's own data
directory (never the working directory or a shared temp folder), created
owner-only (see ``agent.private``). Which directory that is, is settled once
at the entry point (``agent.settings``) and handed to these functions.
Directories are created only when something is about to be written there,
so merely importing this module or printing ``--help`` leaves no trace on
disk. A folder that cannot be made or
written is a ``DataDirError`` whose message names the folder and what to do,
so every command can say it in one line instead of a traceback.
"""

from __future__ import annotations

import os
from pathlib import Path

from agent.private import private_dir

APP_NAME = "pm-interviewer"
DB_FILE = "interviewer.sqlite3"
# Named in the advice of the errors below; read by agent.settings.
DATA_DIR_ENV = "INTERVIEWER_DATA_DIR"
DB_URL_ENV = "INTERVIEWER_DB"

# question_bank/ and interviewer_personas/ sit at the top of the project, beside
# agent/, so authors edit them without touching code; an installed copy elsewhere
# points at them with $INTERVIEWER_CONTENT_DIR (agent.settings).
PROJECT_ROOT = Path(__file__).resolve().parent.parent


class DataDirError(Exception):
    """A folder the interviewer must write to cannot be made or written; the message says what to do."""


def why_unwritable(folder: Path) -> str | None:
    """Why this process cannot create files in ``folder`` (None when it can, or when it does not exist yet).

    ``os.access`` asks the kernel with the real user's rights, so it answers
    "no" for a read-only mount even to root, and "yes" to root for a folder
    that is merely chmod'd (root can write there, so that is the truth).
    """
    if not folder.is_dir():
        return None
    if os.access(folder, os.W_OK | os.X_OK):
        return None
    try:
        if os.statvfs(folder).f_flag & os.ST_RDONLY:
            return "read-only file system"
    except OSError:
        pass
    return "permission denied"


def unwritable(folder: Path, reason: str, *, what: str = "data folder", hint: str = "") -> DataDirError:
    """The one-line error for a folder that cannot be written, with the way out."""
    way_out = hint or f"set {DATA_DIR_ENV} to a folder you can write, or pass --db URL"
    return DataDirError(f"the {what} {folder} cannot be written ({reason}): {way_out}")


def os_reason(exc: OSError) -> str:
    """A short reason for an ``OSError`` (no errno numbers, no repeated path)."""
    if isinstance(exc, NotADirectoryError | FileExistsError):
        return "a file stands where a folder should be"
    return (exc.strerror or type(exc).__name__).lower()


def _ensure(folder: Path, *, what: str = "data folder", hint: str = "") -> Path:
    try:
        private_dir(folder)
    except OSError as exc:
        raise unwritable(folder, os_reason(exc), what=what, hint=hint) from None
    return folder


def log_file_path(data_dir: Path) -> Path:
    """Where the CLI's structured logs go by default (JSON lines, appended); ``DataDirError`` if unwritable."""
    return _ensure(_ensure(data_dir) / "logs") / "interviewer.log"


REPORTS_HINT = f"set {DATA_DIR_ENV} to a folder you can write"


def reports_dir(data_dir: Path, *, create: bool = True) -> Path:
    """Where reports go when no output path is given; with ``create``, made and checked writable."""
    path = data_dir / "reports"
    if create:
        _ensure(path, what="reports folder", hint=REPORTS_HINT)
        reason = why_unwritable(path)
        if reason:
            raise unwritable(path, reason, what="reports folder", hint=REPORTS_HINT)
    return path
