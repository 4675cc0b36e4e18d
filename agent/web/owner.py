"""The browser's owner credential: what makes a candidate's rounds theirs on the web.

The first response to a browser sets an unguessable random credential in an
HttpOnly, SameSite=Strict cookie (Secure when served over HTTPS); every round
that browser starts is stored under a hash of it (``agent.store.owners``),
and reports and history answer only to the same cookie. Nothing else in the
app identifies a person, and the credential never reaches logs or pages.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Awaitable, Callable

from aiohttp import web

from agent.store.owners import web_owner

COOKIE = "interviewer_owner"
MAX_AGE_S = 365 * 24 * 3600
_CREDENTIAL = re.compile(r"^[A-Za-z0-9_-]{43}$")  # secrets.token_urlsafe(32)
OWNER_KEY: web.RequestKey[str] = web.RequestKey("owner", str)  # the caller's owner id

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def owner_of(request: web.Request) -> str:
    """The caller's owner id (set by the middleware on every request)."""
    return request[OWNER_KEY]


@web.middleware
async def owner_cookie(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Give every browser a credential on its first request and read it on later ones."""
    credential = request.cookies.get(COOKIE, "")
    fresh = not _CREDENTIAL.fullmatch(credential)
    if fresh:
        credential = secrets.token_urlsafe(32)
    request[OWNER_KEY] = web_owner(credential)
    response = await handler(request)
    if fresh:
        response.set_cookie(COOKIE, credential, max_age=MAX_AGE_S, path="/", httponly=True, samesite="Strict",
                            secure=_secure(request))
    return response


def _secure(request: web.Request) -> bool:
    forwarded = request.headers.get("X-Forwarded-Proto", "")
    return request.secure or forwarded.split(",")[0].strip().lower() == "https"
