"""The text path through the real console script: scripted rounds, loops, logs and the assess contract."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit

EXE = str(Path(sys.executable).with_name("interviewer"))
WEAK = "I would track uptime, adoption rate and the number of integrations."
SECRET = "my marmalade-flavoured zeppelin platform"  # a phrase no log line should ever contain
STRONG_BREAK = (
    "First I'd work out what kind of change it is: additive, a behaviour change, or truly breaking. For a real break "
    "I'd use the API analytics to find every caller and their usage, reach out personally to the biggest "
    "integrators, ship migration tooling and not just docs, keep both versions running with the old one in "
    "maintenance, and only set a sunset date once migration is confirmed."
)

STRONG_METRICS = (
    "I'd start from the job the platform does for the consuming teams, because they only come to us to ship "
    "faster. So the time to integrate for a new team, for example from three weeks down to two days, and the share "
    "of their eligible use cases migrated onto us, since a team that moved one of ten has not really adopted it. "
    "Uptime I'd treat as a floor, not the goal."
)


def run(tmp_path, *args, check=True):
    env = dict(os.environ, INTERVIEWER_DATA_DIR=str(tmp_path / "data"))
    proc = subprocess.run([EXE, "--db", f"sqlite:///{tmp_path / 'rounds.sqlite3'}", *args],
                          capture_output=True, text=True, env=env, timeout=120)
    if check and proc.returncode != 0:
        raise AssertionError(f"exit {proc.returncode}: {proc.stderr}")
    return proc


def script(tmp_path, *answers):
    path = tmp_path / "answers.txt"
    path.write_text("\n\n".join(answers) + "\n", encoding="utf-8")
    return str(path)


def test_scripted_text_round_end_to_end(tmp_path):
    answers = script(tmp_path, f"{WEAK} It is {SECRET}.", "I don't know, honestly.", STRONG_BREAK,
                     "Could you tell me how the team is organised?", "No, that's all.")
    proc = run(tmp_path, "practice", "--text", "--persona", "platform-lead",
               "--question-ids", "platform-success-metrics,api-breaking-change", "--answers-file", answers)
    out = proc.stdout
    assert "interviewer (opening)" in out and "interviewer (probe)" in out
    assert "interviewer (wrap_up)" in out
    last = out.strip().splitlines()[-1]
    assert last.startswith("round ") and "report: " in last
    report = Path(last.split("report: ", 1)[1])
    assert report.exists() and "plotly" in report.read_text(encoding="utf-8").lower()
    assert SECRET not in proc.stderr  # candidate speech is not logged by default


def test_candidate_text_reaches_logs_only_when_asked(tmp_path):
    answers = script(tmp_path, f"{WEAK} It is {SECRET}.")
    quiet = run(tmp_path, "--log-format", "json", "practice", "--text", "--question-ids",
                "platform-success-metrics", "--answers-file", answers)
    assert '"event": "turn"' in quiet.stderr and SECRET not in quiet.stderr
    loud = run(tmp_path, "--log-pii", "practice", "--text", "--question-ids", "platform-success-metrics",
               "--answers-file", answers, "--log-format", "json")
    assert SECRET in loud.stderr
    log_file = tmp_path / "data" / "logs" / "interviewer.log"
    run(tmp_path, "practice", "--text", "--question-ids", "platform-success-metrics", "--answers-file", answers)
    assert SECRET not in log_file.read_text(encoding="utf-8")  # the default log file keeps it out too


def test_loop_returns_to_the_weakest_question_and_compares(tmp_path):
    first = script(tmp_path, "Version it and give six months notice.", "We'd put a line in the changelog.",
                   "I'm not sure, honestly.", STRONG_METRICS, "No, that's all.", "No, that's all.")
    run(tmp_path, "practice", "--text", "--question-ids", "api-breaking-change,platform-success-metrics",
        "--answers-file", first)
    again = script(tmp_path, STRONG_BREAK)
    proc = run(tmp_path, "practice", "--text", "--loop", "--questions", "1", "--answers-file", again)
    assert "interviewer (question)" in proc.stdout
    rid = proc.stdout.strip().splitlines()[-1].split()[1]
    js = run(tmp_path, "report", rid, "--format", "json", "--out", "-").stdout
    card = json.loads(js)
    q = card["questions"][0]
    assert q["question_id"] == "api-breaking-change"
    assert q["comparison"] is not None and q["comparison"]["previous_score"] < q["score"]


def test_assess_contract(tmp_path):
    proc = run(tmp_path, "assess", "--question", "platform-success-metrics", "--answer", WEAK, "--json")
    data = json.loads(proc.stdout)
    assert set(data) == {"question", "score", "signals", "next"}
    assert isinstance(data["score"], int) and 1 <= data["score"] <= 5
    for s in data["signals"]:
        assert s["polarity"] in ("strong", "weak")
        extra = {"level", "term", "support"} if s["polarity"] == "strong" else set()
        assert set(s) == {"id", "polarity", "evidence", "stance"} | extra
        assert s["stance"] in ("endorsed", "rejected", "questioned")
        assert s["evidence"] in WEAK
    assert data["next"]["action"] in ("probe", "advance", "wrap_up")
    assert data["next"]["action"] == "probe" and data["next"]["probe_id"] and data["next"]["text"]


@pytest.mark.parametrize("args,needle", [
    (["--question", "platform-succes-metrics", "--answer", "x"], "platform-success-metrics"),
    (["--question", "platform-success-metrics", "--answer", "   "], "empty"),
    (["--question", "platform-success-metrics", "--answer-file", "/nonexistent/a.txt"], "/nonexistent/a.txt"),
])
def test_assess_bad_input_is_one_line_exit_2(tmp_path, args, needle):
    proc = run(tmp_path, "assess", *args, "--json", check=False)
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and needle in lines[0]


def test_assess_refuses_an_answer_above_the_cap_in_one_line(tmp_path):
    big = tmp_path / "transcript.txt"
    big.write_text("uptime and adoption " * 6_000, encoding="utf-8")  # 120,000 characters
    proc = run(tmp_path, "assess", "--question", "platform-success-metrics", "--answer-file", str(big), check=False)
    lines = proc.stderr.strip().splitlines()
    assert proc.returncode == 2 and len(lines) == 1
    assert "--answer-file" in lines[0] and "120,000 characters" in lines[0] and "at most 100,000" in lines[0]


NAMED_METRICS = "I would look at the consuming teams, the time to integrate and developer NPS."


def test_redo_asks_one_question_again_and_reports_what_changed(tmp_path):
    run(tmp_path, "practice", "--text", "--question-ids", "platform-success-metrics", "--answers-file",
        script(tmp_path, NAMED_METRICS, "No, that's all.", "No, that's all.", "No, that's all."))
    proc = run(tmp_path, "practice", "--text", "--redo", "last", "--answers-file",
               script(tmp_path, STRONG_METRICS, "No, that's all.", "No, that's all."))
    assert "1 questions" not in proc.stdout and ", 1 question" in proc.stdout
    rid = proc.stdout.strip().splitlines()[-1].split()[1]
    card = json.loads(run(tmp_path, "report", rid, "--format", "json", "--out", "-").stdout)
    (q,) = card["questions"]
    c = q["comparison"]
    assert q["question_id"] == "platform-success-metrics" and c is not None
    assert c["previous_score"] < q["score"]
    assert {"job-to-be-done", "time-to-integrate"} <= set(c["improved"])  # named before, explained now
    md = run(tmp_path, "report", rid, "--format", "md", "--out", "-").stdout
    assert "Newly explained:" in md and "Still missing:" in md


@pytest.mark.parametrize("redo,needle", [("platform-succes-metrics", "platform-success-metrics"),
                                          ("last", "no earlier round")])
def test_redo_of_an_unknown_question_or_with_no_history_is_one_line(tmp_path, redo, needle):
    proc = run(tmp_path, "practice", "--text", "--redo", redo, "--answers-file", script(tmp_path, "x"),
               check=False)
    lines = proc.stderr.strip().splitlines()
    assert proc.returncode == 2 and len(lines) == 1 and needle in lines[0]


def test_a_machine_without_a_sound_card_gets_one_line_and_exit_1(monkeypatch, capsys):
    import argparse

    import agent.voice.live as live
    from agent.commands.practice import run_microphone
    from agent.settings import Settings

    def no_devices_fake():
        raise live.NoAudioDevice("no microphone or speaker found (fake)")

    monkeypatch.setattr(live, "check_audio_devices", no_devices_fake)
    assert run_microphone(argparse.Namespace(), Settings.from_env({}), None) == 1  # no bank needed: no device
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("interviewer practice: cannot use a microphone here")
    assert "--text" in err[0]


BUZZWORD_SALAD = ("We'd leverage a holistic, data-driven framework: time to integrate, developer satisfaction, depth "
                  "of adoption and hours saved, all in one seamless dashboard, because that's best-in-class and it "
                  "really moves the needle for the ecosystem.")


def test_a_round_of_buzzword_salad_is_told_named_not_explained_in_its_own_words(tmp_path):
    proc = run(tmp_path, "practice", "--text", "--question-ids", "platform-success-metrics", "--answers-file",
               script(tmp_path, BUZZWORD_SALAD, "No, that's all.", "No, that's all.", "No, that's all."))
    assert "did not say why it matters or how it would work" in proc.stdout  # the spoken wrap-up says so too
    rid = proc.stdout.strip().splitlines()[-1].split()[1]
    card = json.loads(run(tmp_path, "report", rid, "--format", "json", "--out", "-").stdout)
    (q,) = card["questions"]
    assert q["score"] <= 2
    assert not q["hit"]  # nothing counts as explained
    assert {"time-to-integrate", "adoption-depth", "hours-saved"} <= {s["id"] for s in q["named"]}
    assert all(s["evidence"] in BUZZWORD_SALAD and len(s["evidence"].split()) >= 3 for s in q["named"])
    md = run(tmp_path, "report", rid, "--format", "md", "--out", "-").stdout
    assert "### Named, not explained" in md and "### Explained" not in md
