"""Server-rendered pages: a round's report and the history list.

The web app does not know how reports are built or where rounds are stored;
it calls two injectable functions and serves what they return. Both are
synchronous (the store is SQLAlchemy Core) and run in the app's small thread
pool so a slow database never blocks the event loop.

Contract for the functions (what ``agent/report`` and ``agent/store`` provide, see :func:`store_pages`):

- ``RoundPage(round_id, nonce, owner) -> str | None``: the full HTML document of
  the round's report, or ``None`` when ``owner`` has no round with that id
  (another owner's round is as absent as a round that never existed). A round still in
  progress (or cut short) renders as a partial report: the scorecard is
  rebuilt from whatever turns were stored.
- ``HistoryPage(nonce, owner) -> str``: the full HTML document listing the
  owner's past rounds, each linking to ``/rounds/<id>``.
- ``RoundStatus(round_id, owner) -> str | None``: the round's status, or ``None``
  when the owner has no such round. The app polls it without holding a thread
  while a round is still finishing, and only then asks for the page, so many
  views of finishing rounds never fill the small page pool.

Pages are served under a Content-Security-Policy that allows scripts only
from this origin or carrying ``nonce`` (``<script nonce="...">``), so a chart
library's inline set-up call must carry the nonce. ``/static/vendor/plotly.min.js``
serves the installed plotly bundle for reports that draw charts.
"""

from __future__ import annotations

import html
import threading
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

from agent.report.pages import render_history_page, render_round_page
from agent.store import Store, UnknownRound

if TYPE_CHECKING:
    from agent.content.models import Question

RoundPage = Callable[[str, str, str], "str | None"]
HistoryPage = Callable[[str, str], str]
RoundStatus = Callable[[str, str], "str | None"]


def unavailable_page(title: str, message: str) -> str:
    """A plain page for when a report or the history cannot be shown."""
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title>"
        '<link rel="stylesheet" href="/static/dist/app.css"></head>'
        f'<body><main class="page"><h1>{html.escape(title)}</h1><p>{html.escape(message)}</p>'
        '<p><a href="/">Start a round</a></p></main></body></html>'
    )


def store_pages(database_url: str, questions: Mapping[str, Question]) -> tuple[RoundPage, HistoryPage, RoundStatus]:
    """Default pages: ``agent.report.pages`` over ``agent.store.Store(database_url)``, scored against the
    bank's ``questions``.

    The store is opened on first use, in the app's worker thread, so a slow or
    unreachable database never delays start-up or blocks the event loop.
    """
    lock = threading.Lock()
    opened: list[Store] = []

    def store() -> Store:
        with lock:
            if not opened:
                opened.append(Store(database_url))
            return opened[0]

    def round_page(round_id: str, nonce: str, owner: str) -> str | None:
        # the app waited for a finishing round already
        return render_round_page(store().as_owner(owner), questions, round_id, nonce=nonce, wait_s=0)

    def round_status(round_id: str, owner: str) -> str | None:
        try:
            return store().as_owner(owner).round_status(round_id)
        except UnknownRound:
            return None

    def history_page(nonce: str, owner: str) -> str:
        return render_history_page(store().as_owner(owner), questions, nonce=nonce)

    return round_page, history_page, round_status
