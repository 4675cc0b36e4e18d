"""A Piper voice's ONNX session that gives back, after each sentence, what that sentence needed.

onnxruntime keeps a memory arena per session and grows it to the largest
tensors any run has needed; it never shrinks by itself. Piper's tensors grow
with the length of the sentence it renders (one sentence, resident memory
above the loaded voice: 131 phoneme ids +76 MB, 269 +162 MB, 407 +212 MB,
545 +325 MB, 1097 +673 MB), so a process that speaks round after round kept
the arena of its longest sentence so far: the soak's ten spoken rounds grew in
steps as longer wrap-up lines came along, and one 143-word sentence held
1.1 GB for good.

The arena is asked to shrink at the end of every run. That costs CPU, because
each sentence allocates its tensors again: in an A/B on the bank's first 80
lines, median 543 against 483 ms of CPU per sentence (+12%). Keeping the arena
for ordinary sentences (up to 400 ids; the bank's lines are at most 331) and
shrinking only after longer ones was tried and measured: the soak then still
grew in steps, 645 to 734 MB (+13.8%) after warm-up, because wrap-up lines
between 270 and 400 ids kept raising the kept arena. Shrinking every run kept
it at 568 to 601 MB (+5.9%).
"""

from __future__ import annotations

from typing import Any

import onnxruntime

SHRINK_ENTRY = "memory.enable_memory_arena_shrinkage"


class ShrinkingSession:
    """Wraps an ``onnxruntime.InferenceSession``: every ``run`` ends by shrinking the CPU arena."""

    def __init__(self, session: Any) -> None:
        self._session = session
        self._options = onnxruntime.RunOptions()
        self._options.add_run_config_entry(SHRINK_ENTRY, "cpu:0")

    def run(self, output_names: Any, input_feed: Any, run_options: Any = None) -> Any:
        """The session's ``run`` with the shrinking run options (the caller's options, if any, win)."""
        return self._session.run(output_names, input_feed, run_options or self._options)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._session, name)


def shrink_after_each_run(voice: Any) -> Any:
    """Give a loaded ``PiperVoice`` the shrinking session (idempotent); returns the voice."""
    if not isinstance(voice.session, ShrinkingSession):
        voice.session = ShrinkingSession(voice.session)
    return voice
