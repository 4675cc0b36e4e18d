"""Who a round belongs to, and which process is writing it, as the store records them.

A round holds what a person said about their work, so it is readable only by
whoever made it. The CLI's rounds belong to the local user ("local:<name>");
a browser's rounds belong to the owner credential it was given with its first
session, recorded only as a hash ("web:<hex>") so the database never holds
anything that would let someone read as that browser.
"""

from __future__ import annotations

import getpass
import hashlib
import os
import re
import socket

LOCAL_PREFIX = "local:"
WEB_PREFIX = "web:"
WEB_OWNER = re.compile(r"^web:[0-9a-f]{32}$")


def local_owner() -> str:
    """The CLI user's owner id."""
    try:
        name = getpass.getuser()
    except (KeyError, OSError):  # no name for this uid (some containers)
        name = "user"
    return LOCAL_PREFIX + (re.sub(r"[^A-Za-z0-9._-]", "_", name)[:60] or "user")


def web_owner(credential: str) -> str:
    """The owner id for a browser's credential: a hash, never the credential itself."""
    return WEB_PREFIX + hashlib.sha256(credential.encode("utf-8")).hexdigest()[:32]


def is_local(owner: str) -> bool:
    return owner.startswith(LOCAL_PREFIX)


def writer_id() -> str:
    """The process writing a round, as "host:pid", so a round it left running can be told apart later."""
    return f"{socket.gethostname()[:100]}:{os.getpid()}"


def effective_status(status: str, writer: str | None) -> str:
    """A round still marked running whose writer on this machine is gone was cut off: it reads as interrupted.

    A writer on another machine cannot be checked from here, so its round keeps the stored status.
    """
    if status != "running" or not writer:
        return status
    host, _, pid = writer.rpartition(":")
    if host != socket.gethostname()[:100] or not pid.isdigit():
        return status
    return status if _alive(int(pid)) else "interrupted"


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # it exists, under another user
    return True
