"""How many round reports the reports folder keeps.

Every round writes a self-contained HTML report (a few megabytes, with the
candidate's own words in it). Left alone the folder grows without end and
keeps personal data nobody asked to keep, so after a round writes its report
the folder is pruned: only the newest ``INTERVIEWER_KEEP_REPORTS`` reports
stay (default 50; 0 keeps any number), and with ``INTERVIEWER_KEEP_REPORT_DAYS``
set, none older than that many days (both read by ``agent.settings``). Only files named like the reports the
interviewer writes (``round-<id>.html|md|json``) are ever removed; the rounds
themselves stay in the database, and ``interviewer report ID`` writes a
pruned report again.

The rule applies per folder, and a browser's reports have a folder of their
own (``reports/web-<hex>/``), so on a worker that serves many browsers each
owner keeps their own newest reports.
"""

from __future__ import annotations

import os
import re
import time
from dataclasses import dataclass
from pathlib import Path

DEFAULT_KEEP = 50
REPORT_NAME = re.compile(r"^round-[0-9A-Za-z_-]{1,64}\.(html|md|json)$")


@dataclass(frozen=True, slots=True)
class Retention:
    """Keep at most ``keep`` reports (None: any number) and none older than ``max_days`` (None: any age)."""

    keep: int | None = DEFAULT_KEEP
    max_days: float | None = None


def prune_reports(folder: Path, policy: Retention, *, keep: Path | None = None,
                  now: float | None = None) -> list[Path]:
    """Remove the reports ``policy`` does not keep from ``folder``; returns what was removed.

    Newest first by modification time; ``keep`` (the report just written) is
    never removed. A file that vanishes or cannot be removed meanwhile is
    skipped: pruning must never fail the round that triggered it.
    """
    if policy.keep is None and policy.max_days is None:
        return []
    found: list[tuple[float, Path]] = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return []
    for entry in entries:
        if not REPORT_NAME.match(entry.name):
            continue
        try:
            if not entry.is_file(follow_symlinks=False):
                continue
            found.append((entry.stat(follow_symlinks=False).st_mtime, Path(entry.path)))
        except OSError:
            continue
    found.sort(key=lambda item: (item[0], item[1].name), reverse=True)
    oldest = None if policy.max_days is None else (time.time() if now is None else now) - policy.max_days * 86400
    kept = 0
    removed: list[Path] = []
    for mtime, path in found:
        is_current = keep is not None and path.name == keep.name
        too_many = policy.keep is not None and kept >= policy.keep
        too_old = oldest is not None and mtime < oldest
        if is_current or not (too_many or too_old):
            kept += 1
            continue
        try:
            path.unlink()
        except OSError:
            continue
        removed.append(path)
    return removed
