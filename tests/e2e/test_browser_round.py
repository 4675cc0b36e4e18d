"""A real browser (Debian Chromium via playwright-core) against the app and a real LiveKit server."""

from __future__ import annotations

import asyncio
import json
import subprocess
from pathlib import Path

import pytest
from livekit import api

from agent.devtools.livekit_server import LiveKitServer
from tests.fakes.interviewer import ROUND_ID, FakeInterviewer

from .browser_run import run_browser
from .conftest import AppThread, wait_until_idle
from .python_participant import wait_for_worker

pytestmark = pytest.mark.e2e

async def dispatches(server: LiveKitServer, room: str) -> list:
    http = server.url.replace("ws://", "http://")
    async with api.LiveKitAPI(http, server.api_key, server.api_secret) as lk:
        return list(await lk.agent_dispatch.list_dispatch(room_name=room))


def test_page_mints_a_token_and_joins_the_room(
    livekit_server: LiveKitServer,
    web_app: AppThread,
    candidate_wav: Path,
    playwright_ready: Path,
    artifacts_dir: Path,
) -> None:
    """Page load, microphone, token and WebRTC join; needs no interviewer worker."""
    result = run_browser(web_app, candidate_wav, artifacts_dir, "connect")
    names = [s["name"] for s in result["steps"]]
    assert names == ["page-loaded", "connected", "ended"]
    room = result["room"]
    assert room.startswith("round-")
    # the room the browser joined exists on the server with the interviewer dispatched into it
    found = asyncio.run(dispatches(livekit_server, room))
    assert [d.agent_name for d in found] == ["pm-interviewer"]
    metadata = json.loads(found[0].metadata)
    assert metadata["persona"] == result["steps"][0]["persona"]
    assert metadata["track"] == result["steps"][0]["track"]
    for name in ("01-setup", "02-connected", "03-ended"):
        assert (artifacts_dir / f"{name}.png").stat().st_size > 5_000


def test_missing_microphone_is_explained_and_mints_no_token(
    web_app: AppThread, candidate_wav: Path, playwright_ready: Path, artifacts_dir: Path
) -> None:
    """Chromium with no audio input: a clear message, and no token (so no worker job) is requested."""
    result = run_browser(web_app, candidate_wav, artifacts_dir, "no-mic")
    assert [s["name"] for s in result["steps"]] == ["page-loaded", "microphone-refused"]
    assert result["steps"][-1]["sessionRequests"] == 0
    assert "microphone" in result["message"].lower()


def test_page_follows_the_interviewer_protocol(
    livekit_server: LiveKitServer,
    web_app: AppThread,
    candidate_wav: Path,
    playwright_ready: Path,
    artifacts_dir: Path,
) -> None:
    """With a stand-in interviewer speaking PROTOCOL.md: attributes, audio, captions, End -> report."""
    with FakeInterviewer(livekit_server) as fake:
        result = run_browser(web_app, candidate_wav, artifacts_dir, "round")
    assert fake.errors == []
    assert fake.joined == [result["room"]]
    assert result["roundId"] == ROUND_ID
    timer = next(s for s in result["steps"] if s["name"] == "timer-running")
    assert timer["after"] < timer["before"] <= "05:00"  # counting down from the published remaining_s
    assert result["steps"][-1]["url"].endswith(f"/rounds/{ROUND_ID}")
    captions = [(c["speaker"], c["text"]) for c in result["captions"]]
    assert ("interviewer", "How would you tell whether a platform creates value?") in captions
    assert ("candidate", "I would look at adoption and lead time.") in captions
    assert all(c["final"] for c in result["captions"])


def test_full_spoken_round_ends_on_the_report(
    livekit_server: LiveKitServer,
    web_app: AppThread,
    interviewer_worker: object,
    candidate_wav: Path,
    playwright_ready: Path,
    artifacts_dir: Path,
) -> None:
    """The interviewer joins, speaks and is captioned, hears the candidate, and End opens the report."""
    # the server drops a dispatch no registered worker can take: wait for the worker first
    asyncio.run(wait_for_worker(livekit_server.env()))
    wait_until_idle(interviewer_worker)  # type: ignore[arg-type]
    result = run_browser(web_app, candidate_wav, artifacts_dir, "round")
    names = [s["name"] for s in result["steps"]]
    assert names == [
        "page-loaded",
        "connected",
        "interviewer-joined",
        "timer-running",
        "interviewer-audio",
        "interviewer-caption",
        "candidate-caption",
        "report-opened",
    ]
    assert result["steps"][-1]["url"].endswith(f"/rounds/{result['roundId']}")
    speakers = {c["speaker"] for c in result["captions"] if c["text"].strip()}
    assert speakers == {"interviewer", "candidate"}


def test_a_reloaded_page_rejoins_the_same_round(
    livekit_server: LiveKitServer,
    web_app: AppThread,
    interviewer_worker: object,
    candidate_wav: Path,
    playwright_ready: Path,
    artifacts_dir: Path,
) -> None:
    """Reloading mid-round offers "Rejoin the round"; it goes back into the same room and round."""
    asyncio.run(wait_for_worker(livekit_server.env()))
    wait_until_idle(interviewer_worker)  # type: ignore[arg-type]
    result = run_browser(web_app, candidate_wav, artifacts_dir, "rejoin")
    names = [s["name"] for s in result["steps"]]
    after = names[names.index("candidate-caption") + 1:]
    assert after == ["rejoin-offered", "rejoined", "welcomed-back", "report-opened"], names
    rejoined = next(s for s in result["steps"] if s["name"] == "rejoined")
    assert rejoined["sameRoom"] is True
    assert result["roundIdAfter"] == result["roundId"]
    assert result["steps"][-1]["url"].endswith(f"/rounds/{result['roundId']}")


def _voice_events(log: str) -> list[str]:
    """The worker's voice.* events in order (its log is JSON lines)."""
    events = []
    for line in log.splitlines():
        if '"voice.' in line and line.lstrip().startswith("{"):
            events.append(json.loads(line)["event"])
    return events


def test_done_on_the_page_ends_the_answer_and_the_interviewer_replies(
    livekit_server: LiveKitServer,
    web_app: AppThread,
    interviewer_worker: subprocess.Popen[bytes],
    candidate_wav: Path,
    unfinished_answer_wav: Path,
    playwright_ready: Path,
    artifacts_dir: Path,
) -> None:
    """An answer that stops on "and" is held by the default persona's gates; the test presses the page's
    "I'm done" (then the space bar on a second answer), and the interviewer replies to the answer, whole,
    without waiting out its pause.
    """
    asyncio.run(wait_for_worker(livekit_server.env()))
    wait_until_idle(interviewer_worker)  # type: ignore[arg-type]
    log_path: Path = interviewer_worker.log_path  # type: ignore[attr-defined]
    before = len(log_path.read_text(errors="replace"))
    result = run_browser(web_app, candidate_wav, artifacts_dir, "done", ("--answer", str(unfinished_answer_wav)))
    names = [s["name"] for s in result["steps"]]
    assert names.count("done-pressed") == 2 and names.count("replied") == 2, names
    assert [s["presses"] for s in result["steps"] if s["name"] == "done-pressed"] == ["1", "2"]
    assert names[-1] == "report-opened" and result["steps"][-1]["url"].endswith(f"/rounds/{result['roundId']}")
    events = _voice_events(log_path.read_text(errors="replace")[before:])
    # each press ended its answer: the next thing the worker did was to hand it over, not to wait out the hold
    # (voice.hold_flushed) or to acknowledge it as a hands-free end (voice.turn_acknowledged)
    presses = [i for i, e in enumerate(events) if e == "voice.done_pressed"]
    assert len(presses) == 2, events
    for i in presses:
        after = [e for e in events[i + 1:] if e in ("voice.turn_closed_by_candidate", "voice.hold_flushed",
                                                     "voice.turn_acknowledged")]
        assert after and after[0] == "voice.turn_closed_by_candidate", events
    heard = [c["text"] for c in result["captions"] if c["speaker"] == "candidate" and c["text"].strip()]
    assert len(heard) >= 2 and all("platform" in h.lower() for h in heard), heard
    (artifacts_dir / "done-replies.json").write_text(json.dumps(result["replies"], indent=1))
    print("done replies:", json.dumps(result["replies"]))
