"""The store on SQLite: round trip, lookups, history queries, schema checks and pragmas."""

import sqlite3

import pytest

from agent.settings import Settings
from agent.store import SCHEMA_VERSION, Store, StoreError, UnknownRound
from tests.fakes.rounds import exercise_store, full_round, meta

pytestmark = pytest.mark.unit


@pytest.fixture
def url(tmp_path):
    return f"sqlite:///{tmp_path / 'deep' / 'rounds.sqlite3'}"


def test_store_behaviour_on_sqlite(url):
    with Store(url) as store:
        exercise_store(store)


def test_data_survives_reopening(url):
    with Store(url) as store:
        store.start_round(meta("r1"))
        for turn in full_round("r1"):
            store.add_turn(turn)
    with Store(url) as again:
        _, status, turns = again.get_round("r1")
    assert status == "running" and len(turns) == 6


def test_sqlite_is_opened_for_crash_safety(url):
    store = Store(url)
    with store._engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    store.close()


def test_a_newer_schema_version_is_one_clear_line(tmp_path):
    path = tmp_path / "old.sqlite3"
    Store(f"sqlite:///{path}").close()
    with sqlite3.connect(path) as conn:
        conn.execute(f"UPDATE meta SET schema_version = {SCHEMA_VERSION + 1}")
    with pytest.raises(StoreError) as err:
        Store(f"sqlite:///{path}")
    message = str(err.value)
    assert "\n" not in message
    assert message.startswith(f"database sqlite:///{path} has schema version {SCHEMA_VERSION + 1}; "
                              f"this interviewer reads up to {SCHEMA_VERSION}: upgrade")


def test_a_schema_version_with_no_upgrade_path_is_one_line_and_changes_nothing(tmp_path):
    path = tmp_path / "older.sqlite3"
    Store(f"sqlite:///{path}").close()
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE meta SET schema_version = 0")
    with pytest.raises(StoreError, match="upgrading schema version 0 to .* failed .*the file is unchanged"):
        Store(f"sqlite:///{path}")
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT schema_version FROM meta").fetchone() == (0,)


def test_foreign_tables_are_not_taken_over(tmp_path):
    path = tmp_path / "other.sqlite3"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE rounds (x INTEGER)")
    with pytest.raises(StoreError, match="did not create"):
        Store(f"sqlite:///{path}")


def test_not_a_database_file(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("this is not sqlite " * 200)
    with pytest.raises(StoreError, match=r"^database sqlite:///.*notes\.txt: cannot open: .*not a database"):
        Store(f"sqlite:///{path}")


@pytest.mark.parametrize("bad, needle", [
    ("not a url", "not a database URL"),
    ("nosuchdb://x/y", "driver not available"),
])
def test_bad_urls(bad, needle):
    with pytest.raises(StoreError, match=needle):
        Store(bad)


def test_password_never_shown_in_errors():
    with pytest.raises(StoreError) as err:
        Store("postgresql+psycopg://me:hunter2@127.0.0.1:1/db")
    assert "hunter2" not in str(err.value) and "***" in str(err.value)


def test_default_location_is_the_data_dir(tmp_path):
    settings = Settings.from_env({"INTERVIEWER_DATA_DIR": str(tmp_path / "data")})
    assert not settings.database_named
    with Store(settings.database_url) as store:
        store.start_round(meta("r1"))
    assert (tmp_path / "data" / "interviewer.sqlite3").is_file()


def test_env_database_url_is_used_when_no_url_given(tmp_path):
    settings = Settings.from_env({"INTERVIEWER_DB": f"sqlite:///{tmp_path / 'env.sqlite3'}"})
    assert settings.database_named and settings.with_database(None) == settings
    Store(settings.database_url).close()
    assert (tmp_path / "env.sqlite3").is_file()
    assert Settings.from_env({}).with_database("sqlite:///x.db").database_url == "sqlite:///x.db"


def test_finish_rejects_unknown_status(url):
    with Store(url) as store:
        store.start_round(meta("r1"))
        with pytest.raises(ValueError, match="status must be one of"):
            store.finish_round("r1", status="running")


def test_one_store_serves_several_threads(url):
    """The web app shares one Store across its worker threads while a round is being written."""
    import concurrent.futures

    from agent.interview.records import Speaker, TurnRecord

    with Store(url) as store:
        store.start_round(meta("busy"))

        def write() -> int:
            for seq in range(60):
                store.add_turn(TurnRecord(round_id="busy", seq=seq, t=float(seq), speaker=Speaker.CANDIDATE,
                                          kind="answer", text="words", phase="question", question_id="q-one"))
            return 60

        def read() -> int:
            seen = 0
            for _ in range(60):
                seen = max(seen, len(store.get_round("busy")[2]))
                store.list_rounds()
            return seen

        with concurrent.futures.ThreadPoolExecutor(max_workers=3) as pool:
            futures = [pool.submit(write), pool.submit(read), pool.submit(read)]
            results = [f.result(timeout=60) for f in futures]
        assert results[0] == 60 and all(0 <= r <= 60 for r in results[1:])
        assert len(store.get_round("busy")[2]) == 60


def test_round_status_reads_only_the_status(tmp_path):
    with Store(f"sqlite:///{tmp_path / 'r.db'}") as store:
        store.start_round(meta("status01"))
        assert store.round_status("status01") == "running"
        store.finish_round("status01", status="completed")
        assert store.round_status("status01") == "completed"
        with pytest.raises(UnknownRound):
            store.round_status("nope")
