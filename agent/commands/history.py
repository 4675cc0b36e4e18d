"""``interviewer history``: past rounds and whether scores are going up."""

from __future__ import annotations

import argparse
import json
from typing import Any

from agent.cli import UsageError
from agent.commands._common import open_store
from agent.content.loader import load_bank_at
from agent.settings import Settings

TREND_ROUNDS = 20


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``history`` subcommand."""
    p = sub.add_parser("history", help="list past rounds and the score trend")
    p.add_argument("--json", action="store_true", help="print {rounds: [...], trend: {...}} as JSON")
    p.add_argument("--limit", type=int, default=20, metavar="N", help="rounds to list (default 20)")
    p.set_defaults(handler=run)


def _questions(settings: Settings) -> Any:
    """The bank's questions, or None when it does not load (then unfinished rounds show no score)."""
    try:
        return load_bank_at(settings.content_root).questions
    except Exception:  # noqa: BLE001 - history must still list rounds with a broken bank
        return None


def run(args: argparse.Namespace, settings: Settings) -> int:
    """List rounds newest first, then the trend line (or one JSON object)."""
    # deferred: the report and the store bring SQLAlchemy and plotly, which `--help` does without
    from agent.report.history import history_rows, trend_of_rows
    from agent.store import StoreError

    if args.limit < 1:
        raise UsageError("--limit: must be at least 1")
    store = open_store(settings, writes=False)
    try:
        summaries = store.list_rounds(limit=max(args.limit, TREND_ROUNDS))
        needs_bank = any(s.overall_score is None and s.status == "running" for s in summaries)
        rows = history_rows(store, summaries, _questions(settings) if needs_bank else None)
    except StoreError as exc:
        raise UsageError(str(exc)) from None
    finally:
        store.close()
    trend = trend_of_rows(rows)
    shown = rows[: args.limit]
    if args.json:
        print(json.dumps({"rounds": shown, "trend": trend.to_dict()}, indent=2, ensure_ascii=False))
        return 0
    print(format_table(shown))
    print(format_trend(trend))
    return 0


def _date(iso: str) -> str:
    return iso.replace("T", " ")[:16]


def format_table(rows: list[dict[str, Any]]) -> str:
    """A plain aligned table, so it reads well in any terminal and pastes cleanly."""
    if not rows:
        return "No rounds yet. Start one with: interviewer practice --text"
    header = ("ID", "DATE", "PERSONA", "QUESTIONS", "SCORE", "STATUS")
    body = []
    for r in rows:
        score = "-" if r["score"] is None else f"{r['score']:g}" + ("*" if r["partial"] else "")
        body.append((r["round_id"], _date(r["started_at"]), r["persona_id"],
                     f"{r['asked_questions']}/{len(r['planned_questions'])}", score, r["status"]))
    widths = [max(len(str(row[i])) for row in (header, *body)) for i in range(len(header))]
    lines = ["  ".join(str(cell).ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
             for row in (header, *body)]
    if any(r["partial"] and r["score"] is not None for r in rows):
        lines.append("* partial round: scored on the answers given before it stopped")
    return "\n".join(lines)


def format_trend(trend: Any) -> str:
    """One line: sparkline plus recent average against the rounds before."""
    if not trend.scores:
        return "Trend: no scored rounds yet."
    line = f"Trend {trend.sparkline}  "
    if trend.change is None:
        return line + f"average {trend.last_avg:g} over {trend.rounds_scored} scored rounds " \
                      f"(a comparison needs more than {trend.window})"
    return line + (f"last {trend.window} average {trend.last_avg:g} vs previous {trend.window} "
                   f"{trend.previous_avg:g} ({trend.change:+.1f})")
