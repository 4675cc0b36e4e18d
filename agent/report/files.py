"""A round's report as a file: rendered in one of three formats, and where and how it is written.

The default place is the reports folder of the user's data directory, with a
folder of its own for each browser; files are written whole or not at all,
and only their owner can read them (a report quotes the candidate).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from agent.interview.scorecard import Scorecard
from agent.paths import reports_dir
from agent.private import private_dir, restrict
from agent.report.html import render_html
from agent.report.markdown import render_markdown
from agent.store.owners import WEB_OWNER

FORMATS = ("html", "md", "json")


def render(card: Scorecard, fmt: str) -> str:
    """The report as text in one of ``FORMATS``."""
    if fmt == "json":
        return card.model_dump_json(indent=2) + "\n"
    if fmt == "md":
        return render_markdown(card)
    if fmt == "html":
        return render_html(card)
    raise ValueError(f"unknown report format {fmt!r}; use one of {', '.join(FORMATS)}")


def default_report_path(round_id: str, fmt: str, data_dir: Path, owner: str | None = None) -> Path:
    """Where a round's report goes when no path is given: the reports folder of ``data_dir``, made if need be.

    A browser's rounds (owner ``web:<hex>``) go to a folder of that owner's own
    inside the reports folder, so a worker serving many browsers keeps each
    one's newest reports (retention counts per folder) and one busy browser
    cannot push out everyone else's. The CLI user's rounds stay at the top.
    """
    folder = reports_dir(data_dir)
    if owner is not None and WEB_OWNER.fullmatch(owner):
        folder = folder / owner.replace(":", "-")
    return folder / f"round-{round_id}.{fmt}"


def write_report(card: Scorecard, fmt: str, path: str | os.PathLike[str]) -> Path:
    """Render and write the report atomically (a reader never sees half a file).

    The file is 0600 and a folder made for it 0700 whatever the umask: a
    report quotes the candidate (see ``agent.private``).
    """
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

