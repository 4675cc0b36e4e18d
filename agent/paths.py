"""Where the interviewer keeps the user's rounds and reports.

Rounds hold what a candidate said, so they live in the user's own data
directory (never the working directory or a shared temp folder). Directories
are created only when something is about to be written there, so merely
importing this module or printing ``--help`` leaves no trace on disk.
"""

from __future__ import annotations

import os
from pathlib import Path

from platformdirs import user_data_dir

APP_NAME = "pm-interviewer"
DATA_DIR_ENV = "INTERVIEWER_DATA_DIR"
DB_URL_ENV = "INTERVIEWER_DB"
DB_WAIT_ENV = "INTERVIEWER_DB_WAIT_S"  # how long a write retries a locked database (default 30 s)
DB_FILE = "interviewer.sqlite3"
CONTENT_DIR_ENV = "INTERVIEWER_CONTENT_DIR"

# question_bank/ and interviewer_personas/ sit at the top of the project, beside
# agent/, so authors edit them without touching code; an installed copy elsewhere
# points at them with $INTERVIEWER_CONTENT_DIR.
CONTENT_ROOT = Path(os.environ.get(CONTENT_DIR_ENV) or Path(__file__).resolve().parent.parent)


def data_dir(*, create: bool = True) -> Path:
    """The user's data directory (``$INTERVIEWER_DATA_DIR`` wins, for tests and portable installs)."""
    configured = os.environ.get(DATA_DIR_ENV)
    path = Path(configured).expanduser() if configured else Path(user_data_dir(APP_NAME, appauthor=False))
    if create:
        path.mkdir(parents=True, exist_ok=True)
    return path


def default_db_url() -> str:
    """The SQLite file used when no database URL is given."""
    return f"sqlite:///{data_dir() / DB_FILE}"


def database_url(explicit: str | None = None) -> str:
    """The database to use: an explicit URL, else ``$INTERVIEWER_DB``, else the default SQLite file.

    The web app reads the same variable, so the CLI and the server see the same
    rounds unless told otherwise.
    """
    return explicit or os.environ.get(DB_URL_ENV) or default_db_url()


def log_file_path() -> Path:
    """Where the CLI's structured logs go by default (JSON lines, appended)."""
    path = data_dir() / "logs"
    path.mkdir(parents=True, exist_ok=True)
    return path / "interviewer.log"


def reports_dir(*, create: bool = True) -> Path:
    """Where reports go when no output path is given."""
    path = data_dir(create=create) / "reports"
    if create:
        path.mkdir(parents=True, exist_ok=True)
    return path
