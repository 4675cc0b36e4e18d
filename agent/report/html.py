"""The report as one self-contained HTML page.

The saved file must open years later on a machine without internet, so
plotly.js is embedded inline once per page and nothing is fetched from a
CDN. Pages served by the web app instead load the same bundle from the app's
own static route and carry the response's CSP nonce on every inline script.
Templates autoescape: every word a candidate said is text, never markup.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup
from plotly.offline import get_plotlyjs

from agent.interview.scorecard import FollowUp, Scorecard
from agent.report.charts import chart_divs
from agent.report.markdown import NAMED_HINT, delivery_line, describe, heading, when

TEMPLATES = Path(__file__).with_name("templates")


def _g(value: float | int) -> str:
    return f"{value:g}"


def _trend_class(f: FollowUp) -> str:
    if f.score_before is None or f.score_after is None or f.score_after == f.score_before:
        return "same"
    return "up" if f.score_after > f.score_before else "down"


@lru_cache(maxsize=1)
def environment() -> Environment:
    """The Jinja environment: autoescaping on, undefined names are errors, not blanks."""
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES)),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(g=_g, when=when, trend_class=_trend_class, describe=describe,
                       delivery_line=delivery_line, heading=heading)
    return env


@lru_cache(maxsize=1)
def plotly_bundle() -> Markup:
    """plotly.js from the installed plotly package (the offline bundle, about 4.8 MB)."""
    return Markup(get_plotlyjs())


def render_html(
    card: Scorecard,
    *,
    plotly_src: str | None = None,
    nonce: str | None = None,
    back_link: str | None = None,
    redo_link: str | None = None,
) -> str:
    """The report page; plotly.js is inlined unless ``plotly_src`` names a URL to load it from."""
    divs = chart_divs(card, nonce=nonce)
    charts: dict[str, Any] = {
        "scores": Markup(divs["scores"]) if card.questions else None,
        "coverage": Markup(divs["coverage"]) if card.questions else None,
        "delivery": Markup(divs["delivery"]) if card.timeline else None,
    }
    return environment().get_template("report.html.j2").render(
        card=card,
        charts=charts,
        plotly_js=None if plotly_src else plotly_bundle(),
        plotly_src=plotly_src,
        nonce=nonce,
        back_link=back_link,
        redo_link=redo_link,
        scored=sum(1 for q in card.questions if q.score is not None),
        shown=sum(len(q.hit) for q in card.questions),
        strong_total=sum(len(q.hit) + len(q.named) + len(q.rejected) + len(q.missed) for q in card.questions),
        named_hint=NAMED_HINT,
    )
