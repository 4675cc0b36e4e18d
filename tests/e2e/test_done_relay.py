"""The page's "I'm done" reaches its room from the server side, through a real livekit-server.

The candidate's token cannot publish data; the web app relays the press with
the LiveKit room API. A participant in the room (standing in for the worker)
receives it on the done topic with no sending participant, which is how the
worker tells a relayed press from anything a participant could send.
"""

from __future__ import annotations

import asyncio

import pytest
from aiohttp.test_utils import TestClient, TestServer
from livekit import rtc

from agent.content.loader import load_bank
from agent.interview.turn_end import DONE_TOPIC
from agent.web.app import create_app
from agent.web.catalog import bank_catalog

from .conftest import web_settings

pytestmark = pytest.mark.e2e


async def test_done_is_relayed_into_the_room(livekit_server) -> None:
    persona = bank_catalog(load_bank())[0]
    app = create_app(web_settings(livekit_server), catalog=lambda: [persona])
    async with TestClient(TestServer(app)) as client:
        grant = await (await client.post("/api/session", json={
            "persona": persona.id, "track": persona.tracks[0], "minutes": persona.default_minutes})).json()
        room = rtc.Room()
        got: asyncio.Queue[rtc.DataPacket] = asyncio.Queue()
        room.on("data_received", got.put_nowait)
        await asyncio.wait_for(room.connect(livekit_server.url, grant["token"]), 15)
        try:
            assert not room.local_participant.permissions.can_publish_data  # least privilege holds
            response = await client.post("/api/done", json={"room": grant["room"], "key": grant["done_key"]})
            assert response.status == 204
            packet = await asyncio.wait_for(got.get(), 10)
            assert packet.topic == DONE_TOPIC and packet.participant is None
        finally:
            await room.disconnect()
