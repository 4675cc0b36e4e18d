"""The real v1-mini audio turn model loads offline and answers within the gate's deadline.

What it answers on a synthetic voice is not asserted: acoustic models
misjudge synthetic speech (LiveKit turns v1-mini off in its own tests for
that reason), and the gate's decisions are tested on transcripts and fakes in
tests/unit/test_turn_gate.py and test_voice_bridge.py. Here the point is that
the model ships with the install and is fast enough to sit on the reply path.
"""

from __future__ import annotations

import numpy as np
import pytest
from livekit import rtc

from agent.devtools.simulated_round import flite_pcm
from agent.voice.turn_gate import AcousticTurnGate

pytestmark = pytest.mark.integration


async def test_v1_mini_answers_a_real_pause_in_time():
    pcm = np.concatenate([flite_pcm("I would measure how long a new team needs to ship something real."),
                          np.zeros(4800, np.int16)])
    gate = AcousticTurnGate()
    try:
        for i in range(0, len(pcm) - 320 + 1, 320):
            gate.push(rtc.AudioFrame(pcm[i:i + 320].tobytes(), 16000, 1, 320))
        answers = [await gate.finished() for _ in range(3)]
    finally:
        await gate.aclose()
    assert not gate.failed
    assert all(isinstance(a, bool) for a in answers), answers  # never "no answer": loaded, and in time
