"""Enter in a microphone round ends the answer at once; redirected input is never read."""

import asyncio
import os
import pty

import pytest

from agent.commands.enter_key import EnterKey

pytestmark = pytest.mark.unit


async def _until(predicate, timeout_s: float = 2.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout_s
    while not predicate():
        assert asyncio.get_running_loop().time() < deadline, "the watcher never reacted"
        await asyncio.sleep(0.01)


async def test_enter_on_a_terminal_says_done_once_per_press():
    controller, terminal = pty.openpty()
    stream = os.fdopen(terminal, "r", closefd=True)
    presses: list[int] = []
    watcher = EnterKey.for_terminal(asyncio.get_running_loop(), stream, lambda: presses.append(1))
    try:
        assert watcher is not None
        os.write(controller, b"\n")
        await _until(lambda: len(presses) == 1)
        os.write(controller, b"typed words but no enter")
        await asyncio.sleep(0.1)
        assert len(presses) == 1
        os.write(controller, b"\n")
        await _until(lambda: len(presses) == 2)
    finally:
        if watcher is not None:
            watcher.close()
        stream.close()
        os.close(controller)


async def test_redirected_input_is_left_alone():
    reader, writer = os.pipe()
    stream = os.fdopen(reader, "r")
    try:
        assert EnterKey.for_terminal(asyncio.get_running_loop(), stream, lambda: None) is None
        os.write(writer, b"an answers file piped in\n")
        assert stream.readline() == "an answers file piped in\n"  # nothing was consumed
    finally:
        stream.close()
        os.close(writer)


async def test_end_of_input_detaches_the_watcher():
    reader, writer = os.pipe()
    stream = os.fdopen(reader, "r")
    presses: list[int] = []
    watcher = EnterKey(asyncio.get_running_loop(), stream, lambda: presses.append(1))
    assert watcher.attach()
    os.close(writer)
    await _until(lambda: not watcher._attached)
    assert presses == []
    watcher.close()  # closing twice is harmless
    stream.close()


async def test_a_closed_stream_is_no_watcher():
    reader, writer = os.pipe()
    stream = os.fdopen(reader, "r")
    stream.close()
    os.close(writer)
    assert EnterKey.for_terminal(asyncio.get_running_loop(), stream, lambda: None) is None
