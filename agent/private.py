"""Owner-only files and folders for what a candidate said.

The database, the logs (with ``--log-pii``) and every report hold a person's
words about their work, so whatever the interviewer creates to keep them is
readable by its owner only: folders 0700, files 0600. The modes are set with
``chmod`` after creation, because ``mkdir``/``open`` only ever remove bits
through the umask and a permissive umask (0002 on many desktops) would leave
the files group-readable. Only what this module creates is changed: a folder
or file that already exists keeps the mode its owner gave it.
"""

from __future__ import annotations

import contextlib
import errno
import os
from pathlib import Path
from typing import IO

DIR_MODE = 0o700
FILE_MODE = 0o600


def private_dir(path: Path) -> Path:
    """Create ``path`` and any missing parents as 0700 folders; an existing folder is left as it is.

    Raises ``OSError``: ``NotADirectoryError`` when a file stands where a
    folder should be, ``PermissionError``, a read-only file system, ...
    """
    if path.is_dir():
        return path
    missing: list[Path] = []
    probe = path
    while not probe.exists() and probe.parent != probe:
        missing.append(probe)
        probe = probe.parent
    if not probe.is_dir():
        raise NotADirectoryError(errno.ENOTDIR, "a file stands where a folder should be", str(probe))
    for folder in reversed(missing):
        try:
            folder.mkdir(mode=DIR_MODE)
        except FileExistsError:
            if not folder.is_dir():
                raise
            continue  # another process made it first: theirs, not ours to chmod
        os.chmod(folder, DIR_MODE)
    return path


def create_private_file(path: Path) -> bool:
    """Create ``path`` empty and 0600 if it does not exist yet; True when this call created it."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    except FileExistsError:
        return False
    try:
        os.fchmod(fd, FILE_MODE)
    finally:
        os.close(fd)
    return True


def restrict(fd: int) -> None:
    """Make a file this process has just created 0600, whatever the umask took away or left."""
    os.fchmod(fd, FILE_MODE)


def open_private_append(path: Path) -> IO[str]:
    """Open a text file for appending (line-buffered); created 0600 when absent, an existing one untouched."""
    created = create_private_file(path)
    try:
        return path.open("a", encoding="utf-8", buffering=1)
    except BaseException:
        if created:
            with contextlib.suppress(OSError):
                path.unlink()
        raise
