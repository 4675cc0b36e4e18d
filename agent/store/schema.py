"""The tables, written with SQLAlchemy Core so one definition serves SQLite and PostgreSQL.

A turn's full record is kept as JSON (``TurnRecord.model_dump(mode="json")``) and is the
source of truth; the plain columns beside it (speaker, kind, question and probe
ids) exist only so that history queries can filter without parsing JSON.
``rounds.n`` is a surrogate key that orders rounds by when they were stored,
which is what "earlier attempt" means even when two rounds start within the
same second.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
)

SCHEMA_VERSION = 2  # 2: rounds.owner and rounds.writer (see agent/store/migrations.py)

STATUSES = ("running", "completed", "interrupted", "abandoned")
FINAL_STATUSES = STATUSES[1:]

metadata = MetaData()

meta = Table(
    "meta",
    metadata,
    Column("schema_version", Integer, nullable=False),
)

rounds = Table(
    "rounds",
    metadata,
    Column("n", Integer, primary_key=True, autoincrement=True),
    Column("id", String(64), nullable=False, unique=True),
    Column("persona_id", String(64), nullable=False),
    Column("track", String(32), nullable=True),
    Column("mode", String(16), nullable=False),
    Column("started_at", String(40), nullable=False),
    Column("ended_at", String(40), nullable=True),
    Column("status", String(16), nullable=False, default="running"),
    Column("overall_score", Float, nullable=True),
    Column("meta", JSON, nullable=False),
    Column("owner", String(80), nullable=True),  # None: stored before owners were recorded
    Column("writer", String(120), nullable=True),  # "host:pid" of the process that started the round
    CheckConstraint("status IN ('running', 'completed', 'interrupted', 'abandoned')", name="rounds_status"),
)

turns = Table(
    "turns",
    metadata,
    Column("round_id", String(64), ForeignKey("rounds.id", ondelete="CASCADE"), nullable=False),
    Column("seq", Integer, nullable=False),
    Column("t", Float, nullable=False),
    Column("speaker", String(16), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("question_id", String(64), nullable=True),
    Column("probe_id", String(64), nullable=True),
    Column("payload", JSON, nullable=False),
    PrimaryKeyConstraint("round_id", "seq", name="turns_pk"),
)

Index("turns_question", turns.c.question_id, turns.c.speaker)
Index("rounds_owner", rounds.c.owner)
