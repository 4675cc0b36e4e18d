"""``interviewer report ID``: write a stored round's report (HTML, Markdown or JSON)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from agent.cli import UsageError
from agent.commands._common import load_content, open_store
from agent.interview.scorecard import load_scorecard
from agent.paths import DataDirError
from agent.settings import Settings

FORMATS = ("html", "md", "json")


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``report`` subcommand."""
    p = sub.add_parser("report", help="write the report of a stored round")
    p.add_argument("round_id", metavar="ID", help="round id, or the start of one (as printed by `history`)")
    p.add_argument("--format", choices=FORMATS, default=None,
                   help="report format (default: from --out's suffix; json for '-'; else html)")
    p.add_argument("--out", metavar="FILE", help="where to write it; '-' prints to stdout "
                                                 "(default: the reports folder in your data directory)")
    p.set_defaults(handler=run)


def _format(args: argparse.Namespace) -> str:
    if args.format:
        return str(args.format)
    if args.out and args.out != "-":
        suffix = Path(args.out).suffix.lower().lstrip(".")
        aliases = {"htm": "html", "markdown": "md"}
        suffix = aliases.get(suffix, suffix)
        return suffix if suffix in FORMATS else "html"
    return "json" if args.out == "-" else "html"


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Rebuild the scorecard from the store and write it; print where it went."""
    # deferred: the report and the store bring SQLAlchemy and plotly, which `--help` does without
    from agent.report.files import default_report_path, render, write_report
    from agent.store import StoreError

    fmt = _format(args)
    store = open_store(settings, writes=False)
    try:
        try:
            round_id = store.resolve_round_id(args.round_id)
            bank = load_content(settings)
            card = load_scorecard(store, bank.questions, round_id)
        except StoreError as exc:
            raise UsageError(str(exc)) from None
    finally:
        store.close()
    if args.out == "-":
        sys.stdout.write(render(card, fmt))
        return 0
    try:
        target = (Path(args.out).expanduser() if args.out
                  else default_report_path(card.round_id, fmt, settings.data_dir))
    except DataDirError as exc:
        raise UsageError(f"{exc}, or pass --out FILE (--out - prints it)") from None
    if target.is_dir():
        raise UsageError(f"--out: {target} is a directory; give a file name")
    try:
        written = write_report(card, fmt, target)
    except OSError as exc:
        raise UsageError(f"--out: cannot write {target}: {exc.strerror or exc}") from None
    print(written)
    return 0
