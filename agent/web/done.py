"""``POST /api/done``: the candidate's "I'm done", relayed into their room from the server side.

``{"end": true}`` in the same request is the End button: the round ends now, instead of waiting
for the candidate to come back as it does when a connection drops.

The page's token may publish a microphone and nothing else, so it cannot send
data itself. The web app checks the room's ``done_key`` (given to that page
with its session) and sends one reliable data packet on ``DONE_TOPIC`` to the
room through the LiveKit server API; the worker ends the candidate's turn
when such a packet comes from the server (never from a participant).
"""

from __future__ import annotations

import hmac
import json
import re
from collections.abc import Awaitable, Callable
from typing import TypeVar

from aiohttp import web
from livekit import api

from agent.interview.turn_end import DONE_TOPIC
from agent.web.settings import WebSettings
from agent.web.tokens import done_key

T = TypeVar("T")
ROOM_NAME = re.compile(r"^round-[0-9a-f]{32}$")

# Sends the "done" packet into a room (injectable, so the endpoint is testable without a server);
# ``end=True`` sends the candidate's "end the round" instead.
DoneSender = Callable[..., Awaitable[None]]


def livekit_sender(settings: WebSettings) -> DoneSender:
    """The real sender: one reliable packet, from the server, through the LiveKit room API."""
    http_url = settings.livekit_url.replace("wss://", "https://").replace("ws://", "http://")

    async def send(room: str, *, end: bool = False) -> None:
        async with api.LiveKitAPI(http_url, settings.api_key, settings.api_secret) as lk:
            await lk.room.send_data(api.SendDataRequest(
                room=room, data=json.dumps({"end": True} if end else {"done": True}).encode(),
                kind=api.DataPacket.Kind.RELIABLE, topic=DONE_TOPIC))

    return send


def check_request(settings: WebSettings, body: object) -> str:
    """The room a well-formed, correctly keyed request names; ValueError naming the field otherwise."""
    if not isinstance(body, dict):
        raise ValueError("body: expected a JSON object")
    room, key = body.get("room"), body.get("key")
    if "end" in body and not isinstance(body["end"], bool):
        raise ValueError("end: expected true or false")
    if not isinstance(room, str) or not ROOM_NAME.fullmatch(room):
        raise ValueError("room: expected the room name of this session")
    if not isinstance(key, str) or not hmac.compare_digest(key, done_key(settings, room)):
        raise PermissionError("key: does not match this room")
    return room


async def read_checked(request: web.Request, check: Callable[[object], T]) -> T | web.Response:
    """The JSON body passed through ``check``, or the one-line answer to a body it refuses.

    ``check`` raises ValueError naming the field (400) or PermissionError for a key that does not fit (403).
    """
    try:
        body = await request.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        return web.json_response({"error": "body: not valid JSON", "field": "body"}, status=400)
    try:
        return check(body)
    except PermissionError as exc:
        return web.json_response({"error": str(exc), "field": "key"}, status=403)
    except ValueError as exc:
        return web.json_response({"error": str(exc), "field": str(exc).split(":", 1)[0]}, status=400)


async def send_done(request: web.Request, settings: WebSettings, sender: DoneSender) -> web.Response:
    """Handle one POST /api/done (content type and origin are checked by the caller)."""
    checked = await read_checked(request, lambda body: (check_request(settings, body), body))
    if isinstance(checked, web.Response):
        return checked
    room, body = checked
    end = isinstance(body, dict) and body.get("end") is True
    try:
        await (sender(room, end=True) if end else sender(room))
    except Exception as exc:  # noqa: BLE001 - the server is down or refused: say so in one line
        return web.json_response({"error": f"could not reach the interview room ({type(exc).__name__})"},
                                 status=503)
    return web.Response(status=204)
