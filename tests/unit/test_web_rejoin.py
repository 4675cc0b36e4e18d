"""POST /api/rejoin: a dropped candidate gets back into their own round, and nobody else does."""

from __future__ import annotations

import base64
import json

import pytest
from aiohttp import CookieJar
from aiohttp.test_utils import TestClient, TestServer
from livekit import api

from tests.fakes.web import API_KEY, API_SECRET, GOOD, FakeRoomOpener, make_app

pytestmark = pytest.mark.unit


def _client(app) -> TestClient:
    return TestClient(TestServer(app), cookie_jar=CookieJar(unsafe=True))


def _claims(token: str) -> dict:
    body = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))


def _back(grant: dict, **changes: str) -> dict:
    return {"room": grant["room"], "identity": grant["identity"], "key": grant["rejoin_key"], **changes}


async def test_the_same_browser_comes_back_into_the_same_room_as_the_same_identity():
    rooms = FakeRoomOpener()
    app = make_app(rooms=rooms)
    async with _client(app) as c:
        grant = await (await c.post("/api/session", json=GOOD)).json()
        response = await c.post("/api/rejoin", json=_back(grant))
        assert response.status == 200 and response.headers["Cache-Control"] == "no-store"
        again = await response.json()
    claims = api.TokenVerifier(API_KEY, API_SECRET).verify(again["token"])
    assert again["room"] == grant["room"] and claims.identity == grant["identity"]
    assert claims.video.room == grant["room"] and claims.video.can_publish_data is False
    assert claims.video.can_publish_sources == ["microphone"] and not claims.video.room_admin
    assert "roomConfig" not in _claims(again["token"])  # the token dispatches nothing
    assert list(rooms.opened) == [grant["room"]]  # and the rejoin opened no second room
    assert again["done_key"] == grant["done_key"]


async def test_another_browser_with_the_same_key_is_refused():
    app = make_app()
    async with _client(app) as mine, _client(app) as theirs:
        grant = await (await mine.post("/api/session", json=GOOD)).json()
        await theirs.get("/healthz")  # a browser with its own owner cookie
        response = await theirs.post("/api/rejoin", json=_back(grant))
        assert response.status == 403 and (await response.json())["field"] == "key"


async def test_a_key_for_another_round_or_identity_is_refused():
    app = make_app()
    async with _client(app) as c:
        grant = await (await c.post("/api/session", json=GOOD)).json()
        other = await (await c.post("/api/session", json=GOOD)).json()
        for body in (_back(grant, room=other["room"]), _back(grant, identity=other["identity"])):
            response = await c.post("/api/rejoin", json=body)
            assert response.status == 403, body


@pytest.mark.parametrize("body,field", [
    ({"room": "../etc", "identity": "candidate-0123456789ab", "key": "x"}, "room"),
    ({"room": "round-" + "0" * 32, "identity": "admin", "key": "x"}, "identity"),
    (["not", "an", "object"], "body"),
])
async def test_a_malformed_rejoin_names_the_field(body, field):
    async with _client(make_app()) as c:
        response = await c.post("/api/rejoin", json=body)
        assert response.status == 400 and (await response.json())["field"] == field


async def test_a_cross_origin_rejoin_is_refused():
    async with _client(make_app()) as c:
        grant = await (await c.post("/api/session", json=GOOD)).json()
        response = await c.post("/api/rejoin", json=_back(grant), headers={"Origin": "https://elsewhere.example"})
        assert response.status == 403
