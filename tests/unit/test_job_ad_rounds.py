"""A job ad through every front end: `practice --job-ad`, the spoken round, and the page's POST to the worker."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient, TestServer
from livekit.agents import AgentSession

from agent.content.loader import load_bank
from agent.interview.limits import MAX_AD_CHARS
from agent.session import RoundRequest, start_round
from agent.store import Store
from agent.voice.bridge import InterviewerAgent
from agent.voice.conductor import RoundConductor
from agent.voice.policy_llm import PolicyLLM
from agent.voice.room_protocol import parse_metadata
from agent.web.app import MAX_BODY_BYTES, create_app
from tests.fakes.job_ads import INTERNAL_AD, PLATFORM_AD
from tests.fakes.web import FakePages, FakeRoomOpener, make_settings

pytestmark = pytest.mark.unit

REPO = Path(__file__).resolve().parents[2]
BANK = load_bank()
# this checkout's CLI, whichever package the console script on PATH would import
CLI = [sys.executable, "-c", "import sys; from agent.cli import main; sys.exit(main())"]


def run(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, INTERVIEWER_DATA_DIR=str(tmp_path / "data"), PYTHONPATH=str(REPO))
    return subprocess.run([*CLI, "--db", f"sqlite:///{tmp_path / 'rounds.sqlite3'}", *args], cwd=REPO,
                          capture_output=True, text=True, env=env, timeout=120)


def ad_file(tmp_path: Path, text: str | bytes, name: str = "ad.txt") -> str:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return str(path)


def scripted_round(tmp_path: Path, ad: str) -> list[str]:
    tmp_path.mkdir(parents=True, exist_ok=True)
    answers = tmp_path / "answers.txt"
    answers.write_text("I don't know.\n\nI don't know.\n\nI don't know.\n\nNo, that's all.\n", encoding="utf-8")
    proc = run(tmp_path, "practice", "--text", "--persona", "platform-lead", "--answers-file", str(answers),
               "--job-ad", ad_file(tmp_path, ad))
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.splitlines()


def asked(lines: list[str]) -> list[str]:
    return [line.split("> ", 1)[1] for line in lines if "interviewer (question)>" in line]


def test_a_text_round_says_which_parts_of_the_ad_led_to_which_questions(tmp_path: Path) -> None:
    lines = scripted_round(tmp_path, INTERNAL_AD)
    out = "\n".join(lines)
    assert "Fitted to the job ad" in out
    assert '1. the one-off feature request: "You will balance competing requests from stakeholders' in out
    said = next(i for i, line in enumerate(lines) if "interviewer (job_ad)>" in line)
    first_question = next(i for i, line in enumerate(lines) if "interviewer (question)>" in line)
    assert said < first_question
    assert "competing requests from stakeholders" in lines[said] and "internal platform track" in lines[said]
    prompts = asked(lines)
    one_off = BANK.questions["internal-one-off-request"].prompt.split()[:6]
    assert " ".join(one_off) in prompts[0]
    report = Path(lines[-1].split("report: ", 1)[1]).read_text(encoding="utf-8")
    assert "Fitted to a job ad" in report and "competing requests from stakeholders" in report


def test_a_different_ad_changes_the_questions(tmp_path: Path) -> None:
    internal = asked(scripted_round(tmp_path / "a", INTERNAL_AD))
    platform = asked(scripted_round(tmp_path / "b", PLATFORM_AD))
    assert internal[0] != platform[0]


def test_an_ad_that_matches_nothing_is_said_to_match_nothing(tmp_path: Path) -> None:
    lines = scripted_round(tmp_path, "Free lunches and a friendly dog.")
    assert any("nothing in it matched the rules" in line for line in lines)
    said = [line for line in lines if "interviewer (job_ad)>" in line]
    assert len(said) == 1 and BANK.job_ad.lines.no_match in said[0]


@pytest.mark.parametrize(("content", "needle"), [
    ("", "is empty"),
    (b"\x7fELF\x00\x00binary", "looks like a binary file"),
    (b"caf\xe9 au lait", "is not UTF-8 text"),
    ("x" * (MAX_AD_CHARS + 1), f"at most {MAX_AD_CHARS:,}"),
    ("\u00e9" * (MAX_AD_CHARS * 2 + 1), "too long"),
])
def test_a_file_that_cannot_be_an_ad_is_one_line_naming_it_exit_2(tmp_path: Path, content, needle: str) -> None:
    path = ad_file(tmp_path, content)
    proc = run(tmp_path, "practice", "--text", "--job-ad", path)
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and path in lines[0] and needle in lines[0] and "--job-ad" in lines[0], lines


def test_a_missing_ad_or_clashing_options_are_one_line(tmp_path: Path) -> None:
    missing = run(tmp_path, "practice", "--text", "--job-ad", str(tmp_path / "nope.txt"))
    assert missing.returncode == 2 and "nope.txt" in missing.stderr and len(missing.stderr.splitlines()) == 1
    clash = run(tmp_path, "practice", "--text", "--job-ad", ad_file(tmp_path, INTERNAL_AD),
                "--question-ids", "explain-api")
    assert clash.returncode == 2 and "leave out --question-ids" in clash.stderr


async def test_a_spoken_round_speaks_the_reasons_before_the_first_question(tmp_path: Path) -> None:
    from agent.interview.job_ad import plan_for_ad

    persona = BANK.personas["platform-lead"]
    plan = plan_for_ad(INTERNAL_AD, BANK.job_ad, BANK.questions, persona, count=3)
    store = Store(f"sqlite:///{tmp_path / 'rounds.db'}")
    try:
        request = RoundRequest(persona_id=persona.id, track=plan.track, question_ids=plan.question_ids,
                               mode="simulate", job_ad=plan.fit)
        conductor = RoundConductor(start_round(BANK, store, request, clock=time.monotonic))
        async with AgentSession(llm=PolicyLLM(conductor=conductor), vad=None) as session:
            await session.start(InterviewerAgent(conductor=conductor))
            result = await session.run(user_input="I don't know.")
            result.expect.contains_message(role="assistant")
            spoken = [i.text_content or "" for i in session.history.items
                      if i.type == "message" and i.role == "assistant"]
        assert conductor.turns[0].action == "opening+job_ad+question"
        assert any("competing requests from stakeholders" in text for text in spoken), spoken
        await conductor.aclose()
        meta, _status, _turns = store.get_round(conductor.logged.round.meta.round_id)
        assert meta.job_ad == plan.fit
    finally:
        store.close()


async def test_the_page_sends_the_worker_only_question_ids_and_reasons(tmp_path: Path) -> None:
    pages, rooms = FakePages(), FakeRoomOpener()
    app = create_app(make_settings(), bank=BANK, round_page=pages.round_page,
                     history_page=pages.history_page, dist_dir=tmp_path, room_opener=rooms)
    body = {"persona": "platform-lead", "minutes": 20, "job_ad": INTERNAL_AD + " " * 50}
    async with TestClient(TestServer(app)) as c:
        response = await c.post("/api/session", json=body)
        assert response.status == 200, await response.text()
        grant = await response.json()
        too_long = await c.post("/api/session", json=body | {"job_ad": "x" * (MAX_AD_CHARS + 1)})
        too_long_body = await too_long.json()
        kept_track = await (await c.post("/api/session", json=body | {"track": "external-api"})).json()
        blank = await (await c.post("/api/session", json=body | {"job_ad": "   "})).json()
    metadata = rooms.opened[grant["room"]].agents[0].metadata
    sent = json.loads(metadata)
    assert INTERNAL_AD[:40] not in metadata  # the ad itself stays in the web app
    assert sent["track"] == "internal-platform"
    assert sent["questions"][:2] == ["internal-one-off-request", "platform-success-metrics"]
    reasons = {r["question"]: r["quotes"] for r in sent["fit"]["reasons"]}
    assert any("competing requests from stakeholders" in q for q in reasons["internal-one-off-request"])
    job = parse_metadata(metadata, BANK)  # the worker accepts what the app sent
    assert job.choice.questions == tuple(sent["questions"]) and job.choice.fit is not None
    assert too_long.status == 400 and too_long_body["field"] == "job_ad"
    kept = rooms.metadata(kept_track["room"])
    assert kept["track"] == "external-api" and "fit" in kept
    plain = rooms.metadata(blank["room"])
    assert "fit" not in plain and "questions" not in plain


async def test_the_body_limit_fits_an_ad_of_the_largest_size(tmp_path: Path) -> None:
    ad = ("Our partners build on our SDK.\u2028\x01 " * (MAX_AD_CHARS // 36))[:MAX_AD_CHARS]
    encoded = json.dumps({"persona": "platform-lead", "minutes": 20, "job_ad": ad}).encode()
    assert len(encoded) <= MAX_BODY_BYTES
    pages, rooms = FakePages(), FakeRoomOpener()
    app = create_app(make_settings(), bank=BANK, round_page=pages.round_page,
                     history_page=pages.history_page, dist_dir=tmp_path, room_opener=rooms)
    async with TestClient(TestServer(app)) as c:
        response = await c.post("/api/session", data=encoded, headers={"Content-Type": "application/json"})
        assert response.status == 200, await response.text()
        room = (await response.json())["room"]
    metadata = rooms.opened[room].agents[0].metadata
    assert parse_metadata(metadata, BANK).choice.fit is not None
