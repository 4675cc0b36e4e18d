"""Configuration of the web app, read from the environment.

The LiveKit API secret signs every token the app mints, so it is only ever read
from the environment (or passed in by a test) and never written to a response,
a page or a log line. The browser may need a different address for the LiveKit
server than the worker does (a container network name is not reachable from a
laptop's browser), hence the separate public URL.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from agent.web.client_address import Network, parse_proxies

MAX_TOKEN_TTL_S = 15 * 60
DEFAULT_TOKEN_TTL_S = 10 * 60
AGENT_NAME = "pm-interviewer"


class SettingsError(ValueError):
    """A missing or malformed setting; the message names the variable."""


def browser_url(url: str) -> str:
    """Turn an http(s) LiveKit URL into the ws(s) form the browser SDK expects."""
    parts = urlsplit(url)
    scheme = {"http": "ws", "https": "wss"}.get(parts.scheme, parts.scheme)
    if scheme not in ("ws", "wss") or not parts.netloc:
        raise SettingsError(f"LIVEKIT_URL: expected ws(s):// or http(s):// with a host, got {url!r}")
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
            raise SettingsError("LIVEKIT_API_KEY: must be set")
        if not self.api_secret:
            raise SettingsError("LIVEKIT_API_SECRET: must be set")
        if not 1 <= self.global_rate_limit <= 100_000:
            raise SettingsError("INTERVIEWER_GLOBAL_RATE_LIMIT: must be a whole number from 1 to 100000")
        if not 60 <= self.token_ttl_s <= MAX_TOKEN_TTL_S:
            raise SettingsError(f"token TTL: must be between 60 and {MAX_TOKEN_TTL_S} seconds")
        browser_url(self.livekit_url)
        if self.public_livekit_url:
            browser_url(self.public_livekit_url)

    @property
    def browser_livekit_url(self) -> str:
        """The ws(s) URL handed to the page and allowed by its CSP."""
        return browser_url(self.public_livekit_url or self.livekit_url)

    @classmethod
    def from_env(
        cls, env: Mapping[str, str] | None = None, *, database_url: str | None = None
    ) -> WebSettings:
        """Read LIVEKIT_URL, LIVEKIT_API_KEY, LIVEKIT_API_SECRET (and LIVEKIT_PUBLIC_URL)."""
        env = os.environ if env is None else env
        url = env.get("LIVEKIT_URL", "")
        if not url:
            raise SettingsError("LIVEKIT_URL: must be set (for example ws://127.0.0.1:7880)")
        ttl_raw = env.get("INTERVIEWER_TOKEN_TTL_S", str(DEFAULT_TOKEN_TTL_S))
        try:
            ttl = int(ttl_raw)
        except ValueError:
            raise SettingsError(f"INTERVIEWER_TOKEN_TTL_S: not an integer: {ttl_raw!r}") from None
        cap_raw = env.get("INTERVIEWER_GLOBAL_RATE_LIMIT", "120")
        try:
            cap = int(cap_raw)
        except ValueError:
            raise SettingsError(f"INTERVIEWER_GLOBAL_RATE_LIMIT: not an integer: {cap_raw!r}") from None
        try:
            proxies = parse_proxies(env.get("INTERVIEWER_TRUSTED_PROXIES", ""))
        except ValueError as exc:
            raise SettingsError(str(exc)) from None
        return cls(
            global_rate_limit=cap,
            trusted_proxies=proxies,
            livekit_url=url,
            api_key=env.get("LIVEKIT_API_KEY", ""),
            api_secret=env.get("LIVEKIT_API_SECRET", ""),
            public_livekit_url=env.get("LIVEKIT_PUBLIC_URL") or None,
            token_ttl_s=ttl,
            database_url=database_url or env.get("INTERVIEWER_DB") or None,
        )
