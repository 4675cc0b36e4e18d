"""A Piper voice's ONNX session that gives back what an unusually long sentence needed.

onnxruntime keeps a memory arena per session and grows it to the largest
tensors any run has needed; it never shrinks by itself. Piper's tensors grow
with the length of the sentence it renders (one sentence, resident memory
above the loaded voice: 131 phoneme ids +76 MB, 269 +162 MB, 407 +212 MB,
545 +325 MB, 1097 +673 MB), so a process that speaks round after round kept
the arena of its longest sentence ever: the soak's ten spoken rounds grew in
steps as longer wrap-up lines came along, and one 143-word sentence held
1.1 GB for good.

Shrinking the arena after every run keeps memory lowest but costs about 12%
more CPU per sentence (A/B on the bank's 80 first lines: median 543 against
483 ms of CPU), because each sentence then allocates its tensors again. The
bank's own lines are short (median 101 ids, 99th percentile 283, longest
331), so the arena is kept for runs up to ``KEEP_ARENA_IDS`` and shrunk after
a longer one: ordinary lines cost nothing extra, and what a process holds is
bounded by what a ``KEEP_ARENA_IDS`` sentence needs.
"""

from __future__ import annotations

from typing import Any

SHRINK_ENTRY = "memory.enable_memory_arena_shrinkage"
# Runs up to this many phoneme ids keep the arena (about +212 MB at most); longer ones give it back.
KEEP_ARENA_IDS = 400


class ShrinkingSession:
    """Wraps an ``onnxruntime.InferenceSession``: a run on a long input ends by shrinking the CPU arena."""

    def __init__(self, session: Any, *, keep_up_to: int = KEEP_ARENA_IDS) -> None:
        import onnxruntime

        self._session = session
        self.keep_up_to = keep_up_to
        self._options = onnxruntime.RunOptions()
        self._options.add_run_config_entry(SHRINK_ENTRY, "cpu:0")

    def run(self, output_names: Any, input_feed: Any, run_options: Any = None) -> Any:
        """The session's ``run``; past ``keep_up_to`` ids, with the shrinking options (the caller's win)."""
        if run_options is None and _length(input_feed) > self.keep_up_to:
            run_options = self._options
        return self._session.run(output_names, input_feed, run_options)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._session, name)


def _length(input_feed: Any) -> int:
    """Phoneme ids in Piper's ``input`` tensor ([1, n]); an unknown feed counts as long (shrink to be safe)."""
    ids = input_feed.get("input") if isinstance(input_feed, dict) else None
    shape = getattr(ids, "shape", None)
    return int(shape[-1]) if shape else 1 << 30


def shrink_after_long_runs(voice: Any) -> Any:
    """Give a loaded ``PiperVoice`` the shrinking session (idempotent); returns the voice."""
    if not isinstance(voice.session, ShrinkingSession):
        voice.session = ShrinkingSession(voice.session)
    return voice
