"""A fake audio turn model for the two-gate tests: says what it is told, and counts what it was asked.

Acoustic turn models misjudge synthetic voices, so tests of the gates drive
the audio half with this fake and assert on transcripts and timings they
control; the real v1-mini is measured in bench.cutoffs.
"""

from __future__ import annotations


class FakeTurnGate:
    """Stands where ``agent.voice.turn_gate.AcousticTurnGate`` would."""

    def __init__(self, finished: bool | None) -> None:
        self.answer = finished
        self.frames = 0
        self.asked = 0
        self.turns_over = 0

    def push(self, frame: object) -> None:
        self.frames += 1

    async def finished(self) -> bool | None:
        self.asked += 1
        return self.answer

    def turn_over(self) -> None:
        self.turns_over += 1

    async def aclose(self) -> None:
        pass
