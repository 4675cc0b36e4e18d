"""Two workers registered with one LiveKit server share the rounds.

Each worker has capacity 2 and four candidates arrive at once, so the server
must send rounds to both. Each candidate leaves once the interviewer has
asked the first question, which also exercises "the candidate left": the round is stored as
interrupted on whichever worker ran it, in that worker's own database.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from agent.devtools.livekit_server import LiveKitServer

from .python_participant import ScriptedCandidate, WorkerProcess, private_livekit_server, read_wav, speak_wav
from .round_script import CLOSING, metadata

pytestmark = pytest.mark.e2e

ROUNDS = 4


def rounds_in(worker: WorkerProcess) -> dict[str, str]:
    """round id -> status in that worker's own database."""
    from agent.store import Store

    store = Store(worker.db_url)
    try:
        return {r.round_id: r.status for r in store.list_rounds(limit=50)}
    finally:
        store.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveKitServer]:
    with private_livekit_server(tmp_path_factory.mktemp("livekit")) as own:
        yield own


def test_two_workers_both_get_rounds(server: LiveKitServer, tmp_path: Path) -> None:
    closing = read_wav(speak_wav(CLOSING, tmp_path / "closing.wav"))
    workers = [
        WorkerProcess(server.env(), tmp_path, capacity=2, name=f"worker{i}") for i in (1, 2)
    ]
    try:
        for worker in workers:
            worker.start()
        env = server.env()

        async def run_all() -> list:
            people = [
                ScriptedCandidate(env["LIVEKIT_URL"], env["LIVEKIT_API_KEY"], env["LIVEKIT_API_SECRET"],
                                  answers=[], closing_answer=closing, metadata=metadata(),
                                  leave_after_answers=0, timeout_s=90)
                for _ in range(ROUNDS)
            ]
            return await asyncio.gather(*(p.run() for p in people))

        results = asyncio.run(run_all())
        errors = [r.error for r in results if r.error]
        assert not errors, errors
        ids = {r.round_id for r in results}
        assert None not in ids and len(ids) == ROUNDS
        # the candidates have left; give each worker a moment to store "cut short"
        per_worker: list[dict[str, str]] = []
        for _ in range(40):
            per_worker = [rounds_in(w) for w in workers]
            stored = {rid: status for found in per_worker for rid, status in found.items()}
            if set(stored) >= ids and all(stored[rid] == "interrupted" for rid in ids):
                break
            time.sleep(0.5)
        counts = [len(set(found) & ids) for found in per_worker]
        print(f"\nrounds per worker: {counts}")
        assert sum(counts) == ROUNDS, per_worker
        assert all(count >= 1 for count in counts), f"one worker got every round: {counts}"
        stored = {rid: status for found in per_worker for rid, status in found.items()}
        assert all(stored[rid] == "interrupted" for rid in ids), stored
    finally:
        for worker in workers:
            worker.stop()
    for worker, found in zip(workers, per_worker, strict=True):
        # each worker saw its candidates leave (logged after the report is written)
        assert worker.log().count('"how": "candidate_left"') == len(set(found) & ids), worker.log_tail()
