"""A Piper voice's session asks onnxruntime to shrink its memory arena after every sentence (agent.speech._onnx)."""

from __future__ import annotations

from typing import Any

import pytest

from agent.speech._onnx import SHRINK_ENTRY, ShrinkingSession, shrink_after_each_run

pytestmark = pytest.mark.unit


class FakeSession:
    """Stands in for an InferenceSession: records the run options each run was given."""

    def __init__(self) -> None:
        self.runs: list[Any] = []

    def run(self, output_names: Any, input_feed: Any, run_options: Any = None) -> list[str]:
        self.runs.append(run_options)
        return ["audio"]

    def get_inputs(self) -> list[str]:
        return ["input"]


class FakeVoice:
    def __init__(self) -> None:
        self.session: Any = FakeSession()


def test_every_run_shrinks_the_cpu_arena_and_the_rest_passes_through() -> None:
    voice = FakeVoice()
    inner = voice.session
    shrink_after_each_run(voice)
    shrink_after_each_run(voice)  # idempotent: one wrapper, not two
    assert isinstance(voice.session, ShrinkingSession) and voice.session._session is inner
    assert voice.session.run(None, {"input": 1}) == ["audio"]
    (options,) = inner.runs
    assert options.get_run_config_entry(SHRINK_ENTRY) == "cpu:0"
    assert voice.session.get_inputs() == ["input"]


def test_the_callers_own_run_options_are_kept() -> None:
    import onnxruntime

    voice = shrink_after_each_run(FakeVoice())
    mine = onnxruntime.RunOptions()
    voice.session.run(None, {}, mine)
    assert voice.session._session.runs == [mine]
