"""The single console script, ``interviewer``.

Each subcommand lives in its own module under ``agent/commands`` and exposes
``register(subparsers)``; the heavy imports (models, livekit, web) happen inside
the command's handler so that ``interviewer --help`` and text rounds start fast.
"""

from __future__ import annotations

import argparse
import importlib
import signal
import sys
from collections.abc import Sequence

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


class UsageError(Exception):
    """Bad input from the user: printed as one line, exit code 2."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="interviewer",
        description="A live mock interviewer for technical and platform product-manager rounds.",
    )
    parser.add_argument("--db", help="database URL (default: a SQLite file in your data directory)")
    parser.add_argument("--log-pii", action="store_true",
                        help="include candidate speech in logs (off by default: it is personal data)")
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in COMMANDS:
        importlib.import_module(f"agent.commands.{name}").register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    from agent.logs import configure_logging

    configure_logging(verbose=args.verbose, include_pii=args.log_pii)
    from agent.assist.llm_assessor import LLMConfigError

    if args.command in ROUND_COMMANDS:
        _stop_like_ctrl_c()
    try:
        return int(args.handler(args) or 0)
    except (UsageError, LLMConfigError) as exc:
        print(f"interviewer {args.command}: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except Exception as exc:
        from agent.store.errors import StoreError

        if not isinstance(exc, StoreError):
            raise
        print(f"interviewer {args.command}: {exc}", file=sys.stderr)
        return 1


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
