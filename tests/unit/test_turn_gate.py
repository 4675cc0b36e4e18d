"""The audio half of the two gates, around a fake detector: what it answers when the model is slow or absent."""

import asyncio
import time

import pytest

from agent.voice.turn_gate import PREDICTION_TIMEOUT_S, VOICE_QUIET_S, AcousticTurnGate, ask_two_gates

pytestmark = pytest.mark.unit


class FakeEvent:
    def __init__(self, probability: float) -> None:
        self.end_of_turn_probability = probability


class FakeStream:
    """A fake v1-mini stream: counts frames, answers with a set probability, optionally never."""

    def __init__(self, probability: float, *, hang: bool = False) -> None:
        self.probability, self.hang = probability, hang
        self.frames = 0
        self.flushed = 0
        self.closed = False

    def push_audio(self, frame) -> None:
        self.frames += 1

    async def unlikely_threshold(self, language) -> float:
        return 0.36

    def predict(self) -> asyncio.Future:
        fut = asyncio.get_running_loop().create_future()
        if not self.hang:
            fut.set_result(FakeEvent(self.probability))
        return fut

    def flush(self, reason=None) -> None:
        self.flushed += 1

    async def aclose(self) -> None:
        self.closed = True


class FakeDetector:
    def __init__(self, stream: FakeStream | None = None, *, broken: bool = False) -> None:
        self._stream, self._broken = stream, broken

    def stream(self) -> FakeStream:
        if self._broken:
            raise RuntimeError("no model here")
        assert self._stream is not None
        return self._stream


@pytest.mark.parametrize("probability,finished", [(0.9, True), (0.36, True), (0.2, False)])
async def test_the_model_says_finished_at_or_above_its_threshold(probability, finished):
    stream = FakeStream(probability)
    gate = AcousticTurnGate(FakeDetector(stream))
    gate.push(object())  # type: ignore[arg-type]
    assert stream.frames == 1
    assert await gate.finished() is finished
    gate.turn_over()
    assert stream.flushed == 1
    await gate.aclose()
    assert stream.closed


async def test_a_model_that_does_not_answer_in_time_is_no_answer():
    gate = AcousticTurnGate(FakeDetector(FakeStream(0.9, hang=True)))
    loop = asyncio.get_running_loop()
    started = loop.time()
    assert await gate.finished() is None
    assert loop.time() - started < PREDICTION_TIMEOUT_S + 0.5


async def test_a_model_that_cannot_load_is_no_answer_and_never_retried():
    gate = AcousticTurnGate(FakeDetector(broken=True))
    gate.push(object())  # type: ignore[arg-type]
    assert await gate.finished() is None and gate.failed


async def test_a_closed_gate_ignores_late_frames_without_counting_as_a_failure():
    stream = FakeStream(0.9)
    gate = AcousticTurnGate(FakeDetector(stream))
    gate.push(object())  # type: ignore[arg-type]
    await gate.aclose()
    gate.push(object())  # type: ignore[arg-type]
    assert stream.frames == 1 and stream.closed
    assert await gate.finished() is None
    assert not gate.failed


class FinishedWords:
    """A fake conductor whose look-ahead always reads the words as finished."""

    outlooks_late = 0

    async def outlook(self, text, *, speaking_s):
        return type("Outlook", (), {"unfinished": None})()


class ClockedGate:
    """A fake audio gate that notes the wall clock it was asked at."""

    def __init__(self) -> None:
        self.asked_at: list[float] = []

    async def finished(self) -> bool:
        self.asked_at.append(time.time())
        return True


async def test_the_voice_is_asked_only_once_the_candidate_has_been_quiet_long_enough():
    gate = ClockedGate()
    stopped = time.time()
    reason, call = await ask_two_gates(FinishedWords(), gate, "words", speaking_s=3.0, quiet_since=stopped)
    assert reason is None and call.voice is True
    assert gate.asked_at[0] >= stopped + VOICE_QUIET_S - 0.01


async def test_a_pause_already_long_enough_or_of_unknown_length_still_asks_the_voice():
    gate = ClockedGate()
    await ask_two_gates(FinishedWords(), gate, "words", speaking_s=3.0, quiet_since=time.time() - 10)
    await ask_two_gates(FinishedWords(), gate, "words", speaking_s=3.0)
    assert len(gate.asked_at) == 2
