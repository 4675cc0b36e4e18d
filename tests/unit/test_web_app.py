"""Pages, headers and limits of the web app (hermetic: fake catalog and report pages)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient, TestServer

from agent.devtools.livekit_server import _config_yaml
from agent.settings import Settings, SettingsError
from agent.web.catalog import RequestError, validate_round
from agent.web.ratelimit import RateLimiter
from agent.web.settings import WebSettingsError, browser_url
from tests.fakes.web import FAKE_CHOICES, GOOD, FakePages, make_app, make_settings

pytestmark = pytest.mark.unit

REPO = Path(__file__).resolve().parents[2]


def page_dist(tmp_path: Path) -> Path:
    (tmp_path / "index.html").write_text((REPO / "frontend" / "src" / "index.html").read_text())
    (tmp_path / "app.js").write_text("export {};\n")
    return tmp_path


async def test_page_is_served_with_a_strict_policy(tmp_path: Path) -> None:
    async with TestClient(TestServer(make_app(dist=page_dist(tmp_path)))) as c:
        response = await c.get("/", headers={"Origin": "https://evil.example"})
        assert response.status == 200
        assert "Start the round" in await response.text()
        csp = response.headers["Content-Security-Policy"]
        directives = dict(d.strip().split(" ", 1) for d in csp.split(";"))
        assert directives["default-src"] == "'none'"
        assert directives["script-src"] == "'self'"
        assert directives["style-src"] == "'self'"
        assert directives["connect-src"].split() == ["'self'", "ws://127.0.0.1:7880", "http://127.0.0.1:7880"]
        assert directives["frame-ancestors"] == "'none'"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert "Access-Control-Allow-Origin" not in response.headers
        asset = await c.get("/static/dist/app.js")
        assert asset.status == 200
        assert "Content-Security-Policy" in asset.headers


async def test_unbuilt_page_says_how_to_build(tmp_path: Path) -> None:
    async with TestClient(TestServer(make_app(dist=tmp_path / "missing"))) as c:
        response = await c.get("/")
        assert response.status == 503
        assert "npm ci" in await response.text()


def test_page_source_has_no_inline_script_or_handlers() -> None:
    html = (REPO / "frontend" / "src" / "index.html").read_text()
    scripts = re.findall(r"<script\b([^>]*)>(.*?)</script>", html, flags=re.S)
    assert scripts, "the page must load its bundle"
    for attrs, body in scripts:
        assert "src=" in attrs and not body.strip()
    assert not re.search(r"\son[a-z]+=", html)
    assert "style=" not in html
    assert "http://" not in html and "https://" not in html  # nothing from a CDN


async def test_personas_lists_the_catalog() -> None:
    async with TestClient(TestServer(make_app())) as c:
        data = await (await c.get("/api/personas")).json()
    assert [p["id"] for p in data["personas"]] == ["fake-platform", "fake-consumer"]
    first = data["personas"][0]
    assert first["tracks"] == ["internal-platform", "external-api"]
    assert first["default_minutes"] == 20 and first["warn_before_end_s"] == 90


async def test_broken_catalog_gives_503_not_a_token() -> None:
    def broken() -> list:
        raise ValueError("question_bank/x.yaml: bad")

    pages = FakePages()
    from agent.web.app import create_app

    app = create_app(
        make_settings(), catalog=broken, round_page=pages.round_page, history_page=pages.history_page
    )
    async with TestClient(TestServer(app)) as c:
        assert (await c.get("/api/personas")).status == 503
        response = await c.post("/api/session", json=GOOD)
        assert response.status == 503
        assert "token" not in await response.json()


async def test_report_and_history_use_the_injected_pages() -> None:
    pages = FakePages()
    async with TestClient(TestServer(make_app(pages=pages))) as c:
        response = await c.get("/rounds/r-known")
        assert response.status == 200
        text = await response.text()
        round_id, nonce = pages.round_calls[-1]
        assert round_id == "r-known"
        assert f'nonce="{nonce}"' in text
        assert f"'nonce-{nonce}'" in response.headers["Content-Security-Policy"]
        missing = await c.get("/rounds/r-unknown")
        assert missing.status == 404
        calls = len(pages.round_calls)
        bad = await c.get("/rounds/..%2Fetc")
        assert bad.status == 404
        assert len(pages.round_calls) == calls  # never reached the store
        history = await c.get("/history")
        assert history.status == 200
        assert "/rounds/r-known" in await history.text()
        assert (await c.get("/healthz")).status == 200


async def test_failing_report_is_a_500_page_without_details() -> None:
    def explode(round_id: str, nonce: str, owner: str) -> str:
        raise RuntimeError("database password is hunter2")

    from agent.web.app import create_app

    app = create_app(
        make_settings(),
        catalog=lambda: FAKE_CHOICES,
        round_page=explode,
        history_page=FakePages().history_page,
    )
    async with TestClient(TestServer(app)) as c:
        response = await c.get("/rounds/r-1")
        assert response.status == 500
        assert "hunter2" not in await response.text()


async def test_token_minting_is_rate_limited_per_address() -> None:
    async with TestClient(TestServer(make_app(make_settings(rate_limit=3)))) as c:
        statuses = [(await c.post("/api/session", json=GOOD)).status for _ in range(4)]
        assert statuses == [200, 200, 200, 429]
        limited = await c.post("/api/session", json=GOOD)
        assert int(limited.headers["Retry-After"]) >= 1


async def test_behind_a_trusted_proxy_each_forwarded_client_has_its_own_bucket() -> None:
    from agent.web.client_address import parse_proxies

    trusted = make_settings(rate_limit=1, trusted_proxies=parse_proxies("127.0.0.1"))
    async with TestClient(TestServer(make_app(trusted))) as c:
        first = [(await c.post("/api/session", json=GOOD, headers={"X-Forwarded-For": ip})).status
                 for ip in ("203.0.113.7", "203.0.113.8", "203.0.113.7")]
        assert first == [200, 200, 429]
    untrusted = make_settings(rate_limit=1)  # no proxy listed: the header is anyone's to forge, so it is ignored
    async with TestClient(TestServer(make_app(untrusted))) as c:
        forged = [(await c.post("/api/session", json=GOOD, headers={"X-Forwarded-For": ip})).status
                  for ip in ("203.0.113.7", "203.0.113.8")]
        assert forged == [200, 429]


def test_client_address_reads_only_the_hops_a_trusted_proxy_added() -> None:
    from agent.web.client_address import client_address, parse_proxies

    proxies = parse_proxies("10.0.0.0/8, 127.0.0.1")
    assert client_address("10.0.0.5", "198.51.100.1, 203.0.113.9, 10.0.0.7", proxies) == "203.0.113.9"
    assert client_address("192.0.2.1", "203.0.113.9", proxies) == "192.0.2.1"  # the peer is no proxy
    assert client_address("10.0.0.5", None, proxies) == "10.0.0.5"
    with pytest.raises(SettingsError, match="^INTERVIEWER_TRUSTED_PROXIES: not an address or network: 'nope'"):
        Settings.from_env({"LIVEKIT_URL": "ws://x:1", "LIVEKIT_API_KEY": "k", "LIVEKIT_API_SECRET": "s",
                           "INTERVIEWER_TRUSTED_PROXIES": "10.0.0.1, nope"})


def test_rate_limiter_window_slides_and_table_is_bounded() -> None:
    now = [0.0]
    limiter = RateLimiter(limit=2, window_s=10, max_keys=3, clock=lambda: now[0])
    assert limiter.allow("a") and limiter.allow("a")
    assert not limiter.allow("a")
    assert limiter.retry_after("a") == pytest.approx(10)
    now[0] = 10.5
    assert limiter.allow("a")
    for key in ("b", "c", "d", "e"):
        limiter.allow(key)
    assert len(limiter) == 3


def test_validate_round_rejects_unknown_persona_with_its_field() -> None:
    with pytest.raises(RequestError) as info:
        validate_round({"persona": "x"}, FAKE_CHOICES)
    assert info.value.field == "persona"


def test_settings_from_env_names_the_missing_variable() -> None:
    with pytest.raises(SettingsError, match="^LIVEKIT_URL"):
        Settings.from_env({}).web()
    with pytest.raises(SettingsError, match="^LIVEKIT_API_SECRET"):
        Settings.from_env({"LIVEKIT_URL": "ws://x:1", "LIVEKIT_API_KEY": "k"}).web()
    settings = Settings.from_env(
        {
            "LIVEKIT_URL": "http://lk:7880",
            "LIVEKIT_API_KEY": "k",
            "LIVEKIT_API_SECRET": "s",
            "LIVEKIT_PUBLIC_URL": "https://rtc.example.org/",
        }
    ).web()
    assert settings.browser_livekit_url == "wss://rtc.example.org"
    assert browser_url("ws://127.0.0.1:7880") == "ws://127.0.0.1:7880"
    with pytest.raises(WebSettingsError, match="LIVEKIT_URL"):
        browser_url("ftp://host")


def test_dev_server_config_binds_loopback_and_quotes_keys() -> None:
    text = _config_yaml(port=1, tcp_port=2, udp_port=3, api_key="k", api_secret='se"cret')
    assert "  - 127.0.0.1" in text
    assert '"k": "se\\"cret"' in text
    assert "udp_port: 3" in text


def test_servers_we_configure_never_create_a_room_on_join() -> None:
    """Only the web app opens rooms (agent/web/rooms.py): a stale token cannot bring a closed room back."""
    import yaml

    assert "room:\n  auto_create: false\n" in _config_yaml(port=1, tcp_port=2, udp_port=3, api_key="k", api_secret="s")
    assert yaml.safe_load((REPO / "livekit.yaml").read_text())["room"]["auto_create"] is False
