"""A round the worker cannot serve at its reply targets is refused up front, and the page says so.

A private LiveKit server and web app, and a worker whose admission ceiling is 0
(``INTERVIEWER_ADMIT_CPU=0``: no room for a second round, whatever the CPU reads).
A Python candidate takes the first round, which is always admitted; then Chromium
starts a second round on the page: the worker refuses it with the
``interviewer.refused`` line, the page ends with that line, no round is stored
for it, and the first round carries on.
"""

from __future__ import annotations

import asyncio
import json
import secrets
from pathlib import Path

import pytest
from livekit import rtc

from .browser_run import run_browser
from .conftest import AppThread, web_settings
from .python_participant import WorkerProcess, candidate_token, open_room, private_livekit_server
from .round_script import metadata

pytestmark = pytest.mark.e2e


async def _first_round(env: dict[str, str], started: asyncio.Event, release: asyncio.Event) -> str:
    """Join as a candidate, wait for the interviewer's round id, and stay until released."""
    room = rtc.Room()
    name = f"round-{secrets.token_hex(16)}"
    await open_room(env["LIVEKIT_URL"], env["LIVEKIT_API_KEY"], env["LIVEKIT_API_SECRET"], room=name,
                    metadata=metadata())
    token = candidate_token(env["LIVEKIT_API_KEY"], env["LIVEKIT_API_SECRET"], room=name,
                            identity=f"candidate-{secrets.token_hex(6)}")
    await room.connect(env["LIVEKIT_URL"], token)
    try:
        for _ in range(900):
            ids = [p.attributes.get("interviewer.round_id") for p in room.remote_participants.values()]
            if any(ids):
                started.set()
                await release.wait()
                return str(next(i for i in ids if i))
            await asyncio.sleep(0.1)
        raise TimeoutError("the first round never published its round id")
    finally:
        await room.disconnect()


def test_a_second_round_the_host_cannot_serve_is_refused_and_the_page_says_so(
    tmp_path_factory: pytest.TempPathFactory, candidate_wav: Path, playwright_ready: Path, artifacts_dir: Path
) -> None:
    with private_livekit_server(tmp_path_factory.mktemp("admission")) as server:
        env = server.env()
        worker = WorkerProcess({**env, "INTERVIEWER_ADMIT_CPU": "0"}, tmp_path_factory.mktemp("worker"),
                               capacity=2).start()
        app = AppThread(web_settings(server, worker.db_url)).start()
        try:
            async def scenario() -> tuple[str, dict]:
                started, release = asyncio.Event(), asyncio.Event()
                first = asyncio.create_task(_first_round(env, started, release))
                await asyncio.wait_for(started.wait(), 90)
                await asyncio.sleep(2.0)  # the load sampler has seen the first round's process
                try:
                    page = await asyncio.to_thread(run_browser, app, candidate_wav, artifacts_dir, "refused")
                finally:
                    release.set()
                return await first, page

            first_id, result = asyncio.run(scenario())
        finally:
            app.stop()
            worker.stop()
    names = [s["name"] for s in result["steps"]]
    assert names == ["page-loaded", "refused"], names
    refused = result["steps"][-1]
    assert "busy" in refused["message"] and "no report" in refused["message"], refused
    assert refused["roundId"] is None  # no round was started for the refused page
    log = worker.log()
    assert log.count('"worker.round_refused"') == 1 and '"room.refused"' in log, worker.log_tail()
    started = [json.loads(line)["round_id"] for line in log.splitlines()
               if line.startswith("{") and '"round_started"' in line]
    assert started == [first_id], started  # only the first round exists
