"""Response headers that keep the page and reports locked down.

The page only runs its own bundled script and talks only to this origin and
the LiveKit server, so the policy names exactly those. Report pages may carry
a chart's inline set-up call, allowed by a per-response nonce rather than by
allowing inline script in general.
"""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable
from urllib.parse import urlsplit

from aiohttp import web

NONCE_KEY: web.RequestKey[str] = web.RequestKey("csp_nonce", str)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def livekit_sources(ws_url: str) -> list[str]:
    """The ws(s) origin and its http(s) twin (the SDK validates over HTTP when a join fails)."""
    parts = urlsplit(ws_url)
    http_scheme = "https" if parts.scheme == "wss" else "http"
    return [f"{parts.scheme}://{parts.netloc}", f"{http_scheme}://{parts.netloc}"]


def content_security_policy(ws_url: str, nonce: str | None = None) -> str:
    """The policy for one response; a nonce is given only to server-rendered pages."""
    script = "'self'" + (f" 'nonce-{nonce}'" if nonce else "")
    # report pages draw charts whose library injects <style> elements
    style = "'self' 'unsafe-inline'" if nonce else "'self'"
    connect = " ".join(["'self'", *livekit_sources(ws_url)])
    return "; ".join(
        [
            "default-src 'none'",
            f"script-src {script}",
            f"style-src {style}",
            "img-src 'self' data:",
            "font-src 'self'",
            "media-src 'self' blob: mediastream:",
            f"connect-src {connect}",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


def new_nonce(request: web.Request) -> str:
    """Give this response a CSP nonce (used by server-rendered report pages)."""
    nonce = secrets.token_urlsafe(16)
    request[NONCE_KEY] = nonce
    return nonce


def security_headers(ws_url: str) -> Callable[[web.Request, Handler], Awaitable[web.StreamResponse]]:
    """Middleware adding the headers to every response, errors included."""

    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        try:
            response = await handler(request)
        except web.HTTPException as exc:
            response = exc
            _apply(response, ws_url, request.get(NONCE_KEY))
            raise
        _apply(response, ws_url, request.get(NONCE_KEY))
        return response

    return middleware


def _apply(response: web.StreamResponse, ws_url: str, nonce: str | None) -> None:
    headers = response.headers
    headers["Content-Security-Policy"] = content_security_policy(ws_url, nonce)
    headers["X-Content-Type-Options"] = "nosniff"
    headers["Referrer-Policy"] = "no-referrer"
    headers["X-Frame-Options"] = "DENY"
    headers["Cross-Origin-Opener-Policy"] = "same-origin"
    headers["Cross-Origin-Resource-Policy"] = "same-origin"
    headers["Permissions-Policy"] = "microphone=(self), camera=(), geolocation=(), payment=()"
    if response.content_type == "application/json" or response.status >= 400:
        headers.setdefault("Cache-Control", "no-store")
