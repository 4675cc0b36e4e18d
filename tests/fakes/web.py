"""Fakes for the web app's unit tests: settings with a throwaway key pair, a catalog, report pages,
and a room opener that records the rooms the app asks the LiveKit server for.
"""

from __future__ import annotations

import json
import secrets
from pathlib import Path
from typing import Any

from livekit import api

from agent.web.app import create_app
from agent.web.catalog import PersonaChoice
from agent.web.settings import WebSettings

API_KEY = "unit-key"
API_SECRET = "unit-secret-" + secrets.token_hex(20)

FAKE_CHOICES = (
    PersonaChoice(
        id="fake-platform",
        name="Pat",
        title="Platform lead",
        description="Asks about adoption.",
        tracks=("internal-platform", "external-api"),
        default_minutes=20,
        warn_before_end_s=90,
    ),
    PersonaChoice(
        id="fake-consumer",
        name="Cam",
        title="Consumer PM",
        description="Asks about users.",
        tracks=("consumer",),
        default_minutes=15,
        warn_before_end_s=60,
    ),
)


def fake_catalog() -> tuple[PersonaChoice, ...]:
    return FAKE_CHOICES


class FakePages:
    """Stands in for agent.report/agent.store: records calls, knows one round."""

    def __init__(self) -> None:
        self.round_calls: list[tuple[str, str]] = []

    def round_page(self, round_id: str, nonce: str, owner: str) -> str | None:
        self.round_calls.append((round_id, nonce))
        if round_id != "r-known":
            return None
        return f'<!doctype html><title>report</title><script nonce="{nonce}">1</script><p>{round_id}</p>'

    def history_page(self, nonce: str, owner: str) -> str:
        return "<!doctype html><title>history</title><a href='/rounds/r-known'>r-known</a>"


class FakeRoomOpener:
    """Stands in for the LiveKit server's CreateRoom: records each request; ``fail`` makes it raise."""

    def __init__(self, fail: Exception | None = None) -> None:
        self.opened: dict[str, api.CreateRoomRequest] = {}
        self.fail = fail

    async def __call__(self, create: api.CreateRoomRequest) -> None:
        if self.fail is not None:
            raise self.fail
        assert create.name not in self.opened, "a room was opened twice"
        self.opened[create.name] = create

    def metadata(self, room: str) -> dict[str, Any]:
        """The job metadata of the one interviewer dispatched into ``room``."""
        (dispatch,) = self.opened[room].agents
        data: dict[str, Any] = json.loads(dispatch.metadata)
        return data


def make_settings(**overrides: object) -> WebSettings:
    values: dict[str, object] = dict(
        livekit_url="ws://127.0.0.1:7880", api_key=API_KEY, api_secret=API_SECRET
    )
    values.update(overrides)
    return WebSettings(**values)  # type: ignore[arg-type]


def make_app(settings: WebSettings | None = None, pages: FakePages | None = None, dist: Path | None = None,
             rooms: FakeRoomOpener | None = None):
    pages = pages or FakePages()
    return create_app(
        settings or make_settings(),
        catalog=fake_catalog,
        round_page=pages.round_page,
        history_page=pages.history_page,
        dist_dir=dist,
        room_opener=rooms or FakeRoomOpener(),
    )


GOOD = {"persona": "fake-platform", "track": "external-api", "minutes": 25}
