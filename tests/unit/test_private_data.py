"""A candidate's data on disk: a full disk, a read-only data folder, owner-only files, report retention.

The faults are real (a tmpfs that fills, a read-only mount or chmod'd folder)
and the rounds are real subprocesses of ``interviewer practice --text``, as in
test_store_faults.py.
"""

import os
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from agent.report.retention import Retention, prune_reports
from agent.settings import KEEP_DAYS_ENV, KEEP_REPORTS_ENV, Settings, SettingsError
from agent.store import Store, StoreError
from agent.store.errors import DISK_FULL
from tests.fakes.faults import fill, read_only_folder, tiny_filesystem
from tests.fakes.rounds import full_round, meta

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[2]
EXE = str(Path(sys.executable).with_name("interviewer"))
FIRST = "I would track uptime, adoption rate and the number of integrations."
SECOND = "And the tangerine-striped dashboards that leadership likes to see every Monday."
QUESTIONS = "platform-success-metrics,api-breaking-change"


def _env(data: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("INTERVIEWER_")}
    # PYTHONPATH: the console script must import this checkout's agent package
    return dict(env, INTERVIEWER_DATA_DIR=str(data), PYTHONUNBUFFERED="1", PYTHONPATH=str(ROOT), **extra)


def _scripted(tmp_path: Path, env: dict[str, str], *extra: str, umask: int | None = None):
    answers = tmp_path / "answers.txt"
    answers.write_text(f"{FIRST}\n\n{SECOND}\n", encoding="utf-8")
    return subprocess.run([EXE, *extra, "practice", "--text", "--question-ids", "platform-success-metrics",
                           "--answers-file", str(answers)], env=env, capture_output=True, text=True, timeout=120,
                          preexec_fn=(lambda: os.umask(umask)) if umask is not None else None, check=False)


def _lines(stderr: str) -> list[str]:
    """What a person reads on stderr: not the JSON log lines."""
    return [ln for ln in stderr.strip().splitlines() if ln and not ln.startswith("{")]


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


# -- a full disk ---------------------------------------------------------------


def test_a_full_disk_is_one_store_error_that_says_so(tmp_path):
    with tiny_filesystem(tmp_path / "tiny") as tiny:
        store = Store(f"sqlite:///{tiny / 'r.sqlite3'}", write_wait_s=0.5)
        try:
            store.start_round(meta("full0001"))
            fill(tiny)
            with pytest.raises(StoreError) as err:
                for turn in full_round("full0001"):
                    store.add_turn(turn)
        finally:
            store.close()
    assert DISK_FULL in str(err.value) and "\n" not in str(err.value)


def test_a_disk_that_fills_mid_round_keeps_the_answer_and_reports_from_memory(tmp_path):
    with tiny_filesystem(tmp_path / "tiny") as tiny:
        env = _env(tmp_path / "data", INTERVIEWER_DB_WAIT_S="1")
        proc = subprocess.Popen([EXE, "--db", f"sqlite:///{tiny / 'r.sqlite3'}", "practice", "--text",
                                 "--question-ids", QUESTIONS], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True, env=env)
        try:
            _wait_for(proc, "interviewer (question)")
            fill(tiny)
            proc.stdin.write(SECOND + "\n\n")
            proc.stdin.flush()
            out, err = proc.communicate(timeout=60)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.communicate()
    assert proc.returncode == 1, err
    assert "can no longer save this round" in out
    lines = _lines(err)
    assert len(lines) == 1 and "Traceback" not in err, err
    assert "disk holding the database is full" in lines[0]
    report = Path(lines[0].rsplit(": ", 1)[1])
    assert "tangerine-striped dashboards" in report.read_text(encoding="utf-8")


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


# -- a data folder that cannot be written ----------------------------------------


def test_a_read_only_data_folder_still_reads_and_refuses_writes_in_one_line(tmp_path):
    data = tmp_path / "data"
    env = _env(data)
    made = _scripted(tmp_path, env)
    assert made.returncode == 0, made.stderr
    (summary,) = Store(f"sqlite:///{data / 'interviewer.sqlite3'}").list_rounds()
    rid = summary.round_id
    with read_only_folder(data):
        history = subprocess.run([EXE, "history"], env=env, capture_output=True, text=True, timeout=120)
        printed = subprocess.run([EXE, "report", rid, "--format", "md", "--out", "-"], env=env,
                                 capture_output=True, text=True, timeout=120)
        default = subprocess.run([EXE, "report", rid], env=env, capture_output=True, text=True, timeout=120)
        practice = _scripted(tmp_path, env)
        history_json = subprocess.run([EXE, "history", "--json"], env=env, capture_output=True, text=True,
                                      timeout=120)
    assert history.returncode == 0 and rid in history.stdout, history.stderr
    assert "Traceback" not in history.stderr
    assert printed.returncode == 0 and "tangerine-striped dashboards" in printed.stdout, printed.stderr
    assert history_json.returncode == 0 and rid in history_json.stdout
    for failed, folder, hint in ((default, data / "reports", "--out"), (practice, data, "INTERVIEWER_DATA_DIR")):
        assert failed.returncode == 2, failed.stderr
        lines = _lines(failed.stderr)
        assert len(lines) == 1 and "Traceback" not in failed.stderr, failed.stderr
        assert str(folder) in lines[0] and "cannot be written" in lines[0] and hint in lines[0]
    assert "Round " not in practice.stdout  # refused before the round began, not after the answers


def test_a_file_where_the_data_folder_should_be_is_one_line(tmp_path):
    blocker = tmp_path / "blocker"
    blocker.write_text("not a folder", encoding="utf-8")
    data = blocker / "data"
    env = _env(data)
    practice = _scripted(tmp_path, env)
    history = subprocess.run([EXE, "history"], env=env, capture_output=True, text=True, timeout=120)
    for done in (practice, history):
        assert done.returncode == 2, done.stderr
        lines = _lines(done.stderr)
        assert len(lines) == 1 and "Traceback" not in done.stderr, done.stderr
        assert str(data) in lines[0] and "INTERVIEWER_DATA_DIR" in lines[0]
    assert blocker.read_text(encoding="utf-8") == "not a folder"


def test_a_database_named_in_a_read_only_folder_names_that_folder(tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    with read_only_folder(elsewhere):
        done = _scripted(tmp_path, _env(tmp_path / "data"), "--db", f"sqlite:///{elsewhere / 'r.sqlite3'}")
    assert done.returncode == 2, done.stderr
    (line,) = _lines(done.stderr)
    assert str(elsewhere) in line and "--db" in line and "Traceback" not in done.stderr


# -- owner-only files ------------------------------------------------------------


def test_what_a_round_creates_is_owner_only_whatever_the_umask(tmp_path):
    data = tmp_path / "fresh" / "data"
    done = _scripted(tmp_path, _env(data), umask=0o002)
    assert done.returncode == 0, done.stderr
    (report,) = (data / "reports").iterdir()
    for folder in (tmp_path / "fresh", data, data / "logs", data / "reports"):
        assert _mode(folder) == 0o700, folder
    for file in (data / "interviewer.sqlite3", data / "logs" / "interviewer.log", report):
        assert _mode(file) == 0o600, file


def test_sqlite_side_files_follow_the_database_file(tmp_path):
    previous = os.umask(0o002)
    try:
        store = Store(f"sqlite:///{tmp_path / 'db' / 'r.sqlite3'}")
        store.start_round(meta("wal00001"))
        wal = tmp_path / "db" / "r.sqlite3-wal"
        assert wal.exists() and _mode(wal) == 0o600
        assert _mode(tmp_path / "db" / "r.sqlite3-shm") == 0o600
        store.close()
    finally:
        os.umask(previous)


def test_existing_files_and_folders_keep_their_modes(tmp_path):
    data = tmp_path / "data"
    (data / "logs").mkdir(parents=True)
    data.chmod(0o755)
    log = data / "logs" / "interviewer.log"
    log.write_text("", encoding="utf-8")
    log.chmod(0o644)
    db = tmp_path / "mine.sqlite3"
    Store(f"sqlite:///{db}").close()
    db.chmod(0o640)
    done = _scripted(tmp_path, _env(data), "--db", f"sqlite:///{db}", umask=0o022)
    assert done.returncode == 0, done.stderr
    assert _mode(data) == 0o755 and _mode(log) == 0o644 and _mode(db) == 0o640
    assert _mode(data / "reports") == 0o700  # made by this round: owner-only


# -- report retention ------------------------------------------------------------


def _reports(folder: Path, names: list[str], *, start: float, step: float = 60.0) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    made = []
    for i, name in enumerate(names):
        path = folder / name
        path.write_text(name, encoding="utf-8")
        os.utime(path, (start + i * step, start + i * step))
        made.append(path)
    return made


def test_prune_keeps_the_newest_reports_and_only_touches_reports(tmp_path):
    old = _reports(tmp_path, [f"round-r{i}.html" for i in range(5)], start=1_000_000.0)
    other = _reports(tmp_path, ["notes.txt", "round-r9.html.bak", "my-round.html"], start=1.0)
    removed = prune_reports(tmp_path, Retention(keep=2))
    assert sorted(removed) == sorted(old[:3])
    assert all(p.exists() for p in old[3:] + other)


def test_prune_by_age_never_removes_the_report_just_written(tmp_path):
    now = 10_000_000.0
    day = 86400.0
    reports = _reports(tmp_path, ["round-a.md", "round-b.json", "round-c.html"], start=now - 10 * day, step=4 * day)
    removed = prune_reports(tmp_path, Retention(keep=None, max_days=5), keep=reports[0], now=now)
    assert removed == [reports[1]]  # 6 days old; the 10-day-old one is the current report, the 2-day-old is young
    assert prune_reports(tmp_path, Retention(keep=None, max_days=None)) == []


@pytest.mark.parametrize(("env", "expected"), [
    ({}, Retention(keep=50, max_days=None)),
    ({KEEP_REPORTS_ENV: "3", KEEP_DAYS_ENV: "7.5"}, Retention(keep=3, max_days=7.5)),
    ({KEEP_REPORTS_ENV: "0", KEEP_DAYS_ENV: "0"}, Retention(keep=None, max_days=None)),
])
def test_retention_from_the_environment(env, expected):
    assert Settings.from_env(env).retention == expected


@pytest.mark.parametrize(("name", "value"), [
    (KEEP_REPORTS_ENV, "lots"), (KEEP_REPORTS_ENV, "-1"), (KEEP_REPORTS_ENV, "2.5"),
    (KEEP_DAYS_ENV, "week"), (KEEP_DAYS_ENV, "-3"), (KEEP_DAYS_ENV, "nan"),
])
def test_a_bad_retention_value_names_its_variable(name, value):
    with pytest.raises(SettingsError) as err:
        Settings.from_env({name: value})
    assert str(err.value).startswith(f"{name}:") and repr(value) in str(err.value)


def test_a_round_prunes_the_reports_folder_after_writing_its_report(tmp_path):
    data = tmp_path / "data"
    old = _reports(data / "reports", [f"round-old{i}.html" for i in range(3)], start=time.time() - 3600)
    keep_me = _reports(data / "reports", ["not-a-report.html"], start=1.0)
    done = _scripted(tmp_path, _env(data, INTERVIEWER_KEEP_REPORTS="2"))
    assert done.returncode == 0, done.stderr
    current = Path(done.stdout.rsplit("report: ", 1)[1].strip())
    left = sorted(p.name for p in (data / "reports").iterdir())
    assert left == sorted([current.name, old[2].name, keep_me[0].name])


def test_a_bad_retention_variable_stops_the_round_before_it_starts(tmp_path):
    data = tmp_path / "data"
    done = _scripted(tmp_path, _env(data, INTERVIEWER_KEEP_REPORT_DAYS="soon"))
    assert done.returncode == 2
    (line,) = _lines(done.stderr)
    assert KEEP_DAYS_ENV in line and "Traceback" not in done.stderr
    assert "Round " not in done.stdout


def test_retention_counts_per_owner_on_a_worker_that_serves_many_browsers(tmp_path):
    """One busy browser's rounds never push out another browser's reports, nor the CLI user's."""
    from agent.interview.scorecard import build_scorecard
    from agent.session import ReportOutputs, write_round_report
    from agent.store.owners import web_owner
    from tests.fakes.rounds import questions

    def scorecard_for(round_id: str):  # noqa: ANN202
        return build_scorecard(meta(round_id), full_round(round_id), questions("q-one", "q-two"), completed=True)

    busy, quiet = web_owner("busy-browser"), web_owner("quiet-browser")
    keep = ReportOutputs(tmp_path / "data", Retention(keep=2))
    local = write_round_report(scorecard_for("local0001"), keep, "md")
    mine = write_round_report(scorecard_for("quiet0001"), keep, "md", owner=quiet)
    theirs = []
    for i in range(5):
        theirs.append(write_round_report(scorecard_for(f"busy{i:04d}"), keep, "md", owner=busy))
        os.utime(theirs[-1], (1_000_000.0 + i, 1_000_000.0 + i))  # written in this order, a second apart
    reports = tmp_path / "data" / "reports"
    assert local.parent == reports and mine.parent != theirs[0].parent
    assert local.exists() and mine.exists()  # five rounds by someone else removed neither
    assert sorted(p.name for p in theirs[0].parent.iterdir()) == sorted(p.name for p in theirs[-2:])
    assert _mode(mine.parent) == 0o700 and busy.split(":")[1] not in str(local)
