"""Explicit, resumable model downloads for ``interviewer models download``.

Downloads are never implicit: a round must not stall on a 480 MB fetch. Each
file streams into ``NAME.part``; an interrupted download resumes with an HTTP
``Range`` request, the finished file is hashed against the registry pin (or,
when the registry has none, its digest is recorded in ``manifest.json`` so
later loads can still detect corruption) and only then renamed into place.
A short connect timeout turns "no route to the hub" into a fast, clear
:class:`OfflineError` instead of a hang.
"""

from __future__ import annotations

import json
import os
import socket
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from agent.speech.models import KnownModel, ModelIntegrityError, RemoteFile, sha256_file

CONNECT_TIMEOUT_S = 5.0
CHUNK = 1 << 16

Progress = Callable[[int, int | None], None]


class OfflineError(Exception):
    """The model host cannot be reached at all (DNS, refused, timed out)."""


class DownloadError(Exception):
    """The host answered, but not with the file we asked for."""


@dataclass
class FileResult:
    """What happened to one downloaded file."""

    name: str
    path: Path
    sha256: str
    resumed_from: int
    verified: bool


def _open(url: str, start: int, timeout: float) -> urllib.response.addinfourl:
    request = urllib.request.Request(url, headers={"User-Agent": "pm-interviewer-models/1"})
    if start:
        request.add_header("Range", f"bytes={start}-")
    try:
        return urllib.request.urlopen(request, timeout=timeout)  # noqa: S310 - https/http by registry
    except urllib.error.HTTPError as exc:
        if exc.code == 416:  # range past the end: the .part file is already complete
            raise
        raise DownloadError(f"{url} answered HTTP {exc.code}") from None
    except (TimeoutError, urllib.error.URLError, ConnectionError) as exc:
        reason = getattr(exc, "reason", exc)
        raise OfflineError(f"cannot reach {urllib.parse.urlparse(url).netloc}: {reason}") from None


def fetch(
    remote: RemoteFile, dest: Path, *, progress: Progress | None = None, timeout: float = CONNECT_TIMEOUT_S
) -> FileResult:
    """Download one file into ``dest`` with resume and digest check."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    part = dest.with_name(dest.name + ".part")
    start = part.stat().st_size if part.exists() else 0
    resumed_from = start
    try:
        response = _open(remote.url, start, timeout)
    except urllib.error.HTTPError:
        response = None  # 416: nothing left to fetch
    if response is not None:
        with response:
            status = getattr(response, "status", 200)
            if start and status != 206:
                # the server ignored Range: start over rather than append a second copy
                start = resumed_from = 0
            length = response.headers.get("Content-Length")
            total = start + int(length) if length is not None else remote.size
            mode = "ab" if start else "wb"
            done = start
            with part.open(mode) as fh:
                if progress:
                    progress(done, total)
                while True:
                    try:
                        block = response.read(CHUNK)
                    except (TimeoutError, ConnectionError) as exc:
                        raise OfflineError(
                            f"connection lost while downloading {remote.name}: {exc}"
                        ) from None
                    if not block:
                        break
                    fh.write(block)
                    done += len(block)
                    if progress:
                        progress(done, total)
    digest = sha256_file(part)
    if remote.sha256 and digest != remote.sha256.lower():
        part.unlink(missing_ok=True)  # a bad .part must not be resumed forever
        raise ModelIntegrityError(
            f"downloaded {remote.name} does not match its pinned digest: expected sha256 "
            f"{remote.sha256}, found {digest}; the partial file was removed, try again"
        )
    os.replace(part, dest)
    return FileResult(remote.name, dest, digest, resumed_from, bool(remote.sha256))


def probe(url: str, *, timeout: float = CONNECT_TIMEOUT_S) -> None:
    """Fail fast with :class:`OfflineError` when the host of ``url`` is unreachable."""
    host = urllib.parse.urlparse(url)
    port = host.port or (443 if host.scheme == "https" else 80)
    try:
        socket.create_connection((host.hostname or "", port), timeout=timeout).close()
    except OSError as exc:
        raise OfflineError(f"cannot reach {host.netloc}: {exc}") from None


def download_model(
    model: KnownModel,
    root: Path,
    *,
    progress_for: Callable[[RemoteFile], Progress] | None = None,
    timeout: float = CONNECT_TIMEOUT_S,
    force: bool = False,
) -> list[FileResult]:
    """Download every file of ``model`` into ``root/NAME`` and write its manifest."""
    if not model.files:
        raise DownloadError(f"{model.name} has no download source")
    probe(model.files[0].url, timeout=timeout)
    folder = root / model.name
    results: list[FileResult] = []
    for remote in model.files:
        dest = folder / remote.name
        if dest.is_file() and not force:
            digest = sha256_file(dest)
            if not remote.sha256 or digest == remote.sha256.lower():
                results.append(
                    FileResult(remote.name, dest, digest, dest.stat().st_size, bool(remote.sha256))
                )
                continue
        results.append(
            fetch(remote, dest, progress=progress_for(remote) if progress_for else None, timeout=timeout)
        )
    manifest = {
        "name": model.name,
        "kind": model.kind,
        "source": model.source,
        "files": {r.name: {"sha256": r.sha256, "pinned": r.verified} for r in results},
    }
    (folder / "manifest.json").write_text(json.dumps(manifest, indent=1), encoding="utf-8")
    return results
