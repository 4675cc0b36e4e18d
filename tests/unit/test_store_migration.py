"""A version-1 database written by the landed code upgrades in place, its history kept."""

import shutil
import sqlite3
from pathlib import Path

import pytest

from agent.store import Store
from agent.store.owners import web_owner
from agent.store.schema import SCHEMA_VERSION
from tests.fakes.rounds import full_round, meta

pytestmark = pytest.mark.unit

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "rounds-v1.sqlite3"
OLD_ROUND = "f17e0892cef1"


@pytest.fixture
def v1_copy(tmp_path):
    target = tmp_path / "rounds.sqlite3"
    shutil.copyfile(FIXTURE, target)
    with sqlite3.connect(target) as conn:
        assert conn.execute("SELECT schema_version FROM meta").fetchone() == (1,)
    return target


def test_a_version_1_file_upgrades_in_place_with_its_rounds(v1_copy):
    store = Store(f"sqlite:///{v1_copy}", owner="local:someone")
    meta_, status, turns = store.get_round(OLD_ROUND)
    assert meta_.question_ids == ("platform-success-metrics",) and status == "interrupted" and len(turns) == 9
    assert [s.round_id for s in store.list_rounds()] == [OLD_ROUND]
    store.start_round(meta("newround1"))
    for turn in full_round("newround1"):
        store.add_turn(turn)
    store.close()
    with sqlite3.connect(v1_copy) as conn:
        assert conn.execute("SELECT schema_version FROM meta").fetchone() == (SCHEMA_VERSION,)
        owners = dict(conn.execute("SELECT id, owner FROM rounds"))
    assert owners == {OLD_ROUND: None, "newround1": "local:someone"}


def test_rounds_from_before_owners_are_not_shown_to_a_browser(v1_copy):
    store = Store(f"sqlite:///{v1_copy}", owner=web_owner("a-browser-credential"))
    assert store.list_rounds() == []
    assert store.previous_attempts(["platform-success-metrics"]) == {}
    store.close()


def test_an_upgrade_that_fails_leaves_the_file_as_it_was(v1_copy, monkeypatch):
    import agent.store.migrations as migrations

    def broken(op):
        op.execute("ALTER TABLE rounds ADD COLUMN owner VARCHAR(80)")
        op.execute("THIS IS NOT SQL")

    monkeypatch.setitem(migrations.STEPS, 1, broken)
    from agent.store import StoreError

    with pytest.raises(StoreError, match="upgrading schema version 1"):
        Store(f"sqlite:///{v1_copy}")
    with sqlite3.connect(v1_copy) as conn:
        assert conn.execute("SELECT schema_version FROM meta").fetchone() == (1,)
        columns = [row[1] for row in conn.execute("PRAGMA table_info(rounds)")]
    assert "owner" not in columns
