"""The single console script, ``interviewer``.

Each subcommand lives in its own module under ``agent/commands`` and exposes
``register(subparsers)``; its handler is called as ``handler(args, settings)``
with the process's one ``Settings``, read here from the environment (the
composition root of a command). The heavy imports (models, livekit, web, the
database) happen inside the command's handler so that ``interviewer --help``
and text rounds start fast.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import os
import signal
import sys
from collections.abc import Sequence
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from agent.logs import TolerantLogFile, configure_logging
from agent.paths import DataDirError, log_file_path, os_reason
from agent.private import open_private_append
from agent.settings import Settings, SettingsError
from agent.speech.models import use_models_dir

# Module names under agent.commands, in the order they appear in --help.
COMMANDS = (
    "practice",
    "simulate",
    "assess",
    "bank",
    "report",
    "history",
    "serve",
    "worker",
    "models",
)


# Commands that run a round in the foreground: for them SIGTERM and SIGHUP mean "stop the round".
# (The worker and the web server keep the signal handling of livekit-agents and aiohttp.)
ROUND_COMMANDS = frozenset({"practice", "simulate"})
# Long-running services: their logs are for an operator's collector, so they go to stderr as JSON.
SERVICE_COMMANDS = frozenset({"worker", "serve"})


class UsageError(Exception):
    """Bad input from the user: printed as one line, exit code 2."""


def _global_options(parser: argparse.ArgumentParser, *, nested: bool) -> None:
    """Options that work before or after the subcommand (``interviewer practice --db URL`` too).

    On subcommands their default is SUPPRESS, so a value given before the
    subcommand is not overwritten by the subcommand's own default.
    """
    default: dict[str, Any] = {"default": argparse.SUPPRESS} if nested else {}
    parser.add_argument("--db", help="database URL (default: a SQLite file in your data directory)", **default)
    parser.add_argument("--log-pii", action="store_true",
                        help="include candidate speech in logs (off by default: it is personal data)", **default)
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging", **default)
    parser.add_argument("--log-format", choices=("file", "json"),
                        help="file: JSON lines in the data folder, warnings on the console (default for rounds); "
                             "json: JSON lines on stderr (default for worker and serve)", **default)


def _subparsers(parser: argparse.ArgumentParser) -> list[argparse.ArgumentParser]:
    found: list[argparse.ArgumentParser] = []
    for action in parser._actions:  # argparse has no public walk over subcommands
        if isinstance(action, argparse._SubParsersAction):
            for child in dict.fromkeys(action.choices.values()):
                found += [child, *_subparsers(child)]
    return found


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="interviewer",
        description="A live mock interviewer for technical and platform product-manager rounds.",
    )
    parser.add_argument("--version", action="version", version=f"interviewer {_version()}")
    _global_options(parser, nested=False)
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in COMMANDS:
        importlib.import_module(f"agent.commands.{name}").register(sub)
    for child in _subparsers(parser):
        _global_options(child, nested=True)
    return parser


def _version() -> str:
    try:
        return version("pm-mock-interviewer")
    except PackageNotFoundError:
        return "unknown (not installed)"


def _configure_logs(args: argparse.Namespace, data_dir: Path) -> tuple[str | None, str | None]:
    """Rounds keep the terminal for the conversation: logs go to a file unless asked for on stderr.

    Returns two notices for after the command: the log file's path (said the
    first time it is made) and why there is no log file (a data folder that
    cannot be written), said only when the command itself succeeded so that a
    failing command still ends in exactly one line.
    """
    fmt = args.log_format or ("json" if args.command in SERVICE_COMMANDS else "file")
    if fmt == "json":
        configure_logging(verbose=args.verbose, include_pii=args.log_pii)
        return None, None
    try:
        path = log_file_path(data_dir)
        first = not path.exists()
        handle: Any = TolerantLogFile(open_private_append(path))
    except (OSError, DataDirError) as exc:
        if isinstance(exc, OSError):
            reason = f"{exc.filename or 'the logs folder'} cannot be written ({os_reason(exc)})"
        else:
            reason = str(exc).split(": set ", 1)[0]  # the folder and why, without the advice for databases
        configure_logging(verbose=args.verbose, include_pii=args.log_pii, log_file=TolerantLogFile(None))
        return None, f"interviewer: no log file: {reason}; warnings are shown here only"
    configure_logging(verbose=args.verbose, include_pii=args.log_pii, log_file=handle)
    # said once, the first time the file is made, after a round (never inside a one-line error)
    return (f"logs: {path} (--log-format json puts them on stderr)" if first else None), None


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        settings = Settings.from_env(os.environ).with_database(getattr(args, "db", None))
    except SettingsError as exc:
        print(f"interviewer {args.command}: {exc}", file=sys.stderr)
        return 2
    notice, no_log = _configure_logs(args, settings.data_dir)
    use_models_dir(settings.models_dir)
    if args.command in ROUND_COMMANDS:
        _stop_like_ctrl_c()
    try:
        code = int(args.handler(args, settings) or 0)
        if notice and code == 0 and args.command in ROUND_COMMANDS:
            print(notice, file=sys.stderr)
        if no_log and code == 0:
            print(no_log, file=sys.stderr)
        return code
    except (UsageError, SettingsError, DataDirError) as exc:
        print(f"interviewer {args.command}: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `interviewer history --json | head`: the reader has what it wanted
        silence_stdout()
        return 141  # 128 + SIGPIPE, as other command-line tools report it
    except Exception as exc:
        from agent.store.errors import StoreError  # deferred: the store package brings SQLAlchemy with it

        if not isinstance(exc, StoreError):
            raise
        print(f"interviewer {args.command}: {exc}", file=sys.stderr)
        return 1


def silence_stdout() -> None:
    """Point stdout at /dev/null once its reader has gone, so the exit flush cannot fail a second time."""
    with contextlib.suppress(OSError, ValueError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())


def _stop_like_ctrl_c() -> None:
    """SIGTERM (a service manager, ``kill``) and SIGHUP (a closed terminal) end a round the way Ctrl-C does:
    the round is marked interrupted and its report written, instead of the process vanishing mid-round.
    """

    def handler(signum: int, _frame: object) -> None:
        raise KeyboardInterrupt(signal.Signals(signum).name)

    for sig in (signal.SIGTERM, getattr(signal, "SIGHUP", None)):
        if sig is not None:
            signal.signal(sig, handler)


if __name__ == "__main__":
    sys.exit(main())
