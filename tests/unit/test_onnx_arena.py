"""A Piper voice's session shrinks onnxruntime's memory arena after a long sentence only (agent.speech._onnx)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from agent.speech._onnx import KEEP_ARENA_IDS, SHRINK_ENTRY, ShrinkingSession, shrink_after_long_runs

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


def _ids(n: int) -> dict[str, np.ndarray]:
    return {"input": np.zeros((1, n), dtype=np.int64), "input_lengths": np.array([n])}


def test_a_long_sentence_shrinks_the_arena_and_an_ordinary_one_keeps_it() -> None:
    voice = FakeVoice()
    inner = voice.session
    shrink_after_long_runs(voice)
    shrink_after_long_runs(voice)  # idempotent: one wrapper, not two
    assert isinstance(voice.session, ShrinkingSession) and voice.session._session is inner
    assert voice.session.run(None, _ids(KEEP_ARENA_IDS)) == ["audio"]
    voice.session.run(None, _ids(KEEP_ARENA_IDS + 1))
    voice.session.run(None, {"something": "else"})  # a feed it cannot measure counts as long
    ordinary, long, unknown = inner.runs
    assert ordinary is None  # the arena stays warm: no extra cost for the bank's own lines
    assert long.get_run_config_entry(SHRINK_ENTRY) == "cpu:0"
    assert unknown.get_run_config_entry(SHRINK_ENTRY) == "cpu:0"
    assert voice.session.get_inputs() == ["input"]


def test_the_callers_own_run_options_are_kept() -> None:
    import onnxruntime

    voice = shrink_after_long_runs(FakeVoice())
    mine = onnxruntime.RunOptions()
    voice.session.run(None, _ids(5000), mine)
    assert voice.session._session.runs == [mine]
