"""``interviewer worker``: take spoken rounds from a LiveKit server.

A worker registers with the LiveKit server named by ``LIVEKIT_URL`` and waits
for rooms that dispatch the ``pm-interviewer`` agent (the web app's token does
that). Each round runs in its own process with the speech models loaded once
per process. Start as many workers on as many hosts as you like: the server
spreads rounds across them, and each refuses work past its ``--capacity``.

The API key and secret are read from the environment only (``agent.settings``),
never from the command line, where other users of the machine could read them
in ``ps``.
"""

from __future__ import annotations

import argparse
from typing import Any

from agent.cli import UsageError
from agent.commands._common import load_content
from agent.settings import LIVEKIT_KEY_ENV as ENV_KEY
from agent.settings import LIVEKIT_SECRET_ENV as ENV_SECRET
from agent.settings import LIVEKIT_URL_ENV as ENV_URL
from agent.settings import Settings
from agent.speech.models import ModelError, resolve_verified
from agent.worker import (
    DEFAULT_HEALTH_PORT,
    DEFAULT_MEMORY_LIMIT_MB,
    STOP_GRACE_S,
    WorkerConfig,
    default_capacity,
    run_worker,
)


def register(subparsers: Any) -> None:
    """Add ``worker`` to the CLI (called by agent.cli for each command module)."""
    parser = subparsers.add_parser(
        "worker",
        help="run an interviewer worker for spoken rounds (LiveKit)",
        description=(
            "Register with a LiveKit server and interview candidates who join from the browser. "
            f"Reads {ENV_URL}, {ENV_KEY} and {ENV_SECRET} from the environment."
        ),
    )
    parser.add_argument(
        "--capacity",
        type=int,
        default=None,
        help=f"rounds this host runs at once (default: 2 per CPU core, here {default_capacity()})",
    )
    parser.add_argument("--url", help=f"LiveKit server URL (default: ${ENV_URL})")
    parser.add_argument(
        "--health-port",
        type=int,
        default=DEFAULT_HEALTH_PORT,
        help=f"port of the health endpoint GET / and GET /worker (default {DEFAULT_HEALTH_PORT}; 0 picks a free one)",
    )
    parser.add_argument(
        "--health-host", default="127.0.0.1", help="address of the health endpoint (default 127.0.0.1)"
    )
    parser.add_argument(
        "--idle-processes",
        type=int,
        default=None,
        help="processes kept warm with models loaded (default: --capacity; fewer saves memory but can turn "
        "away rounds that arrive together)",
    )
    parser.add_argument(
        "--memory-limit-mb",
        type=int,
        default=None,
        help="kill a round's process above this memory use (default 1500; 0 turns the limit off)",
    )
    parser.add_argument(
        "--stop-grace",
        type=float,
        default=STOP_GRACE_S,
        help=f"seconds rounds in progress get to close and save when the worker is stopped (default {STOP_GRACE_S:g})",
    )
    parser.set_defaults(handler=run)


def _url(args: argparse.Namespace, settings: Settings) -> str:
    url = (args.url or settings.livekit.url or "").strip()
    if not url:
        raise UsageError(f"no LiveKit server: set {ENV_URL} (or pass --url), {ENV_KEY} and {ENV_SECRET}")
    if not url.startswith(("ws://", "wss://", "http://", "https://")):
        raise UsageError(f"--url/{ENV_URL}: expected ws://, wss://, http:// or https://, got {url!r}")
    return url


def _secret(name: str, value: str) -> str:
    value = value.strip()
    if not value:
        raise UsageError(
            f"{name} is not set; export {ENV_URL}, {ENV_KEY} and {ENV_SECRET} "
            "(or use `interviewer serve --dev` for a local server)"
        )
    return value


def build_config(args: argparse.Namespace, settings: Settings) -> WorkerConfig:
    """Check the arguments and what the settings say of the LiveKit server; every problem is one UsageError
    line (a malformed variable was already said when the settings were read).
    """
    capacity = default_capacity() if args.capacity is None else args.capacity
    if not 1 <= capacity <= 64:
        raise UsageError(f"--capacity: must be from 1 to 64, got {capacity}")
    # With no round running, livekit-agents estimates one round's share of the load as
    # threshold / warm processes, so fewer warm processes than capacity make simultaneous
    # arrivals look like a full worker; the server then drops a job no worker accepted.
    idle = capacity if args.idle_processes is None else args.idle_processes
    if not 0 <= idle <= capacity:
        raise UsageError(f"--idle-processes: must be from 0 to --capacity ({capacity}), got {idle}")
    if not 0 <= args.health_port < 65536:
        raise UsageError(f"--health-port: {args.health_port} is not a valid port")
    memory = DEFAULT_MEMORY_LIMIT_MB if args.memory_limit_mb is None else args.memory_limit_mb
    if memory != 0 and memory < 400:
        raise UsageError(f"--memory-limit-mb: {memory} is below what one round needs (400); use 0 for no limit")
    if not 1.0 <= args.stop_grace <= 600:
        raise UsageError(f"--stop-grace: must be from 1 to 600 seconds, got {args.stop_grace:g}")
    return WorkerConfig(
        settings=settings,
        url=_url(args, settings),
        api_key=_secret(ENV_KEY, settings.livekit.api_key),
        api_secret=_secret(ENV_SECRET, settings.livekit.api_secret),
        capacity=capacity,
        idle_processes=idle,
        memory_limit_mb=memory,
        health_host=args.health_host,
        health_port=args.health_port,
        stop_grace_s=args.stop_grace,
        log_pii=bool(getattr(args, "log_pii", False)),
        verbose=bool(getattr(args, "verbose", False)),
    )


def _preflight(config: WorkerConfig) -> None:
    """Fail once, clearly, before any process starts: content, models and the database (the settings,
    the model endpoint's among them, were checked when they were read).
    """
    from agent.store import Store, StoreError  # deferred: SQLAlchemy and Alembic, which `--help` skips

    load_content(config.settings)
    for name, kind in (("tiny.en", "stt"), ("en_US-joe-medium", "tts")):
        try:
            resolve_verified(name, kind)  # type: ignore[arg-type]
        except ModelError as exc:
            raise UsageError(f"speech model {name}: {exc}") from None
    try:
        Store(config.settings.database_url).close()
    except StoreError as exc:
        raise UsageError(f"--db: {exc}") from None


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Handler for ``interviewer worker``: runs until SIGTERM/SIGINT, then closes rounds and exits."""
    config = build_config(args, settings)
    _preflight(config)
    return run_worker(config)
