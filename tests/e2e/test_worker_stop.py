"""A worker stopped with SIGTERM in the middle of a round keeps what was said.

The candidate hears a short closing line, the page's ``interviewer.phase`` turns
``ended``, the round is stored as interrupted with the turns so far, and its
report renders; the worker exits 0 well inside the 15 s a supervisor waits.
"""

from __future__ import annotations

import asyncio
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from agent.devtools.livekit_server import LiveKitServer

from .python_participant import (
    ScriptedCandidate,
    WorkerProcess,
    private_livekit_server,
    read_wav,
    speak_wav,
    stored_round,
)
from .round_script import CLOSING, WEAK, heard_uptime, metadata

pytestmark = pytest.mark.e2e

STOP_DEADLINE_S = 15.0


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveKitServer]:
    with private_livekit_server(tmp_path_factory.mktemp("livekit")) as own:
        yield own


def test_sigterm_mid_round_saves_the_transcript(server: LiveKitServer, tmp_path: Path) -> None:
    weak = read_wav(speak_wav(WEAK, tmp_path / "weak.wav"))
    closing = read_wav(speak_wav(CLOSING, tmp_path / "closing.wav"))
    worker = WorkerProcess(server.env(), tmp_path, capacity=1).start()
    env = server.env()
    cand = ScriptedCandidate(env["LIVEKIT_URL"], env["LIVEKIT_API_KEY"], env["LIVEKIT_API_SECRET"],
                             answers=[weak], closing_answer=closing, metadata=metadata(), max_turns=4,
                             timeout_s=120)

    async def scenario() -> tuple[float, float]:
        task = asyncio.create_task(cand.run())
        deadline = time.monotonic() + 120
        # after the first answer has been heard and the interviewer has started its reply
        while not (cand.result.answers_played >= 1 and cand.result.latencies_s):
            assert not task.done(), cand.result.error
            assert time.monotonic() < deadline, "the interviewer never replied to the first answer"
            await asyncio.sleep(0.1)
        await asyncio.sleep(0.5)
        stopped_at = time.monotonic()
        worker.process.send_signal(signal.SIGTERM)
        await task
        exit_wait = await asyncio.to_thread(worker.process.wait, STOP_DEADLINE_S)
        assert exit_wait == 0, worker.log_tail()
        return stopped_at, time.monotonic() - stopped_at

    try:
        stopped_at, took = asyncio.run(scenario())
    finally:
        worker.stop()
    result = cand.result
    print(f"\nSIGTERM to exit: {took:.1f} s; interviewer audio after SIGTERM {result.audio_after(stopped_at):.1f} s")
    assert result.error is None, f"{result.error}; {worker.log_tail()}"
    assert result.ended and result.phases[-1] == "ended"
    assert cand.interviewer_said("restarting"), result.captions
    assert result.audio_after(stopped_at + 0.5) > 1.5, "the candidate never heard the closing line"
    assert took < STOP_DEADLINE_S
    assert result.round_id
    meta, status, turns, page = stored_round(worker.db_url, result.round_id)
    assert status == "interrupted"
    speakers = [t.speaker.value for t in turns]
    assert speakers[:2] == ["interviewer", "interviewer"] and "candidate" in speakers
    answer = next(t for t in turns if t.speaker.value == "candidate")
    assert heard_uptime(answer.text), answer.text
    assert page is not None and result.round_id in page
    assert (worker.data_dir / "reports" / f"round-{result.round_id}.html").is_file()
    log = worker.log()
    assert '"how": "stopped"' in log and "worker.drained" in log
