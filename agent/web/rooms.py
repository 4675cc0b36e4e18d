"""Opening a round's room: the web app creates it and dispatches the interviewer, once.

A token that carried the dispatch itself (LiveKit's room configuration in the
token) would start an interviewer every time the room was created from it,
and LiveKit creates a room again when a token names one that has closed. A
token reused within its lifetime after its round ended would then start a
second round. So the app creates the room through the server API, with the
agent dispatch in the create request, before it mints the candidate's token;
the token can only join. On a server that does not create rooms on join
(``room.auto_create: false``, as our configurations set it) a reused token is
refused outright; on one that does, it joins an empty room that nobody serves.

The opener is injectable (``create_app(room_opener=...)``), so the endpoint is
testable without a server.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable

from livekit import api

from agent.web.catalog import RoundRequest
from agent.web.settings import WebSettings

# How long a room lingers with nobody in it; the worker ends the round itself.
ROOM_EMPTY_TIMEOUT_S = 60
# The room outlives a dropped candidate long enough for them to rejoin (the worker waits 60 s by default).
ROOM_DEPARTURE_TIMEOUT_S = 75
# The candidate and the interviewer agent.
ROOM_MAX_PARTICIPANTS = 2
# Creating a room is one request to a server the app already depends on; a page must not hang on it.
OPEN_TIMEOUT_S = 5.0

# Creates the room a CreateRoomRequest describes (the real one calls the LiveKit server).
RoomOpener = Callable[[api.CreateRoomRequest], Awaitable[None]]


def room_request(settings: WebSettings, room: str, request: RoundRequest, owner: str | None = None
                 ) -> api.CreateRoomRequest:
    """The room for one round, with the interviewer dispatched into it with the round's choices and owner."""
    metadata = request.to_dict() | ({"owner": owner} if owner else {})
    return api.CreateRoomRequest(
        name=room,
        empty_timeout=ROOM_EMPTY_TIMEOUT_S,
        departure_timeout=ROOM_DEPARTURE_TIMEOUT_S,
        max_participants=ROOM_MAX_PARTICIPANTS,
        agents=[
            api.RoomAgentDispatch(
                agent_name=settings.agent_name,
                # UTF-8, not \u escapes: a job ad's quotes stay within the worker's metadata bound
                metadata=json.dumps(metadata, separators=(",", ":"), ensure_ascii=False),
            )
        ],
    )


def livekit_opener(settings: WebSettings) -> RoomOpener:
    """The real opener: one CreateRoom call to the LiveKit server, bounded by ``OPEN_TIMEOUT_S``."""
    http_url = settings.livekit_url.replace("wss://", "https://").replace("ws://", "http://")

    async def open_room(create: api.CreateRoomRequest) -> None:
        async with asyncio.timeout(OPEN_TIMEOUT_S), api.LiveKitAPI(
                http_url, settings.api_key, settings.api_secret) as lk:
            await lk.room.create_room(create)

    return open_room
