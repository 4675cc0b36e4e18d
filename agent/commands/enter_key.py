"""Enter in a microphone round means "I'm done": the terminal's version of the web page's Done button.

A spoken answer otherwise ends only after the persona's silence wait. A
candidate at a keyboard can skip that wait by pressing Enter, the same
explicit end the browser offers with its button and the space bar. The
terminal is read without blocking the event loop (the loop watches the file
descriptor), and only when it is a terminal: a round started with its input
redirected never waits on, or consumes, that input.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import Callable
from typing import IO

_READ_BYTES = 4096


class EnterKey:
    """Calls ``on_enter`` when a line is typed on ``stream`` while attached to ``loop``."""

    def __init__(self, loop: asyncio.AbstractEventLoop, stream: IO[str], on_enter: Callable[[], None]) -> None:
        self._loop = loop
        self._fd = stream.fileno()
        self._on_enter = on_enter
        self._attached = False

    @classmethod
    def for_terminal(cls, loop: asyncio.AbstractEventLoop, stream: IO[str],
                     on_enter: Callable[[], None]) -> EnterKey | None:
        """A watcher when ``stream`` is an interactive terminal on a loop that can watch it, else None."""
        try:
            interactive = stream.isatty()
        except (ValueError, OSError):  # a closed or detached stream
            return None
        if not interactive:
            return None
        watcher = cls(loop, stream, on_enter)
        return watcher if watcher.attach() else None

    def attach(self) -> bool:
        try:
            self._loop.add_reader(self._fd, self._readable)
        except (NotImplementedError, OSError, ValueError):  # e.g. the Windows proactor loop
            return False
        self._attached = True
        return True

    def _readable(self) -> None:
        try:
            data = os.read(self._fd, _READ_BYTES)
        except BlockingIOError:
            return
        except OSError:
            data = b""
        if not data:  # end of input: nothing more will come
            self.close()
            return
        if b"\n" in data:  # keys pressed together are one "done", not several
            self._on_enter()

    def close(self) -> None:
        if self._attached:
            self._attached = False
            with contextlib.suppress(Exception):
                self._loop.remove_reader(self._fd)
