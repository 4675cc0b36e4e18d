""""Try this question again": the page asks for a short round with one question, checked by the web app."""

from __future__ import annotations

import pytest
from aiohttp.test_utils import TestClient, TestServer

from agent.web.app import create_app
from tests.fakes.web import FAKE_CHOICES, GOOD, FakePages, FakeRoomOpener, make_settings

pytestmark = pytest.mark.unit


ROOMS = FakeRoomOpener()


def _app():
    pages = FakePages()
    return create_app(make_settings(), catalog=lambda: FAKE_CHOICES, round_page=pages.round_page,
                      history_page=pages.history_page, question_ids=lambda: ("q-one", "q-two"), room_opener=ROOMS)


def _metadata(grant: dict) -> dict:
    return ROOMS.metadata(grant["room"])


async def test_a_redo_sends_the_worker_one_question_in_a_short_round():
    async with TestClient(TestServer(_app())) as c:
        response = await c.post("/api/session", json={**GOOD, "redo": "q-two"})
        assert response.status == 200
        sent = _metadata(await response.json())
    assert sent["questions"] == ["q-two"] and sent["minutes"] <= 6 and "fit" not in sent


async def test_a_round_without_redo_names_no_questions():
    async with TestClient(TestServer(_app())) as c:
        sent = _metadata(await (await c.post("/api/session", json=GOOD)).json())
    assert "questions" not in sent


@pytest.mark.parametrize("extra", [{"redo": "no-such-question"}, {"redo": 7},
                                   {"redo": "q-one", "job_ad": "We want a PM for our developer platform."}])
async def test_a_bad_redo_is_400_naming_the_field(extra):
    async with TestClient(TestServer(_app())) as c:
        response = await c.post("/api/session", json={**GOOD, **extra})
        assert response.status == 400 and (await response.json())["field"] == "redo"
