"""The base of every record type the core hands out: turns, assessments, rounds, fits, scorecards.

One base means one way out and one way back in: ``model_dump(mode="json")``
writes a record for the database, a report or a contract, and
``model_validate`` reads it back. Values are frozen. A field written under
another name than its attribute reads both (``AliasChoices``).
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Record(BaseModel):
    """Base of every record: frozen, and written under a field's serialization alias where it has one."""

    model_config = ConfigDict(frozen=True, serialize_by_alias=True)
