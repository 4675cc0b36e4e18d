"""The failure-injecting voice fakes do what the robustness tests rely on."""

from __future__ import annotations

import pytest
from livekit.agents import APIError

from tests.fakes.voice import FakeFailingTTS

pytestmark = pytest.mark.integration


async def test_failing_tts_fails_once_then_speaks():
    from agent.speech.tts import PiperTTS

    fake = FakeFailingTTS(PiperTTS())
    fake.arm()
    with pytest.raises(APIError):
        async with fake.synthesize("One.") as stream:
            async for _ in stream:
                pass
    frames = []
    async with fake.synthesize("Two.") as stream:
        async for ev in stream:
            frames.append(ev.frame)
    assert fake.failures == 1 and sum(f.duration for f in frames) > 0.2
