"""Tokens minted by the app, and the rooms it opens, checked against a real livekit-server."""

from __future__ import annotations

import asyncio
import datetime as dt
import json

import pytest
from livekit import api, rtc
from livekit.rtc.participant import PublishTrackError

from agent.content.loader import load_bank
from agent.devtools.livekit_server import LiveKitServer
from agent.web.catalog import RoundRequest, bank_catalog
from agent.web.rooms import livekit_opener, room_request
from agent.web.tokens import candidate_grants, mint_session, new_room_name

from .conftest import web_settings

pytestmark = pytest.mark.e2e

CONNECT_TIMEOUT_S = 15


def round_request() -> RoundRequest:
    persona = bank_catalog(load_bank())[0]
    return RoundRequest(persona=persona.id, track=persona.tracks[0], minutes=persona.default_minutes)


async def connect(server: LiveKitServer, token: str) -> rtc.Room:
    room = rtc.Room()
    await asyncio.wait_for(room.connect(server.url, token), CONNECT_TIMEOUT_S)
    return room


async def refused(server: LiveKitServer, token: str) -> bool:
    room = rtc.Room()
    try:
        await asyncio.wait_for(room.connect(server.url, token), CONNECT_TIMEOUT_S)
    except rtc.ConnectError:
        return True
    await room.disconnect()
    return False


async def open_round(server: LiveKitServer) -> str:
    """A room opened the way the web app opens one (interviewer dispatched); returns its name."""
    settings = web_settings(server)
    room = new_room_name()
    await livekit_opener(settings)(room_request(settings, room, round_request()))
    return room


async def open_plain(server: LiveKitServer, room: str) -> None:
    """A room with no agent in it, so a hand-made token has something to join."""
    async with api.LiveKitAPI(server.url.replace("ws://", "http://"), server.api_key, server.api_secret) as lk:
        await lk.room.create_room(api.CreateRoomRequest(name=room, empty_timeout=10))


def hand_made(server: LiveKitServer, room: str, *, secret: str | None = None, ttl_s: int = 300) -> str:
    return (
        api.AccessToken(server.api_key, secret or server.api_secret)
        .with_identity("intruder")
        .with_ttl(dt.timedelta(seconds=ttl_s))
        .with_grants(candidate_grants(room))
        .to_jwt()
    )


async def test_minted_token_joins_the_room_the_app_opened_with_the_agent(livekit_server: LiveKitServer) -> None:
    grant = mint_session(web_settings(livekit_server), await open_round(livekit_server))
    room = await connect(livekit_server, grant.token)
    try:
        assert room.isconnected()
        assert room.name == grant.room
        assert room.local_participant.identity == grant.identity
        permissions = room.local_participant.permissions
        assert permissions.can_subscribe
        assert not permissions.can_publish_data
        assert [rtc.TrackSource.Name(s) for s in permissions.can_publish_sources] == ["SOURCE_MICROPHONE"]

        # opening the room created the one explicit dispatch for the interviewer
        async with api.LiveKitAPI(
            livekit_server.url.replace("ws://", "http://"), livekit_server.api_key, livekit_server.api_secret
        ) as lkapi:
            dispatches = await lkapi.agent_dispatch.list_dispatch(room_name=grant.room)
        assert [d.agent_name for d in dispatches] == ["pm-interviewer"]
        assert json.loads(dispatches[0].metadata) == {
            "persona": round_request().persona,
            "track": round_request().track,
            "minutes": round_request().minutes,
        }
    finally:
        await room.disconnect()


async def test_microphone_publishes_but_camera_is_refused(livekit_server: LiveKitServer) -> None:
    grant = mint_session(web_settings(livekit_server), await open_round(livekit_server))
    room = await connect(livekit_server, grant.token)
    try:
        mic = rtc.LocalAudioTrack.create_audio_track("mic", rtc.AudioSource(48000, 1))
        mic_options = rtc.TrackPublishOptions(source=rtc.TrackSource.SOURCE_MICROPHONE)
        publication = await asyncio.wait_for(room.local_participant.publish_track(mic, mic_options), 15)
        assert publication.sid
        camera = rtc.LocalVideoTrack.create_video_track("camera", rtc.VideoSource(64, 64))
        camera_options = rtc.TrackPublishOptions(source=rtc.TrackSource.SOURCE_CAMERA)
        # the server never answers a publish outside the granted sources; the SDK gives up
        with pytest.raises(PublishTrackError):
            await asyncio.wait_for(room.local_participant.publish_track(camera, camera_options), 30)
    finally:
        await room.disconnect()


async def test_rounds_are_isolated_from_each_other(livekit_server: LiveKitServer) -> None:
    settings = web_settings(livekit_server)
    first = mint_session(settings, await open_round(livekit_server))
    second = mint_session(settings, await open_round(livekit_server))
    room_a = await connect(livekit_server, first.token)
    room_b = await connect(livekit_server, second.token)
    try:
        await asyncio.sleep(1.0)
        assert room_a.name != room_b.name
        assert second.identity not in room_a.remote_participants
        assert first.identity not in room_b.remote_participants
    finally:
        await room_a.disconnect()
        await room_b.disconnect()


async def test_a_token_cannot_create_its_room(livekit_server: LiveKitServer) -> None:
    """Only the app opens rooms: a valid token for a room nobody opened (or one that closed) joins nothing."""
    grant = mint_session(web_settings(livekit_server), new_room_name())
    assert await refused(livekit_server, grant.token)


async def test_expired_token_is_refused(livekit_server: LiveKitServer) -> None:
    await open_plain(livekit_server, "round-expired")
    # livekit-server allows a little clock skew, so expire it well in the past
    token = hand_made(livekit_server, "round-expired", ttl_s=-600)
    assert await refused(livekit_server, token)


async def test_forged_token_is_refused(livekit_server: LiveKitServer) -> None:
    await open_plain(livekit_server, "round-forged")
    token = hand_made(livekit_server, "round-forged", secret="not-the-server-secret-" + "x" * 20)
    assert await refused(livekit_server, token)


async def test_token_without_join_grant_is_refused(livekit_server: LiveKitServer) -> None:
    token = (
        api.AccessToken(livekit_server.api_key, livekit_server.api_secret)
        .with_identity("lister")
        .with_grants(api.VideoGrants(room_list=True))
        .to_jwt()
    )
    assert await refused(livekit_server, token)


async def test_control_hand_made_valid_token_joins(livekit_server: LiveKitServer) -> None:
    """Guards the refusal tests: the same hand-made token, validly signed and fresh, does join an open room."""
    await open_plain(livekit_server, "round-control")
    assert not await refused(livekit_server, hand_made(livekit_server, "round-control"))
