"""Minting the one token a browser needs for one spoken round.

Each round gets a fresh room and a fresh random identity, and the token can do
nothing but join that room, publish a microphone and listen: no data channel,
no metadata changes, no room creation, admin, list or record rights. It
carries no agent dispatch either: the web app has already created the room
with the interviewer dispatched into it (``agent.web.rooms``), so a token
reused after its round cannot start another one. A short lifetime limits what
a leaked token is worth; LiveKit refreshes the token of a participant already
in the room, so a long round outlives it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
import time
import uuid
from dataclasses import dataclass
from typing import Any

from livekit import api

from agent.web.settings import WebSettings


@dataclass(frozen=True, slots=True)
class SessionGrant:
    """The body of a successful POST /api/session."""

    server_url: str
    token: str
    room: str
    identity: str
    expires_at: int  # Unix seconds
    done_key: str = ""  # lets this page, and only it, say "I'm done" in this room (see done_key())
    rejoin_key: str = ""  # lets this browser, and only it, come back into this room (see rejoin_key())

    def to_dict(self) -> dict[str, Any]:
        """The JSON body; the API secret is not part of it by construction."""
        return {
            "server_url": self.server_url,
            "token": self.token,
            "room": self.room,
            "identity": self.identity,
            "expires_at": self.expires_at,
            "done_key": self.done_key,
            "rejoin_key": self.rejoin_key,
        }


def done_key(settings: WebSettings, room: str) -> str:
    """A room's key for ``POST /api/done``: an HMAC of the room name under the API secret.

    The candidate's token cannot publish data (least privilege), so the page's
    "I'm done" goes through the web app, which relays it into the room from the
    server side. Only the page that was given the room can name it this way.
    """
    mac = hmac.new(settings.api_secret.encode("utf-8"), f"done:{room}".encode(), hashlib.sha256)
    return mac.hexdigest()[:32]


def rejoin_key(settings: WebSettings, room: str, identity: str, owner: str) -> str:
    """The key for ``POST /api/rejoin``: an HMAC of the room, the identity and the browser's owner id.

    A candidate whose connection drops may come back into the same room as the
    same identity; the key binds that to the browser (owner cookie) the round
    was started from, so a copied key is worth nothing elsewhere.
    """
    mac = hmac.new(settings.api_secret.encode("utf-8"), f"rejoin:{room}:{identity}:{owner}".encode(), hashlib.sha256)
    return mac.hexdigest()[:32]


def mint_rejoin(settings: WebSettings, room: str, identity: str, owner: str, *,
                now: float | None = None) -> SessionGrant:
    """A token back into an existing room as the same identity (the interviewer is there)."""
    return _grant(settings, room, identity, owner, now=now)


def _grant(settings: WebSettings, room: str, identity: str, owner: str, *, now: float | None) -> SessionGrant:
    """The candidate's narrow token for ``room`` and the keys that go with it (see the module docstring)."""
    issued = time.time() if now is None else now
    token = (
        api.AccessToken(settings.api_key, settings.api_secret)
        .with_identity(identity)
        .with_name("Candidate")
        .with_kind("standard")
        .with_ttl(dt.timedelta(seconds=settings.token_ttl_s))
        .with_grants(candidate_grants(room))
    )
    return SessionGrant(server_url=settings.browser_livekit_url, token=token.to_jwt(), room=room, identity=identity,
                        expires_at=int(issued) + settings.token_ttl_s, done_key=done_key(settings, room),
                        rejoin_key=rejoin_key(settings, room, identity, owner))


def new_room_name() -> str:
    """A room name nobody can guess or reuse."""
    return f"round-{uuid.uuid4().hex}"


def new_identity() -> str:
    """A random identity: nothing about the candidate reaches the LiveKit server."""
    return f"candidate-{secrets.token_hex(6)}"


def candidate_grants(room: str) -> api.VideoGrants:
    """Join one room, publish only a microphone, subscribe; nothing else."""
    return api.VideoGrants(
        room_join=True,
        room=room,
        room_create=False,
        room_list=False,
        room_record=False,
        room_admin=False,
        can_publish=True,
        can_publish_sources=["microphone"],
        can_subscribe=True,
        can_publish_data=False,
        can_update_own_metadata=False,
    )


def mint_session(settings: WebSettings, room: str, *, now: float | None = None,
                 owner: str | None = None) -> SessionGrant:
    """A join-only token for ``room``, which the app has just opened (``agent.web.rooms.room_request``)."""
    return _grant(settings, room, new_identity(), owner or "", now=now)
