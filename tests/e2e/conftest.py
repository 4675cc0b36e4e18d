"""Fixtures for end-to-end tests: a real livekit-server, the web app, Chromium.

The LiveKit server is the real binary (built on first use by
scripts/build-livekit-server.sh), bound to 127.0.0.1 on free ports with a
random key pair, so these tests never collide with a developer's own server.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from agent.content.loader import load_bank
from agent.devtools.livekit_server import LiveKitServer, free_port
from agent.web.app import DIST_DIR, create_app
from agent.web.settings import WebSettings

from .python_participant import private_livekit_server

REPO = Path(__file__).resolve().parents[2]
FRONTEND = REPO / "frontend"
CHROMIUM = Path("/usr/bin/chromium")
WORKER_STOP_TIMEOUT_S = 15


@pytest.fixture(scope="session")
def livekit_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveKitServer]:
    """A real livekit-server on free ports with a random secret, for the whole session."""
    with private_livekit_server(tmp_path_factory.mktemp("livekit")) as server:
        yield server


def web_settings(server: LiveKitServer, database_url: str | None = None) -> WebSettings:
    return WebSettings(
        livekit_url=server.url,
        api_key=server.api_key,
        api_secret=server.api_secret,
        database_url=database_url,
        rate_limit=100,
    )


class AppThread:
    """The aiohttp app served from its own thread and loop, so sync tests can drive a browser."""

    def __init__(self, settings: WebSettings) -> None:
        self.settings = settings
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, name="e2e-web", daemon=True)
        self._runner = None
        self._error: BaseException | None = None

    def _run(self) -> None:
        from aiohttp import web

        asyncio.set_event_loop(self._loop)

        async def start() -> None:
            self._runner = web.AppRunner(create_app(self.settings, bank=load_bank()), access_log=None)
            await self._runner.setup()
            await web.TCPSite(self._runner, "127.0.0.1", self.port).start()

        try:
            self._loop.run_until_complete(start())
        except BaseException as exc:  # surfaced in start()
            self._error = exc
            self._ready.set()
            return
        self._ready.set()
        self._loop.run_forever()
        assert self._runner is not None
        self._loop.run_until_complete(self._runner.cleanup())
        self._loop.close()

    def start(self) -> AppThread:
        self._thread.start()
        if not self._ready.wait(20):
            raise RuntimeError("web app did not start in 20 s")
        if self._error is not None:
            raise self._error
        return self

    def stop(self) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(20)


@pytest.fixture(scope="session")
def web_app(livekit_server: LiveKitServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppThread]:
    """The real web app pointed at the test LiveKit server (front-end must be built)."""
    if not (DIST_DIR / "index.html").is_file():
        raise RuntimeError("front-end not built: run `npm ci && npm run build` in frontend/")
    db = tmp_path_factory.mktemp("db") / "rounds.sqlite3"
    app = AppThread(web_settings(livekit_server, f"sqlite:///{db}")).start()
    try:
        yield app
    finally:
        app.stop()


@pytest.fixture(scope="session")
def interviewer_worker(
    livekit_server: LiveKitServer, web_app: AppThread, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[subprocess.Popen[bytes]]:
    """``interviewer worker`` registered with the test server."""
    log = tmp_path_factory.mktemp("worker") / "worker.log"
    argv = [sys.executable, "-m", "agent.cli"]
    if web_app.settings.database_url:
        argv += ["--db", web_app.settings.database_url]
    argv += ["worker", "--health-port", "0"]  # a free port: another worker on this host may hold the default
    env = {**os.environ, **livekit_server.env()}
    with open(log, "wb") as out:
        process = subprocess.Popen(
            argv, env=env, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL
        )
    process.log_path = log  # type: ignore[attr-defined]  # tests read what the worker did
    try:
        yield process
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(WORKER_STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(5)


def wait_until_idle(worker: subprocess.Popen[bytes], timeout_s: float = 60.0) -> None:
    """Wait until the shared worker runs no round (its health endpoint's ``GET /worker`` reports no active job).

    A round that has just ended keeps its job process for a few seconds while it closes, and the worker's
    admission counts it as running: on two cores, a test that starts the next round at once can see it
    refused as a busy host would (``worker.round_refused``), which is the worker doing its job, not the test.
    """
    log_path: Path = worker.log_path  # type: ignore[attr-defined]
    deadline = time.monotonic() + timeout_s
    url = None
    while time.monotonic() < deadline:
        if url is None:
            for line in log_path.read_text(errors="replace").splitlines():
                if '"worker.started"' in line and line.lstrip().startswith("{"):
                    url = json.loads(line)["health"] + "worker"
        if url is not None:
            try:
                with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - the test's own worker
                    info = json.loads(response.read())
            except (OSError, ValueError):
                info = None
            if info is not None and not info.get("active_jobs"):  # proto JSON leaves a zero out
                return
        time.sleep(0.25)
    raise AssertionError(f"the worker still ran a round {timeout_s:.0f} s later (log: {log_path})")


@pytest.fixture(scope="session")
def candidate_wav(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A spoken answer (flite voice, 48 kHz mono, padded with silence) for Chromium's fake microphone."""
    flite, sox = shutil.which("flite"), shutil.which("sox")
    if not flite or not sox:
        raise RuntimeError("e2e tests need Debian packages flite and sox")
    out = tmp_path_factory.mktemp("audio")
    raw = out / "raw.wav"
    text = (
        "I would look at how many teams adopted the platform, how long their first integration took, "
        "and whether their release speed improved after they moved onto it."
    )
    subprocess.run([flite, "-voice", "slt", "-t", text, "-o", str(raw)], check=True, timeout=60)
    wav = out / "candidate.wav"
    subprocess.run(
        [sox, str(raw), "-r", "48000", "-c", "1", "-b", "16", str(wav), "pad", "2", "6"],
        check=True,
        timeout=60,
    )
    return wav


@pytest.fixture(scope="session")
def unfinished_answer_wav(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An answer that stops on "and" (flite, 48 kHz mono, no silence after it): the two gates hold it."""
    flite, sox = shutil.which("flite"), shutil.which("sox")
    if not flite or not sox:
        raise RuntimeError("e2e tests need Debian packages flite and sox")
    out = tmp_path_factory.mktemp("unfinished")
    raw = out / "raw.wav"
    text = "I would look at how long a new team takes to ship something real on the platform, and"
    subprocess.run([flite, "-voice", "slt", "-t", text, "-o", str(raw)], check=True, timeout=60)
    wav = out / "unfinished.wav"
    subprocess.run([sox, str(raw), "-r", "48000", "-c", "1", "-b", "16", str(wav), "pad", "0.3", "0"],
                   check=True, timeout=60)
    return wav


@pytest.fixture(scope="session")
def playwright_ready() -> Path:
    """playwright-core from frontend/node_modules and Debian's Chromium (no browser download)."""
    if not (FRONTEND / "node_modules" / "playwright-core").is_dir():
        raise RuntimeError("run `npm ci` in frontend/ first (playwright-core is a devDependency)")
    if not CHROMIUM.is_file():
        raise RuntimeError(f"{CHROMIUM} missing: apt-get install chromium")
    return CHROMIUM


@pytest.fixture
def artifacts_dir(request: pytest.FixtureRequest) -> Path:
    path = REPO / "artifacts" / "e2e" / request.node.name.replace("[", "-").replace("]", "")
    path.mkdir(parents=True, exist_ok=True)
    return path
