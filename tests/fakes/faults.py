"""Real file-system faults for the store and data-folder tests: a full disk and a read-only folder.

Each is the genuine condition, not a patched function: a tiny tmpfs that
fills up (SQLite's own SQLITE_FULL) and a folder the kernel refuses writes to.
Root ignores file modes, so as root a read-only folder is a read-only bind
mount; a mechanism that is not available here skips the test with the reason
(a skip is not a pass).
"""

from __future__ import annotations

import contextlib
import errno
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest


def _run(*argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(list(argv), capture_output=True, text=True, timeout=30, check=False)


def _unmount(path: Path) -> None:
    if _run("umount", str(path)).returncode != 0:
        _run("umount", "-l", str(path))


@contextlib.contextmanager
def tiny_filesystem(path: Path, size: str = "1m") -> Iterator[Path]:
    """A tmpfs of ``size`` mounted at ``path`` (needs root: mounting is privileged)."""
    path.mkdir(parents=True, exist_ok=True)
    if os.geteuid() != 0:
        pytest.skip("a full disk needs a tiny tmpfs, and mounting one needs root; not run")
    done = _run("mount", "-t", "tmpfs", "-o", f"size={size},mode=0700", "tmpfs", str(path))
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here ({done.stderr.strip()}); the full-disk case was not run")
    try:
        yield path
    finally:
        _unmount(path)


def fill(folder: Path) -> int:
    """Write a filler file in ``folder`` until the file system says it is full; bytes written."""
    written = 0
    chunk = b"\0" * 4096
    fd = os.open(folder / "filler", os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        while True:
            try:
                written += os.write(fd, chunk)
            except OSError as exc:
                if exc.errno != errno.ENOSPC:
                    raise
                return written
    finally:
        os.close(fd)


@contextlib.contextmanager
def read_only_folder(path: Path) -> Iterator[Path]:
    """``path`` and the folders in it made unwritable for this process.

    chmod 0500, or as root a read-only bind mount (root writes through file modes).
    """
    if os.geteuid() != 0:
        folders = [path, *(p for p in path.rglob("*") if p.is_dir())]
        before = {p: p.stat().st_mode & 0o777 for p in folders}
        for folder in folders:
            folder.chmod(0o500)
        try:
            _refuses_writes(path)
            yield path
        finally:
            for folder in folders:
                folder.chmod(before[folder])
        return
    done = _run("mount", "--bind", str(path), str(path))
    if done.returncode != 0:
        pytest.skip(f"as root only a read-only mount stops writes, and mounting failed ({done.stderr.strip()})")
    try:
        again = _run("mount", "-o", "remount,ro,bind", str(path))
        if again.returncode != 0:
            pytest.skip(f"cannot remount {path} read-only ({again.stderr.strip()}); not run")
        _refuses_writes(path)
        yield path
    finally:
        _unmount(path)


def _refuses_writes(path: Path) -> None:
    """The mechanism really stops this process writing there, or the test would prove nothing."""
    try:
        (path / ".probe").write_text("x")
    except OSError:
        return
    (path / ".probe").unlink()
    pytest.skip(f"{path} still takes writes from this process; the read-only case was not run")
