"""A token dispatches at most one round, against a real livekit-server and a real worker.

The web app opens each round's room with the interviewer dispatched into it
and hands the browser a token that can only join. A token is valid for ten
minutes, longer than a short round, so the same token can be presented again
after its round has ended and its room has closed:

- on a LiveKit server that creates rooms on join (LiveKit's default, and what
  a hosted deployment may have), the room comes back empty: no interviewer
  joins, no interviewer is dispatched, no second round is stored;
- on the servers we configure (``room.auto_create: false``) the join is refused.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from pathlib import Path

import aiohttp
import pytest
from livekit import api, rtc

from agent.content.loader import load_bank
from agent.store import Store
from agent.web.catalog import bank_catalog

from .conftest import AppThread, web_settings
from .python_participant import WorkerProcess, http_url, private_livekit_server

pytestmark = pytest.mark.e2e

JOIN_TIMEOUT_S = 15
AGENT_TIMEOUT_S = 60
QUIET_S = 10.0  # a dispatched interviewer joins within a second or two when a process is warm


def _session_body() -> dict[str, object]:
    persona = bank_catalog(load_bank())[0]
    return {"persona": persona.id, "track": persona.tracks[0], "minutes": persona.default_minutes}


def _agents(room: rtc.Room) -> list[rtc.RemoteParticipant]:
    return [p for p in room.remote_participants.values() if p.kind == rtc.ParticipantKind.PARTICIPANT_KIND_AGENT]


async def _round_id_published(room: rtc.Room) -> str:
    """The round id the interviewer publishes as soon as its round is stored."""
    deadline = time.monotonic() + AGENT_TIMEOUT_S
    while time.monotonic() < deadline:
        for agent in _agents(room):
            if agent.attributes.get("interviewer.round_id"):
                return agent.attributes["interviewer.round_id"]
        await asyncio.sleep(0.2)
    raise AssertionError("no interviewer published a round id")


async def _close_room(lk: api.LiveKitAPI, name: str) -> None:
    """Close the room now (rather than wait out its departure timeout) and wait until it is gone."""
    await lk.room.delete_room(api.DeleteRoomRequest(room=name))
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        listed = await lk.room.list_rooms(api.ListRoomsRequest(names=[name]))
        if not listed.rooms:
            return
        await asyncio.sleep(0.2)
    raise AssertionError(f"room {name} did not close")


def _status(db_url: str, round_id: str) -> str:
    store = Store(db_url)
    try:
        return store.round_status(round_id)
    finally:
        store.close()


def _rounds_stored(db_path: Path) -> int:
    with sqlite3.connect(db_path) as db:
        return int(db.execute("select count(*) from rounds").fetchone()[0])


async def _one_round_then_reuse(app: AppThread, server_url: str, settings: tuple[str, str],
                                worker: WorkerProcess) -> tuple[rtc.Room | None, list[object]]:
    """Start a round through the app, end it, close its room, then present the same token again."""
    jar = aiohttp.CookieJar(unsafe=True)
    async with aiohttp.ClientSession(cookie_jar=jar) as web, \
            api.LiveKitAPI(http_url(server_url), *settings) as lk:
        response = await web.post(f"{app.url}/api/session", json=_session_body())
        assert response.status == 200, await response.text()
        grant = await response.json()

        first = rtc.Room()
        await asyncio.wait_for(first.connect(server_url, grant["token"]), JOIN_TIMEOUT_S)
        round_id = await _round_id_published(first)
        # the End button: the worker ends the round when the candidate leaves, without a grace period
        ended = await web.post(f"{app.url}/api/done", json={"room": grant["room"], "key": grant["done_key"],
                                                              "end": True})
        assert ended.status == 204
        await first.disconnect()
        for _ in range(100):  # the round is stored as ended within a few seconds of the candidate leaving
            if _status(worker.db_url, round_id) != "running":
                break
            await asyncio.sleep(0.3)
        assert _status(worker.db_url, round_id) != "running", worker.log_tail()
        worker.wait_until_idle(30)
        await _close_room(lk, grant["room"])

        again = rtc.Room()
        try:
            await asyncio.wait_for(again.connect(server_url, grant["token"]), JOIN_TIMEOUT_S)
        except rtc.ConnectError:
            return None, []
        await asyncio.sleep(QUIET_S)
        agents = _agents(again)
        dispatches = list(await lk.agent_dispatch.list_dispatch(room_name=grant["room"]))
        assert again.name == grant["room"]
        await again.disconnect()
        assert not agents, f"a second interviewer joined: {worker.log_tail()}"
        return again, dispatches


def test_a_reused_token_after_its_room_closed_starts_no_second_round(tmp_path: Path) -> None:
    """On a server that creates rooms on join, the reused token gets an empty room and nobody serves it."""
    with private_livekit_server(tmp_path, auto_create=True) as server:
        worker = WorkerProcess(server.env(), tmp_path, capacity=1, idle=1).start()
        app = AppThread(web_settings(server, worker.db_url)).start()
        try:
            room, dispatches = asyncio.run(
                _one_round_then_reuse(app, server.url, (server.api_key, server.api_secret), worker))
            assert room is not None, "this server creates rooms on join: the reused token should get in"
            # the recreated room carries no interviewer dispatch; LiveKit adds its default one for workers
            # registered without a name, which a worker registered as pm-interviewer never takes
            assert [d.agent_name for d in dispatches if d.agent_name] == []  # type: ignore[attr-defined]
            assert _rounds_stored(worker.db_path) == 1
            worker.wait_until_idle(5)  # and no job is running for it
        finally:
            app.stop()
            worker.stop()


async def _open_leave_close_rejoin(app: AppThread, server_url: str, settings: tuple[str, str]) -> bool:
    """A room opened through the app, joined, left and closed; whether its token then joins again."""
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as web, \
            api.LiveKitAPI(http_url(server_url), *settings) as lk:
        response = await web.post(f"{app.url}/api/session", json=_session_body())
        assert response.status == 200, await response.text()
        grant = await response.json()
        first = rtc.Room()
        await asyncio.wait_for(first.connect(server_url, grant["token"]), JOIN_TIMEOUT_S)  # the room the app opened
        await first.disconnect()
        await _close_room(lk, grant["room"])
        again = rtc.Room()
        try:
            await asyncio.wait_for(again.connect(server_url, grant["token"]), JOIN_TIMEOUT_S)
        except rtc.ConnectError:
            return False
        await again.disconnect()
        return True


def test_on_our_server_config_a_reused_token_is_refused(tmp_path: Path) -> None:
    """Our configuration creates no room on join: the reused token cannot even reopen the room (no worker
    is needed to show it; the first test shows what a worker does with a reopened room).
    """
    with private_livekit_server(tmp_path) as server:
        app = AppThread(web_settings(server, f"sqlite:///{tmp_path / 'rounds.sqlite3'}")).start()
        try:
            assert not asyncio.run(_open_leave_close_rejoin(app, server.url, (server.api_key, server.api_secret)))
        finally:
            app.stop()
