"""The token endpoint mints exactly the narrow token a round needs, and never leaks the secret."""

from __future__ import annotations

import base64
import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient, TestServer
from livekit import api

from agent.web.app import DIST_DIR
from agent.web.settings import MAX_TOKEN_TTL_S, WebSettingsError
from tests.fakes.web import API_KEY, API_SECRET, GOOD, FakeRoomOpener, make_app, make_settings

pytestmark = pytest.mark.unit

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def rooms() -> FakeRoomOpener:
    return FakeRoomOpener()


@pytest.fixture
async def client(rooms: FakeRoomOpener) -> AsyncIterator[TestClient]:
    async with TestClient(TestServer(make_app(rooms=rooms))) as c:
        yield c


def jwt_payload(token: str) -> dict:
    body = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))


async def test_session_opens_the_room_with_the_interviewer_and_the_token_only_joins(
        client: TestClient, rooms: FakeRoomOpener) -> None:
    response = await client.post("/api/session", json=GOOD)
    assert response.status == 200
    body = await response.json()
    assert set(body) == {"server_url", "token", "room", "identity", "expires_at", "done_key", "rejoin_key"}
    assert body["server_url"] == "ws://127.0.0.1:7880"
    assert body["room"].startswith("round-") and len(body["room"]) == len("round-") + 32
    assert body["identity"].startswith("candidate-")

    claims = api.TokenVerifier(API_KEY, API_SECRET).verify(body["token"])
    assert claims.identity == body["identity"]
    video = claims.video
    assert video is not None
    assert video.room == body["room"]
    assert video.room_join is True
    assert video.can_subscribe is True
    assert video.can_publish is True
    assert video.can_publish_sources == ["microphone"]
    assert video.can_publish_data is False
    assert not video.can_update_own_metadata
    for power in (
        "room_admin",
        "room_create",
        "room_list",
        "room_record",
        "ingress_admin",
        "agent",
        "hidden",
        "recorder",
        "can_manage_agent_session",
        "can_subscribe_metrics",
    ):
        assert not getattr(video, power), power
    assert video.destination_room is None

    payload = jwt_payload(body["token"])
    assert payload["exp"] - payload["nbf"] <= MAX_TOKEN_TTL_S
    assert payload["exp"] - payload["nbf"] == 600  # the default
    assert abs(payload["exp"] - body["expires_at"]) <= 2
    assert payload["iss"] == API_KEY
    # nothing beyond the video grant, identity, name and kind: no room configuration, so no dispatch
    assert set(payload) == {"video", "sub", "iss", "nbf", "exp", "name", "kind"}
    assert set(payload["video"]) == {
        "roomCreate",
        "roomList",
        "roomRecord",
        "roomAdmin",
        "roomJoin",
        "room",
        "canPublish",
        "canSubscribe",
        "canPublishData",
        "canPublishSources",
        "canUpdateOwnMetadata",
    }

    assert claims.room_config is None
    # the app opened that room itself, with the one interviewer dispatch of this round
    config = rooms.opened[body["room"]]
    assert list(rooms.opened) == [body["room"]]
    assert len(config.agents) == 1
    dispatch = config.agents[0]
    assert dispatch.agent_name == "pm-interviewer"
    expected = {"persona": "fake-platform", "track": "external-api", "minutes": 25}
    sent = json.loads(dispatch.metadata)
    assert sent.pop("owner").startswith("web:")  # whose round it will be (see test_web_ownership)
    assert sent == expected
    assert config.max_participants == 2
    assert (config.empty_timeout, config.departure_timeout) == (60, 75)


async def test_every_round_gets_a_new_room_and_identity(client: TestClient) -> None:
    first = await (await client.post("/api/session", json=GOOD)).json()
    second = await (await client.post("/api/session", json=GOOD)).json()
    assert first["room"] != second["room"]
    assert first["identity"] != second["identity"]


async def test_token_signed_with_another_secret_fails_verification(client: TestClient) -> None:
    body = await (await client.post("/api/session", json=GOOD)).json()
    with pytest.raises(Exception, match="[Ss]ignature"):
        api.TokenVerifier(API_KEY, "another-secret-" + "x" * 30).verify(body["token"])


async def test_ttl_follows_settings_and_is_capped() -> None:
    async with TestClient(TestServer(make_app(make_settings(token_ttl_s=300)))) as c:
        body = await (await c.post("/api/session", json=GOOD)).json()
    payload = jwt_payload(body["token"])
    assert payload["exp"] - payload["nbf"] == 300
    with pytest.raises(WebSettingsError, match="TTL"):
        make_settings(token_ttl_s=MAX_TOKEN_TTL_S + 1)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"persona": "nobody", "track": "consumer", "minutes": 10}, "persona"),
        ({"persona": 7, "track": "consumer", "minutes": 10}, "persona"),
        ({"track": "consumer", "minutes": 10}, "persona"),
        ({"persona": "fake-consumer", "track": "external-api", "minutes": 10}, "track"),
        ({"persona": "fake-consumer", "track": "consumer", "minutes": 2}, "minutes"),
        ({"persona": "fake-consumer", "track": "consumer", "minutes": 91}, "minutes"),
        ({"persona": "fake-consumer", "track": "consumer", "minutes": "10"}, "minutes"),
        ({"persona": "fake-consumer", "track": "consumer", "minutes": True}, "minutes"),
        ({"persona": "fake-consumer", "track": "consumer", "minutes": 10, "admin": True}, "admin"),
        ([1, 2], "body"),
    ],
)
async def test_bad_input_is_400_naming_the_field(client: TestClient, body: object, field: str) -> None:
    response = await client.post("/api/session", json=body)
    assert response.status == 400
    data = await response.json()
    assert data["field"] == field
    assert data["error"].startswith(f"{field}:")
    assert "\n" not in data["error"]


async def test_defaults_fill_track_and_minutes(client: TestClient, rooms: FakeRoomOpener) -> None:
    body = await (await client.post("/api/session", json={"persona": "fake-consumer"})).json()
    sent = rooms.metadata(body["room"])
    sent.pop("owner")
    assert sent == {"persona": "fake-consumer", "track": "consumer", "minutes": 15}


async def test_a_room_that_cannot_be_opened_is_a_503_line_and_no_token() -> None:
    rooms = FakeRoomOpener(fail=ConnectionError("connection refused by 127.0.0.1:7880"))
    async with TestClient(TestServer(make_app(rooms=rooms))) as c:
        response = await c.post("/api/session", json=GOOD)
        body = await response.json()
    assert response.status == 503
    assert set(body) == {"error"} and "\n" not in body["error"]
    assert body["error"].startswith("the interview server could not open a room")


async def test_refused_requests_open_no_room(client: TestClient, rooms: FakeRoomOpener) -> None:
    await client.post("/api/session", json={"persona": "nobody"})
    await client.post("/api/session", json=GOOD, headers={"Origin": "https://evil.example"})
    assert rooms.opened == {}


async def test_non_json_and_cross_origin_are_refused(client: TestClient) -> None:
    response = await client.post("/api/session", data="persona=x", headers={"Content-Type": "text/plain"})
    assert response.status == 415
    response = await client.post("/api/session", data="{", headers={"Content-Type": "application/json"})
    assert response.status == 400
    assert (await response.json())["field"] == "body"
    response = await client.post("/api/session", json=GOOD, headers={"Origin": "https://evil.example"})
    assert response.status == 403
    assert "Access-Control-Allow-Origin" not in response.headers


async def test_secret_never_appears_in_responses_or_page_assets(tmp_path: Path) -> None:
    dist = DIST_DIR if (DIST_DIR / "index.html").is_file() else tmp_path
    if dist is tmp_path:
        (tmp_path / "index.html").write_text((REPO / "frontend" / "src" / "index.html").read_text())
    async with TestClient(TestServer(make_app(dist=dist))) as c:
        bodies = [
            await (await c.get("/")).read(),
            await (await c.get("/healthz")).read(),
            await (await c.get("/api/personas")).read(),
            await (await c.post("/api/session", json=GOOD)).read(),
            await (await c.post("/api/session", json={"persona": "nobody"})).read(),
            await (await c.get("/rounds/r-known")).read(),
            await (await c.get("/history")).read(),
        ]
        for asset in sorted(p.name for p in dist.iterdir() if p.is_file()):
            response = await c.get(f"/static/dist/{asset}")
            assert response.status == 200, asset
            bodies.append(await response.read())
    assert len(bodies) >= 8
    for body in bodies:
        assert API_SECRET.encode() not in body
    # the settings repr (which ends up in tracebacks) hides it too
    assert API_SECRET not in repr(make_settings())
