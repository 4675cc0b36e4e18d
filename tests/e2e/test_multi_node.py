"""Two LiveKit nodes sharing one Redis act as one deployment: a round reaches a worker on the other node.

The worker registers with node A only; the candidate joins through node B.
LiveKit routes the room and the agent dispatch across nodes through Redis,
so the interviewer still answers and the round is stored by that worker.
"""

from __future__ import annotations

import asyncio
import secrets
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from agent.devtools.livekit_server import LiveKitServer, free_port

from .python_participant import (
    ScriptedCandidate,
    WorkerProcess,
    loopback_server,
    read_wav,
    speak_wav,
    stored_round,
    wait_for_worker,
)
from .round_script import CLOSING, WEAK, metadata

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def redis_address(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A throwaway redis-server on loopback (Debian package redis-server)."""
    binary = shutil.which("redis-server")
    if binary is None:
        raise RuntimeError("multi-node tests need the Debian package redis-server")
    port = free_port()
    workdir = tmp_path_factory.mktemp("redis")
    process = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
         "--dir", str(workdir)],
        stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 15
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("redis-server did not start") from None
                time.sleep(0.1)
        yield f"127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(10)


@pytest.fixture(scope="module")
def nodes(redis_address: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[LiveKitServer]]:
    key, secret = "e2e-" + secrets.token_hex(4), secrets.token_urlsafe(32)  # one deployment, one key pair
    logs = tmp_path_factory.mktemp("nodes")
    servers = [loopback_server(logs / f"node{i}.log", api_key=key, api_secret=secret, redis=redis_address)
               for i in (1, 2)]
    started: list[LiveKitServer] = []
    try:
        for server in servers:
            started.append(server.start_on_free_ports())
        yield servers
    finally:
        for server in started:
            server.stop()


def test_a_round_joined_on_one_node_is_run_by_a_worker_on_the_other(
    nodes: list[LiveKitServer], tmp_path: Path
) -> None:
    node_a, node_b = nodes
    worker = WorkerProcess(node_a.env(), tmp_path, capacity=2).start()
    try:
        asyncio.run(wait_for_worker(node_a.env()))
        env_b = node_b.env()
        candidate = ScriptedCandidate(
            env_b["LIVEKIT_URL"], env_b["LIVEKIT_API_KEY"], env_b["LIVEKIT_API_SECRET"],
            answers=[read_wav(speak_wav(WEAK, tmp_path / "weak.wav"))],
            closing_answer=read_wav(speak_wav(CLOSING, tmp_path / "closing.wav")),
            metadata=metadata(), max_turns=6, timeout_s=120,
        )
        result = asyncio.run(candidate.run())
        assert result.error is None, f"{result.error}; worker log: {worker.log_tail()}"
        assert result.round_id, "the interviewer never published a round id through node B"
        _meta, _status, turns, _page = stored_round(worker.db_url, result.round_id)
        assert any(t.speaker.value == "candidate" for t in turns), [(t.speaker.value, t.kind) for t in turns]
        assert any(t.kind == "probe" for t in turns)
    finally:
        worker.stop()
