"""Reports of a round: JSON, Markdown and a self-contained HTML page with charts."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from agent.interview.scorecard import Scorecard

FORMATS = ("html", "md", "json")


def render(card: Scorecard, fmt: str) -> str:
    """The report as text in one of ``FORMATS``."""
    if fmt == "json":
        return card.model_dump_json(indent=2) + "\n"
    if fmt == "md":
        from agent.report.markdown import render_markdown

        return render_markdown(card)
    if fmt == "html":
        from agent.report.html import render_html

        return render_html(card)
    raise ValueError(f"unknown report format {fmt!r}; use one of {', '.join(FORMATS)}")


def default_report_path(round_id: str, fmt: str, owner: str | None = None) -> Path:
    """Where a round's report goes when no path is given.

    A browser's rounds (owner ``web:<hex>``) go to a folder of that owner's own
    inside the reports folder, so a worker serving many browsers keeps each
    one's newest reports (retention counts per folder) and one busy browser
    cannot push out everyone else's. The CLI user's rounds stay at the top.
    """
    from agent.paths import reports_dir
    from agent.store.owners import WEB_OWNER

    folder = reports_dir()
    if owner is not None and WEB_OWNER.fullmatch(owner):
        folder = folder / owner.replace(":", "-")
    return folder / f"round-{round_id}.{fmt}"


def write_report(card: Scorecard, fmt: str, path: str | os.PathLike[str]) -> Path:
    """Render and write the report atomically (a reader never sees half a file).

    The file is 0600 and a folder made for it 0700 whatever the umask: a
    report quotes the candidate (see ``agent.private``).
    """
    from agent.private import private_dir, restrict

    text = render(card, fmt)
    target = Path(path)
    private_dir(target.parent)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        restrict(fd)
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target


def render_round_page(store, round_id: str, *, nonce: str, wait_s: float | None = None) -> str | None:  # noqa: ANN001
    """Web app hook: the report page for ``round_id`` (None when unknown); ``wait_s`` as in ``pages``."""
    from agent.report.pages import FINISHING_WAIT_S
    from agent.report.pages import render_round_page as page

    return page(store, round_id, nonce=nonce, wait_s=FINISHING_WAIT_S if wait_s is None else wait_s)


def render_history_page(store, *, nonce: str) -> str:  # noqa: ANN001 - see pages
    """Web app hook: the history page."""
    from agent.report.pages import render_history_page as page

    return page(store, nonce=nonce)


__all__ = ["FORMATS", "default_report_path", "render", "render_history_page", "render_round_page",
           "write_report"]
