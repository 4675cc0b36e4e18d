"""POST /api/done: the page's "I'm done" is relayed only for its own room, with the key it was given."""

from __future__ import annotations

import pytest
from aiohttp.test_utils import TestClient, TestServer

from agent.web.app import create_app
from tests.fakes.web import FAKE_CHOICES, GOOD, FakePages, FakeRoomOpener, make_settings

pytestmark = pytest.mark.unit


class FakeSender:
    """Stands in for the LiveKit room API: records the rooms it was asked to tell."""

    def __init__(self, fail: bool = False) -> None:
        self.rooms: list[str] = []
        self.ends: list[str] = []
        self.fail = fail

    async def __call__(self, room: str, *, end: bool = False) -> None:
        if self.fail:
            raise ConnectionError("livekit down")
        (self.ends if end else self.rooms).append(room)


def _app(sender: FakeSender):
    pages = FakePages()
    return create_app(make_settings(), catalog=lambda: FAKE_CHOICES, round_page=pages.round_page,
                      history_page=pages.history_page, done_sender=sender,
                      room_opener=FakeRoomOpener())


async def test_the_page_can_say_done_for_its_own_room_only():
    sender = FakeSender()
    async with TestClient(TestServer(_app(sender))) as c:
        grant = await (await c.post("/api/session", json=GOOD)).json()
        ok = await c.post("/api/done", json={"room": grant["room"], "key": grant["done_key"]})
        assert ok.status == 204 and sender.rooms == [grant["room"]]
        other = await (await c.post("/api/session", json=GOOD)).json()
        wrong = await c.post("/api/done", json={"room": other["room"], "key": grant["done_key"]})
        assert wrong.status == 403 and (await wrong.json())["field"] == "key"
        assert sender.rooms == [grant["room"]]


@pytest.mark.parametrize("body,field", [
    ({"room": "../etc", "key": "x"}, "room"),
    ({"key": "x"}, "room"),
    (["not", "an", "object"], "body"),
])
async def test_a_malformed_done_names_the_field(body, field):
    sender = FakeSender()
    async with TestClient(TestServer(_app(sender))) as c:
        response = await c.post("/api/done", json=body)
        assert response.status == 400 and (await response.json())["field"] == field
    assert sender.rooms == []


async def test_cross_origin_and_server_trouble_are_one_clear_answer():
    async with TestClient(TestServer(_app(FakeSender(fail=True)))) as c:
        grant = await (await c.post("/api/session", json=GOOD)).json()
        body = {"room": grant["room"], "key": grant["done_key"]}
        cross = await c.post("/api/done", json=body, headers={"Origin": "https://evil.example"})
        assert cross.status == 403
        down = await c.post("/api/done", json=body)
        assert down.status == 503 and "could not reach the interview room" in (await down.json())["error"]


async def test_the_end_button_is_relayed_as_an_end_not_a_done():
    sender = FakeSender()
    async with TestClient(TestServer(_app(sender))) as c:
        grant = await (await c.post("/api/session", json=GOOD)).json()
        ok = await c.post("/api/done", json={"room": grant["room"], "key": grant["done_key"], "end": True})
        assert ok.status == 204 and sender.ends == [grant["room"]] and sender.rooms == []
        bad = await c.post("/api/done", json={"room": grant["room"], "key": grant["done_key"], "end": "yes"})
        assert bad.status == 400 and (await bad.json())["field"] == "end"

