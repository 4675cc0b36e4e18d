"""A candidate who drops out of a spoken round comes back into it, through the real worker.

A real livekit-server and ``interviewer worker``: the candidate answers once and
disconnects; the same identity joins the same room again (no second interviewer
is dispatched), hears where they were, answers and closes. The round is one
round with both answers in it. A candidate who does not come back within the
grace period gets a round that ends as they left it.
"""

from __future__ import annotations

import asyncio
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
from .round_script import CLOSING, STRONG, WEAK, metadata

pytestmark = pytest.mark.e2e

GRACE_S = 40.0


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveKitServer]:
    with private_livekit_server(tmp_path_factory.mktemp("livekit")) as own:
        yield own


def _candidate(server: LiveKitServer, answers: list, closing, **kwargs: object) -> ScriptedCandidate:
    env = server.env()
    return ScriptedCandidate(env["LIVEKIT_URL"], env["LIVEKIT_API_KEY"], env["LIVEKIT_API_SECRET"],
                             answers=answers, closing_answer=closing, metadata=metadata(),
                             **kwargs)  # type: ignore[arg-type]


def _stored_status(worker: WorkerProcess, round_id: str, wanted: set[str], seconds: float) -> str:
    status = ""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        _meta, status, _turns, _page = stored_round(worker.db_url, round_id)
        if status in wanted:
            break
        time.sleep(0.5)
    return status


def test_a_candidate_who_drops_out_carries_on_in_the_same_round(server: LiveKitServer, tmp_path: Path) -> None:
    weak, strong, closing = (read_wav(speak_wav(text, tmp_path / f"{name}.wav"))
                             for name, text in (("weak", WEAK), ("strong", STRONG), ("closing", CLOSING)))
    worker = WorkerProcess(server.env(), tmp_path, capacity=1, rejoin_grace_s=GRACE_S).start()
    try:
        first = _candidate(server, [weak], closing, leave_after_answers=1, timeout_s=120)
        before = asyncio.run(first.run())
        assert before.error is None and before.round_id, before
        assert before.answers_played == 1 and not before.ended
        # the same person, the same room, a token that dispatches nobody: the interviewer is still there
        again = _candidate(server, [strong], closing, room_name=first.room_name, identity=first.identity,
                           dispatch=False, timeout_s=180)
        after = asyncio.run(again.run())
        assert after.error is None, after.error
        assert after.round_id == before.round_id
        assert again.interviewer_said("welcome back"), after.captions
        assert after.ended, after.phases
        status = _stored_status(worker, before.round_id, {"completed"}, 30)
        _meta, status, turns, page = stored_round(worker.db_url, before.round_id)
        answers = [t for t in turns if t.speaker.value == "candidate" and t.kind == "answer"]
        assert status == "completed" and len(answers) >= 2, (status, [t.text for t in turns])
        assert page is not None
        log = worker.log()
        assert log.count('"room.candidate_away"') == 1 and log.count('"room.candidate_back"') == 1, worker.log_tail()
    finally:
        worker.stop()


def test_a_candidate_who_does_not_come_back_ends_the_round_after_the_grace(
    server: LiveKitServer, tmp_path: Path,
) -> None:
    closing = read_wav(speak_wav(CLOSING, tmp_path / "closing.wav"))
    worker = WorkerProcess(server.env(), tmp_path, capacity=1, rejoin_grace_s=3).start()
    try:
        gone = _candidate(server, [], closing, leave_after_answers=0, timeout_s=90)
        result = asyncio.run(gone.run())
        assert result.error is None and result.round_id, result
        left_at = time.monotonic()
        status = _stored_status(worker, result.round_id, {"interrupted"}, 40)
        waited = time.monotonic() - left_at
        assert status == "interrupted", status
        assert waited >= 2.0, f"the round ended {waited:.1f} s after the candidate left, inside the 3 s grace"
        # the round is stored interrupted first; its "round_ended" line follows once the report is written
        log = worker.log()
        for _ in range(60):
            if '"how": "candidate_left"' in log:
                break
            time.sleep(0.5)
            log = worker.log()
        assert '"room.candidate_away"' in log and '"room.candidate_back"' not in log, worker.log_tail()
        assert '"how": "candidate_left"' in log, worker.log_tail()
    finally:
        worker.stop()


def test_the_end_button_ends_the_round_at_once_without_waiting_for_a_return(
    server: LiveKitServer, tmp_path: Path,
) -> None:
    from livekit import api

    from agent.interview.turn_end import DONE_TOPIC

    weak, closing = (read_wav(speak_wav(text, tmp_path / f"{name}.wav"))
                     for name, text in (("weak", WEAK), ("closing", CLOSING)))
    worker = WorkerProcess(server.env(), tmp_path, capacity=1, rejoin_grace_s=GRACE_S).start()
    env = server.env()

    async def press_end_then_leave() -> tuple[object, float]:
        person = _candidate(server, [weak], closing, leave_after_answers=1, timeout_s=120)
        task = asyncio.create_task(person.run())
        for _ in range(600):  # the first answer has been played (polled: the candidate has no event for it)
            if person.result.answers_played >= 1 or task.done():
                break
            await asyncio.sleep(0.2)
        # what the web app does for the page's End button: one packet from the server, then the page leaves
        http_url = env["LIVEKIT_URL"].replace("ws://", "http://")
        async with api.LiveKitAPI(http_url, env["LIVEKIT_API_KEY"], env["LIVEKIT_API_SECRET"]) as lk:
            await lk.room.send_data(api.SendDataRequest(room=person.room_name, data=b'{"end": true}',
                                                        kind=api.DataPacket.Kind.RELIABLE, topic=DONE_TOPIC))
        result = await task
        return result, time.monotonic()

    try:
        result, left_at = asyncio.run(press_end_then_leave())
        assert result.error is None and result.round_id, result  # type: ignore[attr-defined]
        status = _stored_status(worker, result.round_id, {"interrupted"}, 20)  # type: ignore[attr-defined]
        assert status == "interrupted", status
        assert time.monotonic() - left_at < GRACE_S / 2, "the round waited for a return after End"
        log = worker.log()
        assert '"room.candidate_ending"' in log and '"room.candidate_away"' not in log, worker.log_tail()
    finally:
        worker.stop()
