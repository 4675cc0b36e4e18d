"""Each browser sees only its own rounds: reports, history and the token it is handed (real store pages)."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace

import pytest
from aiohttp import CookieJar
from aiohttp.test_utils import TestClient, TestServer

from agent.store import Store
from agent.store.owners import web_owner
from agent.web.app import create_app
from agent.web.owner import COOKIE
from tests.fakes.rounds import full_round, meta, questions
from tests.fakes.web import FAKE_CHOICES, GOOD, FakeRoomOpener, make_settings

pytestmark = pytest.mark.unit

BANK = SimpleNamespace(questions=questions("q-one", "q-two"))  # what the report pages read of the bank


def _store_round(url: str, round_id: str, owner: str | None) -> None:
    store = Store(url, owner=owner)
    store.start_round(meta(round_id))
    for turn in full_round(round_id):
        store.add_turn(turn)
    store.finish_round(round_id, "completed", 3.0)
    store.close()


async def _client(app) -> TestClient:  # noqa: ANN001
    client = TestClient(TestServer(app), cookie_jar=CookieJar(unsafe=True))
    await client.start_server()
    return client


async def test_reports_and_history_answer_only_their_owner(tmp_path):
    url = f"sqlite:///{tmp_path / 'r.sqlite3'}"
    app = create_app(make_settings(database_url=url), bank=BANK, catalog=lambda: FAKE_CHOICES,
                     room_opener=FakeRoomOpener())
    alice, bob = await _client(app), await _client(app)
    try:
        first = await alice.get("/history")  # the first visit hands out the credential
        assert first.status == 200
        morsel = first.cookies[COOKIE]
        assert morsel["httponly"] and morsel["samesite"] == "Strict"
        credential = morsel.value
        await bob.get("/history")
        _store_round(url, "alice00001", web_owner(credential))
        _store_round(url, "nobody0001", None)  # a CLI round from before owners, or an operator's

        assert (await alice.get("/rounds/alice00001")).status == 200
        assert "alice00001" in await (await alice.get("/history")).text()
        for path in ("/rounds/alice00001", "/rounds/nobody0001"):
            assert (await bob.get(path)).status == 404
        assert "alice00001" not in await (await bob.get("/history")).text()
        assert "nobody0001" not in await (await alice.get("/history")).text()
    finally:
        await alice.close()
        await bob.close()


async def test_the_dispatch_carries_the_callers_owner_to_the_worker(tmp_path):
    rooms = FakeRoomOpener()
    app = create_app(make_settings(database_url=f"sqlite:///{tmp_path / 'r.sqlite3'}"), bank=BANK,
                     catalog=lambda: FAKE_CHOICES, room_opener=rooms)
    client = await _client(app)
    try:
        credential = (await client.get("/history")).cookies[COOKIE].value
        grant = await (await client.post("/api/session", json=GOOD)).json()
    finally:
        await client.close()
    assert rooms.metadata(grant["room"])["owner"] == web_owner(credential)
    assert credential not in grant["token"]  # only its hash travels


async def test_many_views_of_a_finishing_round_never_starve_the_page_pool(tmp_path):
    """Each view waits for the round to finish on the event loop, not in one of the two page threads."""
    url = f"sqlite:///{tmp_path / 'r.sqlite3'}"
    app = create_app(make_settings(database_url=url), bank=BANK, catalog=lambda: FAKE_CHOICES,
                     room_opener=FakeRoomOpener())
    client = await _client(app)
    try:
        credential = (await client.get("/history")).cookies[COOKIE].value
        store = Store(url, owner=web_owner(credential))
        store.start_round(meta("running01"))  # its writer (this process) is alive: it stays "running"
        for turn in list(full_round("running01"))[:3]:
            store.add_turn(turn)
        store.close()
        views = await asyncio.gather(*(client.get("/rounds/running01") for _ in range(8)))
        assert [v.status for v in views] == [200] * 8  # 8 x 3 s in 2 threads would pass the 10 s page limit
        assert "Round ended early" in await views[0].text()
    finally:
        await client.close()
