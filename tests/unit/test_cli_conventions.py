"""Everyday command-line conventions: a quiet console, options where people type them, pipes that close."""

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit

EXE = str(Path(sys.executable).with_name("interviewer"))
ANSWER = "I would track uptime, adoption rate and the number of integrations."


def _env(tmp_path):
    return dict(os.environ, INTERVIEWER_DATA_DIR=str(tmp_path / "data"))


def _answers(tmp_path, *texts):
    path = tmp_path / "answers.txt"
    path.write_text("\n\n".join(texts) + "\n", encoding="utf-8")
    return str(path)


def test_version_and_global_options_after_the_subcommand(tmp_path):
    version = subprocess.run([EXE, "--version"], capture_output=True, text=True, timeout=60)
    assert version.returncode == 0 and version.stdout.startswith("interviewer ")
    db = tmp_path / "after.sqlite3"
    proc = subprocess.run([EXE, "practice", "--text", "--question-ids", "platform-success-metrics",
                           "--answers-file", _answers(tmp_path, ANSWER), "--db", f"sqlite:///{db}", "-v"],
                          capture_output=True, text=True, env=_env(tmp_path), timeout=120)
    assert proc.returncode == 0, proc.stderr
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM rounds").fetchone() == (1,)


def test_a_text_round_keeps_the_console_for_the_conversation(tmp_path):
    env = _env(tmp_path)
    proc = subprocess.run([EXE, "--db", f"sqlite:///{tmp_path / 'r.sqlite3'}", "practice", "--text",
                           "--question-ids", "platform-success-metrics", "--answers-file", _answers(tmp_path, ANSWER)],
                          capture_output=True, text=True, env=env, timeout=120)
    assert proc.returncode == 0, proc.stderr
    for line in (proc.stdout + proc.stderr).splitlines():
        assert not line.lstrip().startswith("{"), line
    log_file = tmp_path / "data" / "logs" / "interviewer.log"
    assert f"logs: {log_file}" in proc.stderr  # said once, when the file is new
    events = [json.loads(line)["event"] for line in log_file.read_text(encoding="utf-8").splitlines()]
    assert "turn" in events and "round_finished" in events
    again = subprocess.run([EXE, "--db", f"sqlite:///{tmp_path / 'r.sqlite3'}", "history"], capture_output=True,
                           text=True, env=env, timeout=120)
    assert "logs:" not in again.stderr


def test_output_piped_into_a_reader_that_stops_early_ends_cleanly(tmp_path):
    env = dict(_env(tmp_path), PYTHONUNBUFFERED="1")
    db = f"sqlite:///{tmp_path / 'r.sqlite3'}"
    proc = subprocess.Popen([EXE, "--db", db, "practice", "--text", "--question-ids", "platform-success-metrics"],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    while "interviewer (question)" not in proc.stdout.readline():
        pass
    proc.stdout.close()  # the reader (`| head`) has what it wanted and goes away
    _, err = proc.communicate(ANSWER + "\n\n", timeout=120)
    assert proc.returncode == 141 and "Traceback" not in err, err
    with sqlite3.connect(tmp_path / "r.sqlite3") as conn:
        assert conn.execute("SELECT status FROM rounds").fetchone() == ("interrupted",)
    history = subprocess.Popen([EXE, "--db", db, "history", "--json"], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, env=env)
    history.stdout.close()
    err = history.stderr.read()
    assert history.wait(timeout=120) == 141 and "Traceback" not in err, err
