"""Upgrading an older database in place, with its history kept.

Each step takes the schema from version N to N+1 with Alembic's operations
(``alembic.operations.Operations``), which emit the right DDL for SQLite
(batch mode: copy and swap the table when SQLite cannot alter it) and for
PostgreSQL. All steps run in one transaction and the version is bumped with
them, so an upgrade either happens entirely or not at all.
"""

from __future__ import annotations

from collections.abc import Callable

from alembic.operations import Operations
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Column, Engine, String, select, update
from sqlalchemy.exc import SQLAlchemyError

from agent.logs import get_logger
from agent.store.errors import StoreError
from agent.store.schema import SCHEMA_VERSION, meta

log = get_logger("agent.store")


def _v1_to_v2(op: Operations) -> None:
    """Rounds get an owner and a writer; rounds stored before stay without (readable by the local user only)."""
    with op.batch_alter_table("rounds") as batch:
        batch.add_column(Column("owner", String(80), nullable=True))
        batch.add_column(Column("writer", String(120), nullable=True))
        batch.create_index("rounds_owner", ["owner"])


STEPS: dict[int, Callable[[Operations], None]] = {1: _v1_to_v2}


def upgrade(engine: Engine, found: int, shown_url: str) -> None:
    """Bring a database at schema version ``found`` up to ``SCHEMA_VERSION``."""
    try:
        # The transaction is opened by hand: pysqlite would commit each ALTER on its own, so a failed
        # step would leave a half-upgraded file. In autocommit mode the driver adds nothing and this
        # BEGIN/COMMIT pair holds every step (SQLite and PostgreSQL both roll back DDL).
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            sqlite = engine.dialect.name == "sqlite"
            conn.exec_driver_sql("BEGIN IMMEDIATE" if sqlite else "BEGIN")  # IMMEDIATE: take the write lock now
            try:
                if not sqlite:
                    conn.exec_driver_sql("LOCK TABLE meta IN EXCLUSIVE MODE")
                # another process may have upgraded the file since we looked: read again under the lock
                found = int(conn.execute(select(meta.c.schema_version)).scalar() or found)
                op = Operations(MigrationContext.configure(conn))
                for version in range(found, SCHEMA_VERSION):
                    STEPS[version](op)
                conn.execute(update(meta).values(schema_version=SCHEMA_VERSION))
            except BaseException:
                conn.exec_driver_sql("ROLLBACK")
                raise
            conn.exec_driver_sql("COMMIT")
    except (SQLAlchemyError, KeyError) as exc:
        raise StoreError(f"database {shown_url}: upgrading schema version {found} to {SCHEMA_VERSION} failed "
                         f"({type(exc).__name__}); the file is unchanged") from None
    log.info("store.upgraded", database=shown_url, from_version=found, to_version=SCHEMA_VERSION)
