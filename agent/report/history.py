"""The history of rounds: rows, the score trend and a sparkline.

Rounds that never finished have no stored overall score; their rows get a
provisional one rebuilt from the turns, flagged as partial, so a crashed round
still shows up in the trend instead of silently vanishing from it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from agent.interview.scorecard import load_scorecard

if TYPE_CHECKING:
    from agent.content.models import Question
    from agent.interview.records import RoundSummary
    from agent.store import Store

BLOCKS = "▁▂▃▄▅▆▇█"
WINDOW = 5


@dataclass(frozen=True, slots=True)
class Trend:
    """Recent scores against the ones before them."""

    rounds_scored: int
    last_avg: float | None  # mean of the latest WINDOW scored rounds
    previous_avg: float | None  # mean of the WINDOW scored rounds before those
    change: float | None
    window: int
    scores: list[float]  # oldest first, at most 4 * WINDOW
    sparkline: str

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data (for ``history --json``)."""
        return asdict(self)


def sparkline(scores: Sequence[float]) -> str:
    """Scores (1-5, oldest first) as block characters on a fixed 1-5 scale."""
    out = []
    for s in scores:
        level = (min(5.0, max(1.0, s)) - 1.0) / 4.0
        out.append(BLOCKS[round(level * (len(BLOCKS) - 1))])
    return "".join(out)


def svg_sparkline(scores: Sequence[float], width: int = 140, height: int = 32) -> str:
    """An inline SVG polyline of scores (1-5); numbers only, so it needs no escaping."""
    if not scores:
        return ""
    step = width / max(1, len(scores) - 1)
    points = " ".join(
        f"{i * step:.1f},{height - 3 - (min(5.0, max(1.0, s)) - 1.0) / 4.0 * (height - 6):.1f}"
        for i, s in enumerate(scores)
    )
    return (f'<svg class="spark" width="{width}" height="{height}" viewBox="-3 0 {width + 6} {height}" '
            f'role="img" aria-label="score trend"><polyline fill="none" stroke="#3b5bdb" stroke-width="2" '
            f'points="{points}"/></svg>')


def trend_of(scores_newest_first: Sequence[float]) -> Trend:
    """Compare the latest WINDOW scored rounds with the WINDOW before them."""
    latest = list(scores_newest_first[:WINDOW])
    before = list(scores_newest_first[WINDOW:2 * WINDOW])
    last_avg = round(sum(latest) / len(latest), 2) if latest else None
    previous_avg = round(sum(before) / len(before), 2) if before else None
    change = round(last_avg - previous_avg, 2) if last_avg is not None and previous_avg is not None else None
    shown = list(reversed(scores_newest_first[:4 * WINDOW]))
    return Trend(
        rounds_scored=len(scores_newest_first),
        last_avg=last_avg,
        previous_avg=previous_avg,
        change=change,
        window=WINDOW,
        scores=shown,
        sparkline=sparkline(shown),
    )


def history_rows(
    store: Store, summaries: Sequence[RoundSummary], questions: Mapping[str, Question] | None
) -> list[dict[str, Any]]:
    """One dict per round, newest first; unfinished rounds get a provisional score when the bank is known."""
    rows = []
    for summary in summaries:
        row = summary.model_dump(mode="json")
        row["score"] = summary.overall_score
        row["partial"] = summary.status != "completed"
        if summary.overall_score is None and summary.status == "running" and questions is not None:
            row["score"] = load_scorecard(store, questions, summary.round_id).overall_score
        rows.append(row)
    return rows


def trend_of_rows(rows: Sequence[dict[str, Any]]) -> Trend:
    """The trend of history rows (newest first); rounds with no score are left out."""
    return trend_of([float(r["score"]) for r in rows if r["score"] is not None])
