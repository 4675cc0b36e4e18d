"""The room's End and "I'm done" packets, including those that arrive before the voice session exists."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from agent.interview.turn_end import DONE_TOPIC
from agent.voice.room_round import _on_done

pytestmark = pytest.mark.unit


def packet(data: bytes, *, participant: object = None) -> SimpleNamespace:
    """A data packet as the server relays it (``participant`` is None for the server itself)."""
    return SimpleNamespace(topic=DONE_TOPIC, participant=participant, data=data)


class FakeVoice:
    """Stands in for the voice round: records end-of-turn requests."""

    def __init__(self) -> None:
        self.requests = 0
        self.agent = SimpleNamespace(request_end_of_turn=self._request)

    def _request(self) -> None:
        self.requests += 1


def test_end_pressed_before_the_voice_session_exists_still_ends_the_round() -> None:
    ended: list[str] = []
    _on_done(packet(b'{"end": true}'), None, lambda: ended.append("end"))
    assert ended == ["end"]


def test_done_before_the_voice_session_exists_has_no_answer_to_end() -> None:
    _on_done(packet(b"{}"), None)  # nothing to end, and nothing raised


def test_done_and_end_once_the_session_runs() -> None:
    voice, ended = FakeVoice(), []
    _on_done(packet(b"{}"), voice, lambda: ended.append("end"))
    _on_done(packet(b'{"end": true}'), voice, lambda: ended.append("end"))
    _on_done(packet(b"{}", participant=object()), voice)  # a participant's own packet is not the server's relay
    assert voice.requests == 1 and ended == ["end"]
