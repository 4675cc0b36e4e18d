"""Opening a database URL with the settings crash safety and timeouts need.

SQLite runs in WAL mode with ``synchronous=FULL``: in WAL mode a committed
transaction already survives the process being killed at any instant (the
WAL is in the OS page cache and is replayed on the next open); FULL adds an
fsync per commit so it also survives a power cut. The store commits once per
spoken turn, seconds apart, so that fsync costs nothing anyone can notice.

A new SQLite file is created 0600 in a 0700 folder before SQLite opens it
(SQLite gives its -wal and -shm files the database file's mode). A store
opened read-only (a data folder that cannot be written, for ``history`` and
``report``) asks SQLite for ``mode=ro``, and ``immutable=1`` when no -wal file
exists: WAL mode otherwise needs to create its -shm file beside the database,
and with no -wal file nothing committed can be missing from the main file.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError

from agent.private import create_private_file, private_dir
from agent.store.errors import StoreError

CONNECT_TIMEOUT_S = 10
STATEMENT_TIMEOUT_MS = 15_000
SQLITE_BUSY_TIMEOUT_S = 10


def shown(url: URL) -> str:
    """The URL as it may appear in messages: password hidden."""
    return url.render_as_string(hide_password=True)


def parse_url(raw: str) -> URL:
    try:
        return make_url(raw)
    except ArgumentError:
        raise StoreError(f"--db: not a database URL: {raw!r} (try sqlite:///path/file.sqlite3 "
                         "or postgresql+psycopg://user@host/db)") from None


def sqlite_file(url: URL) -> Path | None:
    """The file behind a plain SQLite URL (None for other databases, memory and ``file:`` URIs)."""
    if url.get_backend_name() != "sqlite":
        return None
    database = url.database or ""
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    return Path(database).expanduser()


def read_only_url(url: URL) -> URL:
    """A SQLite URL that opens the same file without ever writing to it or beside it (see the module)."""
    path = sqlite_file(url)
    if path is None:
        return url
    wal = path.with_name(path.name + "-wal")
    query = {"mode": "ro", "uri": "true"} | ({} if wal.exists() else {"immutable": "1"})
    return url.set(database=f"file:{path.resolve()}", query=query)


def open_engine(url: URL, *, busy_timeout_s: float = SQLITE_BUSY_TIMEOUT_S, read_only: bool = False) -> Engine:
    """Create the engine; nothing is connected yet. ``read_only``: never write (a folder that cannot be)."""
    backend = url.get_backend_name()
    connect_args: dict[str, Any] = {}
    if backend == "sqlite":
        path = sqlite_file(url)
        if read_only:
            url = read_only_url(url)
        elif path is not None:
            try:
                private_dir(path.parent)
                create_private_file(path)
            except OSError as exc:
                raise StoreError(f"database {shown(url)}: cannot create it ({(exc.strerror or str(exc)).lower()}): "
                                 "pass --db with a location you can write") from None
        connect_args["timeout"] = busy_timeout_s
    elif backend == "postgresql":
        # libpq parameters, understood by psycopg and psycopg2 alike
        connect_args["connect_timeout"] = CONNECT_TIMEOUT_S
        connect_args["options"] = f"-c statement_timeout={STATEMENT_TIMEOUT_MS}"
    try:
        engine = create_engine(url, connect_args=connect_args, pool_pre_ping=backend != "sqlite")
    except (NoSuchModuleError, ModuleNotFoundError, ImportError) as exc:
        hint = ""
        if backend == "postgresql":
            hint = " (install the extra: pip install 'pm-mock-interviewer[postgres]')"
        raise StoreError(f"database {shown(url)}: driver not available: {exc}{hint}") from None
    if backend == "sqlite" and not read_only:
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA foreign_keys=ON")
    finally:
        cursor.close()
