"""Reports: JSON, Markdown and the self-contained HTML page with three charts."""

import json
import re

import pytest
from markupsafe import escape

from agent.interview.scorecard import Scorecard, build_scorecard, load_scorecard
from agent.report.files import default_report_path, render, write_report
from agent.store import Store
from tests.fakes.rounds import CANDIDATE_QUOTE, HOSTILE, full_round, meta, questions

pytestmark = pytest.mark.unit

QS = questions("q-one", "q-two")


def card(completed: bool = True) -> Scorecard:
    return build_scorecard(meta("r1"), full_round("r1"), QS, completed=completed)


@pytest.fixture
def compared(tmp_path):
    """A second round whose scorecard compares with the first."""
    with Store(f"sqlite:///{tmp_path / 'r.sqlite3'}") as store:
        for rid, strong in (("first0001", False), ("second001", True)):
            store.start_round(meta(rid))
            for turn in full_round(rid, strong=strong):
                store.add_turn(turn)
            store.finish_round(rid, status="completed", overall_score=None)
        yield load_scorecard(store, QS, "second001")


def test_html_is_self_contained_with_three_charts():
    page = render(card(), "html")
    for name in ("scores", "coverage", "delivery"):
        assert page.count(f'id="chart-{name}"') == 1
    assert page.count("Plotly.newPlot(") == 3
    assert page.count("plotly.js v") == 1  # the offline bundle, inlined once
    assert not re.search(r"<script[^>]*\bsrc=", page)
    assert not re.search(r"<link[^>]*\bhref=\"?https?:", page)
    assert "Round ended early" not in page


def test_html_quotes_the_candidate_next_to_the_strong_answer_and_escapes_it():
    page = render(card(), "html")
    assert f"<blockquote>&ldquo;{CANDIDATE_QUOTE}&rdquo;</blockquote>" in page
    assert "Start from what users need done" in page  # the strong-answer outline
    assert HOSTILE not in page
    assert str(escape(HOSTILE)) in page


def test_partial_round_is_marked():
    page = render(card(completed=False), "html")
    assert "Round ended early: partial report." in page


def test_served_page_uses_the_nonce_and_the_local_bundle():
    from agent.report.html import render_html

    page = render_html(card(), plotly_src="/static/vendor/plotly.min.js", nonce="n0nce")
    scripts = re.findall(r"<script[^>]*>", page)
    assert scripts[0] == '<script src="/static/vendor/plotly.min.js">'
    assert len(scripts) == 4 and all('nonce="n0nce"' in s for s in scripts[1:])
    assert "plotly.js v" not in page


def test_markdown_quotes_the_candidate_and_shows_follow_up_scores():
    md = render(card(), "md")
    assert f'> "{CANDIDATE_QUOTE}"' in md
    assert "(score 2/5 -> 4/5)" in md
    assert "### A strong answer covers" in md and "- Measure depth, not counts" in md
    assert "### Missed" in md
    assert "<script>" not in md and r"\<script\>" in md
    assert "Round ended early" not in md
    assert "Round ended early: partial report" in render(card(completed=False), "md")


def test_comparison_with_the_earlier_attempt(compared):
    q_two = compared.questions[1]
    assert q_two.comparison is not None and q_two.comparison.previous_round_id == "first0001"
    md = render(compared, "md")
    assert "### Compared with round first0001" in md and "Earlier 1/5, now 5/5." in md
    assert "Newly explained: Ties the platform to value for its users; Looks at depth of adoption." in md
    page = render(compared, "html")
    assert "Compared with round first0001" in page and "earlier attempt" in page


def test_json_is_the_scorecard():
    data = json.loads(render(card(), "json"))
    assert data == json.loads(card().model_dump_json())
    assert data["questions"][0]["hit"][0]["evidence"] == CANDIDATE_QUOTE


def test_empty_round_renders_without_charts():
    empty = build_scorecard(meta("r0"), [], QS, completed=False)
    page = render(empty, "html")
    assert "nothing to chart yet" in page and "Plotly.newPlot(" not in page
    assert "Round ended early" in render(empty, "md")


def test_write_report_to_the_default_folder(tmp_path):
    path = default_report_path("r1", "md", tmp_path / "data")
    assert path == tmp_path / "data" / "reports" / "round-r1.md"
    written = write_report(card(), "md", path)
    assert written == path and CANDIDATE_QUOTE in path.read_text(encoding="utf-8")
    assert [p.name for p in path.parent.iterdir()] == ["round-r1.md"]  # no temp file left behind


def test_unknown_format():
    with pytest.raises(ValueError, match="unknown report format 'pdf'"):
        render(card(), "pdf")


def test_web_pages(tmp_path):
    from agent.report.pages import render_history_page, render_round_page

    with Store(f"sqlite:///{tmp_path / 'w.sqlite3'}") as store:
        assert "No rounds yet" in render_history_page(store, QS, nonce="n")
        store.start_round(meta("web00001"))
        for turn in full_round("web00001"):
            store.add_turn(turn)
        page = render_round_page(store, QS, "web00001", nonce="n")
        assert page is not None and "Round ended early" in page and 'href="/history"' in page
        # the page served by the web app offers each question again; a report file has nowhere to send it
        assert 'href="/?redo=q-one"' in page and "Try this question again" in page
        assert "Try this question again" not in render(card(), "html")
        assert render_round_page(store, QS, "missing", nonce="n") is None
        listing = render_history_page(store, QS, nonce="n")
    assert 'href="/rounds/web00001"' in listing and "running" in listing
    assert "2.5*" in listing  # provisional score of the unfinished round
