"""Configuration of the web app (built from the environment by ``agent.settings.Settings.web``).

The LiveKit API secret signs every token the app mints, so it only ever comes
from the environment (or from a test) and is never written to a response, a
page or a log line. The browser may need a different address for the LiveKit
server than the worker does (a container network name is not reachable from a
laptop's browser), hence the separate public URL.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlsplit

from agent.web.client_address import Network

MAX_TOKEN_TTL_S = 15 * 60
DEFAULT_TOKEN_TTL_S = 10 * 60
AGENT_NAME = "pm-interviewer"


class WebSettingsError(ValueError):
    """A missing or malformed setting; the message names the variable."""


def browser_url(url: str) -> str:
    """Turn an http(s) LiveKit URL into the ws(s) form the browser SDK expects."""
    parts = urlsplit(url)
    scheme = {"http": "ws", "https": "wss"}.get(parts.scheme, parts.scheme)
    if scheme not in ("ws", "wss") or not parts.netloc:
        raise WebSettingsError(f"LIVEKIT_URL: expected ws(s):// or http(s):// with a host, got {url!r}")
    return parts._replace(scheme=scheme).geturl().rstrip("/")


@dataclass(frozen=True)
class WebSettings:
    """Everything ``create_app`` needs besides its injectable callables."""

    livekit_url: str
    api_key: str
    api_secret: str = field(repr=False)
    public_livekit_url: str | None = None
    token_ttl_s: int = DEFAULT_TOKEN_TTL_S
    agent_name: str = AGENT_NAME
    database_url: str | None = None
    # token minting allowed per client address per window
    rate_limit: int = 10
    rate_window_s: float = 60.0
    # rounds started per window from all clients together (INTERVIEWER_GLOBAL_RATE_LIMIT): many addresses
    # (or a forged forwarding chain) still cannot start more rounds than the workers can hold
    global_rate_limit: int = 120
    # reverse proxies whose X-Forwarded-For names the real client (INTERVIEWER_TRUSTED_PROXIES)
    trusted_proxies: tuple[Network, ...] = ()

    def __post_init__(self) -> None:
        if not self.api_key:
            raise WebSettingsError("LIVEKIT_API_KEY: must be set")
        if not self.api_secret:
            raise WebSettingsError("LIVEKIT_API_SECRET: must be set")
        if not 1 <= self.global_rate_limit <= 100_000:
            raise WebSettingsError("INTERVIEWER_GLOBAL_RATE_LIMIT: must be a whole number from 1 to 100000")
        if not 60 <= self.token_ttl_s <= MAX_TOKEN_TTL_S:
            raise WebSettingsError(f"INTERVIEWER_TOKEN_TTL_S: must be between 60 and {MAX_TOKEN_TTL_S} seconds")
        browser_url(self.livekit_url)
        if self.public_livekit_url:
            browser_url(self.public_livekit_url)

    @property
    def browser_livekit_url(self) -> str:
        """The ws(s) URL handed to the page and allowed by its CSP."""
        return browser_url(self.public_livekit_url or self.livekit_url)
