"""``interviewer report`` and ``interviewer history`` through their registered parsers and handlers.

The commands are driven through a parser built exactly as ``agent.cli`` builds
it (global ``--db``, then the subcommand's ``register``), so these tests do not
depend on the other subcommands being importable. The bank is replaced by the
small fake questions.
"""

import argparse
import json
import os
from pathlib import Path
from types import SimpleNamespace

import pytest

from agent.cli import UsageError
from agent.commands import history as history_cmd
from agent.commands import report as report_cmd
from agent.settings import Settings
from agent.store import Store
from tests.fakes.rounds import CANDIDATE_QUOTE, full_round, meta, questions

pytestmark = pytest.mark.unit

QS = questions("q-one", "q-two")


def parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="interviewer")
    parser.add_argument("--db")
    sub = parser.add_subparsers(dest="command", required=True)
    report_cmd.register(sub)
    history_cmd.register(sub)
    return parser.parse_args(argv)


@pytest.fixture
def db(tmp_path, monkeypatch):
    monkeypatch.setenv("INTERVIEWER_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setattr(report_cmd, "load_content", lambda _settings: SimpleNamespace(questions=QS))
    monkeypatch.setattr(history_cmd, "_questions", lambda _settings: QS)
    url = f"sqlite:///{tmp_path / 'rounds.sqlite3'}"
    with Store(url) as store:
        for n, rid in enumerate(("abc123000001", "abd456000002", "abd789000003")):
            store.start_round(meta(rid, started_at=f"2025-03-0{n + 1}T10:00:00+00:00"))
            for turn in full_round(rid, strong=n > 0):
                store.add_turn(turn)
            if n < 2:
                store.finish_round(rid, status="completed", overall_score=[2.5, 4.5][n])
    return url


def run(*argv: str) -> int:
    args = parse(*argv)
    settings = Settings.from_env(os.environ).with_database(args.db)  # as agent.cli.main builds them
    return int(args.handler(args, settings))


def test_report_writes_html_to_the_reports_folder(db, tmp_path, capsys):
    assert run("--db", db, "report", "abc") == 0
    path = Path(capsys.readouterr().out.strip())
    assert path == tmp_path / "data" / "reports" / "round-abc123000001.html"
    page = path.read_text(encoding="utf-8")
    assert 'id="chart-delivery"' in page and "Round ended early" not in page


def test_report_markdown_to_stdout(db, capsys):
    assert run("--db", db, "report", "abd789000003", "--format", "md", "--out", "-") == 0
    out = capsys.readouterr().out
    assert f'> "{CANDIDATE_QUOTE}"' in out
    assert "Round ended early: partial report" in out  # the third round never finished
    assert "### Compared with round abd456000002" in out


def test_report_json_to_stdout_and_format_from_suffix(db, tmp_path, capsys):
    assert run("--db", db, "report", "abd4", "--out", "-") == 0
    card = json.loads(capsys.readouterr().out)
    assert card["round_id"] == "abd456000002" and card["completed"] is True
    assert card["questions"][1]["comparison"]["previous_round_id"] == "abc123000001"
    target = tmp_path / "out" / "r.md"
    assert run("--db", db, "report", "abd4", "--out", str(target)) == 0
    assert capsys.readouterr().out.strip() == str(target)
    assert target.read_text(encoding="utf-8").startswith("# Mock interview report: round abd456000002")


def test_report_unknown_and_ambiguous_ids_are_usage_errors(db):
    with pytest.raises(UsageError) as err:
        run("--db", db, "report", "zzz")
    assert str(err.value) == ("no round with id 'zzz'; most recent: abd789000003, abd456000002, abc123000001")
    with pytest.raises(UsageError, match="matches several rounds"):
        run("--db", db, "report", "abd")


def test_report_out_is_a_directory(db, tmp_path):
    with pytest.raises(UsageError, match="is a directory"):
        run("--db", db, "report", "abc", "--out", str(tmp_path))


def test_history_json(db, capsys):
    assert run("--db", db, "history", "--json") == 0
    data = json.loads(capsys.readouterr().out)
    ids = [r["round_id"] for r in data["rounds"]]
    assert ids == ["abd789000003", "abd456000002", "abc123000001"]
    running = data["rounds"][0]
    assert running["status"] == "running" and running["partial"] is True
    assert running["score"] == 4.5 and running["overall_score"] is None  # provisional, rebuilt from turns
    assert data["trend"]["scores"] == [2.5, 4.5, 4.5] and data["trend"]["last_avg"] == 3.83
    assert data["trend"]["change"] is None


def test_history_table_and_trend(db, capsys):
    assert run("--db", db, "history", "--limit", "2") == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].split() == ["ID", "DATE", "PERSONA", "QUESTIONS", "SCORE", "STATUS"]
    assert out[1].split() == ["abd789000003", "2025-03-03", "10:00", "fake-persona", "2/2", "4.5*", "running"]
    assert len([line for line in out if line.startswith("ab")]) == 2
    assert out[-1].startswith("Trend ▄▇▇  average 3.83 over 3 scored rounds")


def test_history_trend_compares_windows():
    from agent.report.history import trend_of

    trend = trend_of([5, 5, 4, 4, 4, 2, 2, 3, 3, 2, 1])  # newest first
    assert trend.last_avg == 4.4 and trend.previous_avg == 2.4 and trend.change == 2.0
    assert trend.sparkline == "▁▃▅▅▃▃▆▆▆██"
    assert history_cmd.format_trend(trend).endswith("last 5 average 4.4 vs previous 5 2.4 (+2.0)")


def test_history_of_an_empty_database(tmp_path, capsys):
    assert run("--db", f"sqlite:///{tmp_path / 'empty.sqlite3'}", "history") == 0
    out = capsys.readouterr().out
    assert "No rounds yet" in out and "Trend: no scored rounds yet." in out


def test_history_limit_must_be_positive(db):
    with pytest.raises(UsageError, match="--limit"):
        run("--db", db, "history", "--limit", "0")


def test_schema_mismatch_is_a_usage_error(tmp_path):
    import sqlite3

    path = tmp_path / "v3.sqlite3"
    Store(f"sqlite:///{path}").close()
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE meta SET schema_version = 3")
    with pytest.raises(UsageError, match="has schema version 3"):
        run("--db", f"sqlite:///{path}", "history")
