"""``interviewer serve``: the web page for spoken rounds, optionally with a local LiveKit stack.

Without ``--dev`` it serves the page and token endpoint against the LiveKit
server named by LIVEKIT_URL / LIVEKIT_API_KEY / LIVEKIT_API_SECRET; workers run
elsewhere. With ``--dev`` it also starts a local livekit-server (building it
on first use) and one ``interviewer worker``, so one command gives a working
round on a laptop. Children are stopped in order on Ctrl-C or SIGTERM: the
worker first (it stores the last turns), then the server.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import socket
import subprocess
import sys
from typing import TYPE_CHECKING, Any

from agent.cli import UsageError
from agent.commands._common import load_content
from agent.content.loader import Bank
from agent.devtools.livekit_server import LiveKitServer, LiveKitServerError, ensure_server
from agent.settings import LIVEKIT_KEY_ENV, LIVEKIT_SECRET_ENV, LIVEKIT_URL_ENV, Settings, SettingsError

if TYPE_CHECKING:
    from agent.web.settings import WebSettings

WORKER_STOP_TIMEOUT_S = 15.0


def register(subparsers: Any) -> None:
    """Add ``serve`` to the CLI (called by agent.cli for each command module)."""
    parser = subparsers.add_parser(
        "serve",
        help="serve the browser page for spoken rounds",
        description="Serve the page where a candidate speaks with the interviewer over WebRTC.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8080, help="port to listen on (default 8080)")
    parser.add_argument(
        "--dev",
        action="store_true",
        help="also start a local LiveKit server (dev keys, 127.0.0.1 only) and an interviewer worker",
    )
    parser.set_defaults(handler=run)


def _port_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def start_worker(env: dict[str, str], db: str | None) -> subprocess.Popen[bytes]:
    """Start one ``interviewer worker`` for --dev."""
    argv = [sys.executable, "-m", "agent.cli"]
    if db:
        argv += ["--db", db]
    argv.append("worker")
    # own session: Ctrl-C reaches only this process, which then stops children in order
    return subprocess.Popen(argv, env={**os.environ, **env}, stdin=subprocess.DEVNULL, start_new_session=True)


def stop_worker(process: subprocess.Popen[bytes] | None) -> None:
    """SIGTERM first so the worker can store the last turns of a live round."""
    if process is None or process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=WORKER_STOP_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=5)


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Handler for ``interviewer serve``; children are always stopped on the way out."""
    if not 0 < args.port < 65536:
        raise UsageError(f"--port: {args.port} is not a valid port")
    if not _port_free(args.port) and args.host in ("127.0.0.1", "localhost"):
        raise UsageError(f"--port: {args.port} is already in use")
    bank = load_content(settings)
    server = None
    worker = None
    try:
        if args.dev:
            server = _start_livekit()
            env = server.env()
            print(f"LiveKit server: {server.url} (dev keys; log {server.log_path})", file=sys.stderr)
            web_settings = settings.with_livekit(env[LIVEKIT_URL_ENV], env[LIVEKIT_KEY_ENV],
                                                 env[LIVEKIT_SECRET_ENV]).web()
            worker = start_worker(env, args.db)
        else:
            try:
                web_settings = settings.web()
            except SettingsError as exc:
                raise UsageError(f"{exc} (or pass --dev for a local LiveKit server)") from None
        asyncio.run(_serve(web_settings, bank, args.host, args.port, worker))
    finally:
        stop_worker(worker)
        if server is not None:
            server.stop()
    return 0


def _start_livekit() -> LiveKitServer:
    for port in (7880, 7881):
        if not _port_free(port):
            raise UsageError(f"--dev: port {port} is in use (is another LiveKit server running?)")
    try:
        return LiveKitServer(ensure_server(build=True)).start()
    except LiveKitServerError as exc:
        raise UsageError(f"--dev: {exc}") from None


async def _serve(settings: WebSettings, bank: Bank, host: str, port: int,
                 worker: subprocess.Popen[bytes] | None) -> None:
    # deferred: aiohttp and the web app's store pages (SQLAlchemy) are for this command alone, not for `--help`
    from aiohttp import web

    from agent.web.app import create_app

    runner = web.AppRunner(create_app(settings, bank=bank), access_log=None)
    await runner.setup()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        await web.TCPSite(runner, host, port).start()
        shown = "127.0.0.1" if host in ("0.0.0.0", "") else host
        print(f"Open http://{shown}:{port}/ in Chrome, Edge or Firefox (Ctrl-C to stop).", flush=True)
        while not stop.is_set():
            if worker is not None and worker.poll() is not None:
                print(f"interviewer serve: the worker exited with code {worker.returncode}", file=sys.stderr)
                worker = None
            try:
                await asyncio.wait_for(stop.wait(), timeout=1.0)
            except TimeoutError:
                pass
        print("Stopping...", file=sys.stderr)
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(sig)
        await runner.cleanup()
