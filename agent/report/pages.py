"""Report and history pages for the web app (see ``agent.web.pages`` for the contract).

Served pages load plotly.js from the app's own static route instead of
inlining 4.8 MB into every response, and every inline chart script carries
the response's CSP nonce.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import TYPE_CHECKING

from markupsafe import Markup

from agent.interview.scorecard import load_scorecard
from agent.report.history import history_rows, svg_sparkline, trend_of_rows
from agent.report.html import environment, render_html
from agent.store.errors import UnknownRound

if TYPE_CHECKING:
    from agent.content.models import Question
    from agent.store import Store

PLOTLY_ROUTE = "/static/vendor/plotly.min.js"
HISTORY_LIMIT = 50
# The page opens the report the moment the candidate presses End, while the worker is still
# storing the last answer and closing the round: give it this long before rendering.
FINISHING_WAIT_S = 3.0


def render_round_page(
    store: Store, questions: Mapping[str, Question], round_id: str, *, nonce: str, wait_s: float = FINISHING_WAIT_S
) -> str | None:
    """The round's report page against the bank's ``questions``, or None when no round has exactly this id."""
    deadline = time.monotonic() + wait_s
    try:
        while store.round_status(round_id) == "running" and time.monotonic() < deadline:
            time.sleep(0.25)
        card = load_scorecard(store, questions, round_id)
    except UnknownRound:
        return None
    return render_html(card, plotly_src=PLOTLY_ROUTE, nonce=nonce, back_link="/history",
                       redo_link="/?redo=")


def render_history_page(store: Store, questions: Mapping[str, Question], *, nonce: str) -> str:
    """The list of past rounds with the score trend (no scripts, so the nonce is unused)."""
    rows = history_rows(store, store.list_rounds(limit=HISTORY_LIMIT), questions)
    trend = trend_of_rows(rows)
    return environment().get_template("history.html.j2").render(
        rows=rows, trend=trend, spark_svg=Markup(svg_sparkline(trend.scores))
    )
