"""Crash safety for real: a writer process killed with SIGKILL leaves a usable, partial round."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from agent.interview.scorecard import load_scorecard
from agent.report.files import render
from agent.store import Store
from tests.fakes.rounds import CANDIDATE_QUOTE, questions

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[2]

# Stores turns one by one; after three it waits, as a live round waits for the candidate's next answer.
WRITER = """
import sys, time
from agent.store import Store
from tests.fakes.rounds import full_round, meta
store = Store(sys.argv[1])
store.start_round(meta("crashed01"))
for i, turn in enumerate(full_round("crashed01")):
    if i == 3:
        print("stored 3", flush=True)
        time.sleep(120)
    store.add_turn(turn)
"""

# Writes turns as fast as it can until it is killed, to catch a kill in the middle of a commit.
FLOOD = """
import sys
from agent.interview.records import Speaker, TurnRecord
from agent.store import Store
from tests.fakes.rounds import meta
store = Store(sys.argv[1])
store.start_round(meta("flood0001"))
print("started", flush=True)
for seq in range(1_000_000):
    store.add_turn(TurnRecord(round_id="flood0001", seq=seq, t=seq * 0.5, speaker=Speaker.CANDIDATE,
                              kind="answer", text="x" * 500, phase="question", question_id="q-one"))
"""


def _spawn(code: str, url: str) -> subprocess.Popen:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.Popen([sys.executable, "-c", code, url], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _kill(proc: subprocess.Popen) -> None:
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)
    assert proc.returncode == -signal.SIGKILL


def test_killed_round_gives_a_partial_report(tmp_path):
    url = f"sqlite:///{tmp_path / 'rounds.sqlite3'}"
    proc = _spawn(WRITER, url)
    try:
        line = proc.stdout.readline()
        assert line.strip() == "stored 3", proc.stderr.read()
        with Store(url) as store:
            assert store.round_status("crashed01") == "running"  # its writer is alive and mid-round
    finally:
        _kill(proc)

    with Store(url) as store:
        _, status, turns = store.get_round("crashed01")
        assert status == "interrupted"  # still "running" on disk, but the process writing it is gone
        assert [s.status for s in store.list_rounds()] == ["interrupted"]
        assert [t.seq for t in turns] == [0, 1, 2]
        card = load_scorecard(store, questions("q-one", "q-two"), "crashed01")
    assert card.completed is False
    assert card.questions[0].score == 2 and card.questions[0].follow_ups[0].answer is None
    html = render(card, "html")
    assert "Round ended early: partial report" in html
    assert 'id="chart-scores"' in html
    md = render(card, "md")
    assert "Round ended early: partial report" in md and CANDIDATE_QUOTE in md


def test_kill_during_a_flood_of_commits_leaves_a_clean_prefix(tmp_path):
    url = f"sqlite:///{tmp_path / 'flood.sqlite3'}"
    proc = _spawn(FLOOD, url)
    try:
        assert proc.stdout.readline().strip() == "started", proc.stderr.read()
        time.sleep(0.6)
    finally:
        _kill(proc)
    with Store(url) as store:
        _, _, turns = store.get_round("flood0001")
    assert len(turns) > 5  # it really was writing when it died
    assert [t.seq for t in turns] == list(range(len(turns)))
    assert all(t.text == "x" * 500 for t in turns)
