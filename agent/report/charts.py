"""The three report charts, drawn with plotly.

Figures use an empty plotly template plus a few explicit layout settings: the
stock templates add kilobytes of JSON to every figure for styling the page's
own CSS already does. Only question ids and numbers go into the figures,
never candidate text, so nothing a candidate said can reach a script block.
"""

from __future__ import annotations

import html
from typing import Any

import plotly.graph_objects as go

from agent.interview.scorecard import Scorecard

FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif"
INK = "#1f2933"
MUTED = "#9aa5b1"
GOOD = "#2f855a"
MISS = "#e2e8f0"
ACCENT = "#3b5bdb"
WARN = "#d97706"
NAMED = "#f6ad55"  # a lighter warn: the idea is there, its reason is not
SCORE_COLOURS = {1: "#c53030", 2: "#dd6b20", 3: "#d69e2e", 4: "#38a169", 5: "#2f855a"}

CONFIG = {"displaylogo": False, "responsive": True, "displayModeBar": False}


def _layout(title: str, **extra: object) -> dict[str, object]:
    layout: dict[str, object] = dict(
        template="none",
        title=dict(text=title, x=0, xanchor="left", font=dict(size=15, color=INK)),
        font=dict(family=FONT, size=12, color=INK),
        margin=dict(l=48, r=24, t=48, b=72),
        autosize=True,
        height=320,
        paper_bgcolor="rgba(0,0,0,0)",
        plot_bgcolor="rgba(0,0,0,0)",
        legend=dict(orientation="h", y=-0.28, x=0),
        bargap=0.35,
    )
    layout.update(extra)
    return layout


def score_chart(card: Scorecard) -> go.Figure:
    """Score per question (1-5), beside the earlier attempt when there was one."""
    ids = [q.question_id for q in card.questions]
    scores = [q.score for q in card.questions]
    fig = go.Figure()
    previous = [q.comparison.previous_score if q.comparison else None for q in card.questions]
    if any(p is not None for p in previous):
        fig.add_bar(name="earlier attempt", x=ids, y=previous, marker_color=MUTED,
                    hovertemplate="%{x}<br>earlier: %{y}/5<extra></extra>")
    fig.add_bar(
        name="this round",
        x=ids,
        y=scores,
        marker_color=[SCORE_COLOURS.get(s or 0, MISS) for s in scores],
        text=[f"{s}/5" if s is not None else "no answer" for s in scores],
        textposition="outside",
        hovertemplate="%{x}<br>score: %{y}/5<extra></extra>",
    )
    fig.update_layout(**_layout("Score per question", barmode="group", showlegend=len(fig.data) > 1))
    fig.update_yaxes(range=[0, 5.6], tickvals=[1, 2, 3, 4, 5], gridcolor="#edf2f7", title_text="score")
    return fig


def coverage_chart(card: Scorecard) -> go.Figure:
    """Strong ideas explained, only named, and missed, per question."""
    ids = [q.question_id for q in card.questions]
    fig = go.Figure()
    fig.add_bar(name="explained", x=ids, y=[len(q.hit) for q in card.questions], marker_color=GOOD,
                hovertemplate="%{x}<br>explained: %{y}<extra></extra>")
    fig.add_bar(name="named only", x=ids, y=[len(q.named) for q in card.questions], marker_color=NAMED,
                hovertemplate="%{x}<br>named only: %{y}<extra></extra>")
    fig.add_bar(name="missed", x=ids, y=[len(q.missed) for q in card.questions], marker_color=MUTED,
                hovertemplate="%{x}<br>missed: %{y}<extra></extra>")
    fig.update_layout(**_layout("Strong ideas: explained, named, missed", barmode="stack"))
    fig.update_yaxes(gridcolor="#edf2f7", title_text="signals", rangemode="tozero", dtick=1)
    return fig


def delivery_chart(card: Scorecard) -> go.Figure:
    """Fillers and jargon per 100 words, and speaking pace, answer by answer through the round."""
    points = card.timeline
    minutes = [round(p.t / 60.0, 2) for p in points]
    labels = [p.question_id or "" for p in points]
    fig = go.Figure()
    fig.add_scatter(name="fillers / 100 words", x=minutes, y=[p.filler_per_100 for p in points],
                    mode="lines+markers", line=dict(color=WARN, width=2), customdata=labels,
                    hovertemplate="%{customdata}<br>%{y} fillers per 100 words<extra></extra>")
    if any(p.jargon_per_100 is not None for p in points):
        fig.add_scatter(name="jargon / 100 words", x=minutes, y=[p.jargon_per_100 for p in points],
                        mode="lines+markers", line=dict(color="#805ad5", width=2), customdata=labels,
                        connectgaps=False,
                        hovertemplate="%{customdata}<br>%{y} jargon per 100 words<extra></extra>")
    if any(p.words_per_minute is not None for p in points):
        fig.add_scatter(name="words per minute", x=minutes, y=[p.words_per_minute for p in points],
                        mode="lines+markers", yaxis="y2", line=dict(color=ACCENT, width=2, dash="dot"),
                        customdata=labels,
                        hovertemplate="%{customdata}<br>%{y} words per minute<extra></extra>")
    paced = any(p.words_per_minute is not None for p in points)  # spoken rounds only
    axes: dict[str, Any] = {}
    if paced:
        axes["yaxis2"] = dict(title=dict(text="words per minute"), overlaying="y", side="right",
                              rangemode="tozero", showgrid=False)
    fig.update_layout(**_layout(
        "Delivery over the round",
        xaxis=dict(title=dict(text="minutes into the round"), rangemode="tozero", gridcolor="#edf2f7"),
        yaxis=dict(title=dict(text="per 100 words"), rangemode="tozero", gridcolor="#edf2f7"),
        margin=dict(l=48, r=56, t=48, b=72),
        **axes,
    ))
    return fig


def chart_divs(card: Scorecard, *, nonce: str | None = None) -> dict[str, str]:
    """Each chart as an HTML fragment that expects plotly.js to be loaded already."""
    figures = {
        "scores": score_chart(card),
        "coverage": coverage_chart(card),
        "delivery": delivery_chart(card),
    }
    divs = {}
    attr = f' nonce="{html.escape(nonce, quote=True)}"' if nonce else ""
    for name, fig in figures.items():
        fragment = fig.to_html(full_html=False, include_plotlyjs=False, div_id=f"chart-{name}",
                               config=CONFIG, default_height="320px")
        if attr:
            fragment = fragment.replace("<script>", f"<script{attr}>")
            fragment = fragment.replace('<script type="text/javascript">',
                                        f'<script type="text/javascript"{attr}>')
        divs[name] = fragment
    return divs
