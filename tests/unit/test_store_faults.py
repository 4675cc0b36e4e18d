"""Faults the store must survive without losing an answer: a locked database, a damaged turn, SIGTERM."""

import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from agent.store import Store, StoreError
from tests.fakes.rounds import full_round, meta

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[2]
EXE = str(Path(sys.executable).with_name("interviewer"))
FIRST = "I would track uptime, adoption rate and the number of integrations."
SECOND = "And the marmalade-coloured dashboards that leadership likes to see every Monday."


def _locked(path: Path) -> sqlite3.Connection:
    """Another writer holding the database: an open exclusive transaction."""
    conn = sqlite3.connect(path, timeout=0, isolation_level=None, check_same_thread=False)
    conn.execute("BEGIN EXCLUSIVE")
    return conn


def test_a_write_waits_out_a_short_lock(tmp_path):
    db = tmp_path / "r.sqlite3"
    store = Store(f"sqlite:///{db}", write_wait_s=10)
    store.start_round(meta("locked01"))
    turns = list(full_round("locked01"))
    holder = _locked(db)
    release = time.monotonic() + 1.0

    def later():
        while time.monotonic() < release:
            time.sleep(0.05)
        holder.execute("ROLLBACK")

    t = threading.Thread(target=later)
    t.start()
    store.add_turn(turns[0])  # blocks until the lock goes, then commits
    t.join()
    assert [x.seq for x in store.get_round("locked01")[2]] == [turns[0].seq]
    store.close()


def test_a_lock_that_outlasts_the_wait_is_one_store_error(tmp_path):
    db = tmp_path / "r.sqlite3"
    store = Store(f"sqlite:///{db}", write_wait_s=0.5)
    store.start_round(meta("locked02"))
    holder = _locked(db)
    try:
        with pytest.raises(StoreError) as err:
            store.add_turn(next(iter(full_round("locked02"))))
        assert "locked" in str(err.value) and "\n" not in str(err.value)
    finally:
        holder.execute("ROLLBACK")
        store.close()


def test_a_damaged_turn_is_skipped_and_the_rest_of_the_round_reads(tmp_path, capsys):
    db = tmp_path / "r.sqlite3"
    store = Store(f"sqlite:///{db}")
    store.start_round(meta("damaged1"))
    turns = list(full_round("damaged1"))
    for turn in turns:
        store.add_turn(turn)
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE turns SET payload = ? WHERE round_id = 'damaged1' AND seq = ?",
                     (json.dumps({"nonsense": True}), turns[1].seq))
    _, _, read = store.get_round("damaged1")
    assert [t.seq for t in read] == [t.seq for t in turns if t.seq != turns[1].seq]
    store.close()


def _practice(tmp_path, **env_extra):
    env = dict(os.environ, INTERVIEWER_DATA_DIR=str(tmp_path / "data"), PYTHONUNBUFFERED="1", **env_extra)
    return subprocess.Popen(
        [EXE, "--db", f"sqlite:///{tmp_path / 'r.sqlite3'}", "practice", "--text", "--question-ids",
         "platform-success-metrics,api-breaking-change"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)


def _wait_for(proc, needle, timeout=60.0):
    seen = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        seen.append(line)
        if needle in line:
            return "".join(seen)
    raise AssertionError(f"never saw {needle!r}: {''.join(seen)[-2000:]}")


def test_a_database_locked_mid_round_keeps_the_answer_and_reports_from_memory(tmp_path):
    proc = _practice(tmp_path, INTERVIEWER_DB_WAIT_S="1")
    _wait_for(proc, "interviewer (question)")
    proc.stdin.write(FIRST + "\n\n")
    proc.stdin.flush()
    _wait_for(proc, "interviewer (probe)")
    holder = _locked(tmp_path / "r.sqlite3")
    try:
        proc.stdin.write(SECOND + "\n\n")
        proc.stdin.flush()
        out, err = proc.communicate(timeout=60)
    finally:
        holder.execute("ROLLBACK")
    assert proc.returncode == 1
    assert "can no longer save this round" in out
    lines = [ln for ln in err.strip().splitlines() if not ln.startswith("{")]
    assert len(lines) == 1 and "locked" in lines[0] and "Traceback" not in err
    report = Path(lines[0].rsplit(": ", 1)[1])
    assert "marmalade-coloured dashboards" in report.read_text(encoding="utf-8")


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGHUP], ids=["SIGTERM", "SIGHUP"])
def test_sigterm_or_sighup_ends_a_text_round_like_ctrl_c(tmp_path, sig):
    proc = _practice(tmp_path)
    _wait_for(proc, "interviewer (question)")
    proc.stdin.write(FIRST + "\n\n")
    proc.stdin.flush()
    _wait_for(proc, "interviewer (probe)")
    proc.send_signal(sig)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    assert "interviewer (wrap_up)" in out and "report: " in out
    store = Store(f"sqlite:///{tmp_path / 'r.sqlite3'}")
    (summary,) = store.list_rounds()
    assert summary.status == "interrupted"
    store.close()


def test_report_and_history_read_past_a_damaged_turn(tmp_path):
    db = tmp_path / "r.sqlite3"
    env = dict(os.environ, INTERVIEWER_DATA_DIR=str(tmp_path / "data"))
    answers = tmp_path / "a.txt"
    answers.write_text(f"{FIRST}\n\n{SECOND}\n", encoding="utf-8")
    base = [EXE, "--db", f"sqlite:///{db}"]
    subprocess.run([*base, "practice", "--text", "--question-ids", "platform-success-metrics", "--answers-file",
                    str(answers)], env=env, capture_output=True, text=True, timeout=120, check=True)
    with sqlite3.connect(db) as conn:
        rid, seq = conn.execute("SELECT round_id, seq FROM turns WHERE speaker = 'candidate' ORDER BY seq").fetchone()
        conn.execute("UPDATE turns SET payload = ? WHERE round_id = ? AND seq = ?", ('"not a turn"', rid, seq))
    report = subprocess.run([*base, "report", rid, "--format", "md", "--out", "-"], env=env, capture_output=True,
                            text=True, timeout=120)
    assert report.returncode == 0 and "Traceback" not in report.stderr
    assert "store.turn_unreadable" in report.stderr and str(seq) in report.stderr
    history = subprocess.run([*base, "history"], env=env, capture_output=True, text=True, timeout=120)
    assert history.returncode == 0 and rid in history.stdout
