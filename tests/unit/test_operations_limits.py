"""Operations guards: a global cap on rounds started, and LiveKit's PII-marked log fields kept out of logs."""

from __future__ import annotations

import logging

import pytest
from aiohttp.test_utils import TestClient, TestServer

from agent.logs import DropFrameworkPii
from agent.settings import Settings, SettingsError
from tests.fakes.web import GOOD, make_app, make_settings

pytestmark = pytest.mark.unit


async def test_rounds_from_all_clients_together_are_capped():
    app = make_app(make_settings(rate_limit=100, global_rate_limit=2))
    async with TestClient(TestServer(app)) as c:
        codes = [(await c.post("/api/session", json=GOOD)).status for _ in range(3)]
        last = await c.post("/api/session", json=GOOD)
        assert codes == [200, 200, 429] and last.status == 429
        assert "too many rounds just now" in (await last.json())["error"] and last.headers["Retry-After"]


@pytest.mark.parametrize("raw", ["lots", "0"])
def test_a_bad_global_cap_is_one_line_naming_the_variable(raw):
    env = {"LIVEKIT_URL": "ws://127.0.0.1:7880", "LIVEKIT_API_KEY": "k", "LIVEKIT_API_SECRET": "s",
           "INTERVIEWER_GLOBAL_RATE_LIMIT": raw}
    with pytest.raises(SettingsError, match="INTERVIEWER_GLOBAL_RATE_LIMIT"):
        Settings.from_env(env)


def test_framework_pii_fields_are_dropped_from_log_records():
    seen: list[logging.LogRecord] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            seen.append(record)

    handler = Keep()
    handler.addFilter(DropFrameworkPii())
    logger = logging.getLogger("test.framework.pii")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        logger.warning("turn", extra={"lk.pii.user_transcript": "my salary is", "room": "r1"})
    finally:
        logger.removeHandler(handler)
    fields = vars(seen[0])
    assert "lk.pii.user_transcript" not in fields and fields["room"] == "r1"
