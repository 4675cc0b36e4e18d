"""Spoken rounds through the real worker: a real livekit-server, ``interviewer worker`` and
Python candidates that speak flite WAVs into the room.

One worker host (capacity 4) serves both tests: a full round with a weak then a
strong answer to the platform-metrics question, and four rounds at once.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest

from agent.devtools.livekit_server import LiveKitServer

from .python_participant import (
    ScriptedCandidate,
    WorkerProcess,
    print_latencies,
    private_livekit_server,
    read_wav,
    speak_wav,
    stored_round,
)
from .round_script import CLOSING, DONT_KNOW, QUESTION, STRONG, VALUE_PROBE, WEAK, heard_uptime, metadata

pytestmark = pytest.mark.e2e

@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveKitServer]:
    with private_livekit_server(tmp_path_factory.mktemp("livekit")) as own:
        yield own


@pytest.fixture(scope="module")
def voices(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("answers")
    texts = {"weak": WEAK, "strong": STRONG, "dont_know": DONT_KNOW, "closing": CLOSING}
    return {name: speak_wav(text, out / f"{name}.wav") for name, text in texts.items()}


@pytest.fixture(scope="module")
def worker(server: LiveKitServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[WorkerProcess]:
    process = WorkerProcess(server.env(), tmp_path_factory.mktemp("worker"), capacity=4).start()
    try:
        yield process
    finally:
        code = process.stop()
        print(f"\nworker log: {process.log_path} (exit {code})")


def candidate(server: LiveKitServer, answers: list[Path], closing: Path, **kwargs: object) -> ScriptedCandidate:
    env = server.env()
    return ScriptedCandidate(
        env["LIVEKIT_URL"], env["LIVEKIT_API_KEY"], env["LIVEKIT_API_SECRET"],
        answers=[read_wav(a) for a in answers], closing_answer=read_wav(closing), metadata=metadata(),
        **kwargs,  # type: ignore[arg-type]
    )


def test_round_probes_the_weak_answer_and_stores_the_report(
    server: LiveKitServer, worker: WorkerProcess, voices: dict[str, Path]
) -> None:
    """Weak answer -> the value probe; strong answer; the round ends itself, stored and reported."""
    cand = candidate(server, [voices["weak"], voices["strong"]], voices["closing"], max_turns=6)
    result = asyncio.run(cand.run())
    print_latencies("single round", result.latencies_s)
    assert result.error is None, f"{result.error}; worker log: {worker.log_tail()}"
    assert result.ended and result.phases[-1] == "ended"
    assert result.round_id, "interviewer.round_id was never published"
    attrs = result.attributes
    assert attrs["interviewer.question_count"] == "1" and attrs["interviewer.question_number"] == "1"
    assert int(attrs["interviewer.warn_s"]) >= 0
    meta, status, turns, page = stored_round(worker.db_url, result.round_id)
    assert meta.mode == "browser" and meta.question_ids == (QUESTION,)
    assert status == "completed"
    first_answer = next(i for i, t in enumerate(turns) if t.speaker.value == "candidate")
    reply = turns[first_answer + 1]
    assert (reply.kind, reply.probe_id) == ("probe", VALUE_PROBE), [(t.kind, t.probe_id) for t in turns]
    assert heard_uptime(turns[first_answer].text), turns[first_answer].text  # Whisper heard the flite voice
    assert turns[-1].kind == "wrap_up"
    assert page is not None and result.round_id in page
    assert (worker.data_dir / "reports" / f"round-{result.round_id}.html").is_file()
    assert len(result.latencies_s) >= 2
    assert max(result.latencies_s) < 6.0, result.latencies_s


def test_four_rounds_at_once_on_one_worker(
    server: LiveKitServer, worker: WorkerProcess, voices: dict[str, Path]
) -> None:
    """Capacity 4 on two cores: four short rounds run side by side and all finish."""
    worker.wait_until_idle()  # the previous test's round may still be closing: it would take a slot

    async def run_all() -> list:
        people = [candidate(server, [voices["dont_know"]], voices["closing"], max_turns=4,
                            timeout_s=200) for _ in range(4)]
        return await asyncio.gather(*(p.run() for p in people))

    results = asyncio.run(run_all())
    latencies = [v for r in results for v in r.latencies_s]
    print_latencies("4 concurrent rounds", latencies)
    errors = [r.error for r in results if r.error]
    assert not errors, f"{errors}; worker log: {worker.log_tail()}"
    assert all(r.ended for r in results), [r.phases for r in results]
    ids = {r.round_id for r in results}
    assert len(ids) == 4 and None not in ids
    agents = {r.agent_identity for r in results}
    assert len(agents) == 4  # one agent (one job) per room
    for round_id in ids:
        _meta, status, turns, page = stored_round(worker.db_url, str(round_id))
        assert status == "completed", [(t.kind, t.text[:40]) for t in turns]
        assert page is not None
    assert len(latencies) >= 8
