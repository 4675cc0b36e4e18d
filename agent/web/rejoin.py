"""``POST /api/rejoin``: a candidate whose connection dropped comes back into their own round.

The worker keeps a round open for a grace period after its candidate leaves.
A page that lost its connection (or was reloaded) asks here for a new token
into the same room as the same identity. The request must carry the room's
``rejoin_key`` and come from the browser that started the round (its owner
cookie is part of the key), so a leaked key lets nobody else in. Nothing is
dispatched: the interviewer is still in the room.
"""

from __future__ import annotations

import hmac
import re

from aiohttp import web

from agent.web.done import ROOM_NAME, read_checked
from agent.web.settings import WebSettings
from agent.web.tokens import SessionGrant, mint_rejoin, rejoin_key

IDENTITY = re.compile(r"^candidate-[0-9a-f]{12}$")


def check_rejoin(settings: WebSettings, body: object, owner: str) -> tuple[str, str]:
    """(room, identity) of a well-formed request keyed for this browser; ValueError/PermissionError naming the field."""
    if not isinstance(body, dict):
        raise ValueError("body: expected a JSON object")
    room, identity, key = body.get("room"), body.get("identity"), body.get("key")
    if not isinstance(room, str) or not ROOM_NAME.fullmatch(room):
        raise ValueError("room: expected the room name of your round")
    if not isinstance(identity, str) or not IDENTITY.fullmatch(identity):
        raise ValueError("identity: expected the identity your round was started with")
    if not isinstance(key, str) or not hmac.compare_digest(key, rejoin_key(settings, room, identity, owner)):
        raise PermissionError("key: does not match this round and this browser")
    return room, identity


async def rejoin(request: web.Request, settings: WebSettings, owner: str) -> web.Response:
    """Handle one POST /api/rejoin (content type, origin and rate limit are checked by the caller)."""
    checked = await read_checked(request, lambda body: check_rejoin(settings, body, owner))
    if isinstance(checked, web.Response):
        return checked
    room, identity = checked
    grant: SessionGrant = mint_rejoin(settings, room, identity, owner)
    return web.json_response(grant.to_dict(), headers={"Cache-Control": "no-store"})
