"""Helpers the subcommands share: loading content, finding personas, opening the store."""

from __future__ import annotations

import argparse
import difflib
import os
import sys
from typing import TYPE_CHECKING

from agent.cli import UsageError
from agent.content.loader import DEFAULT_PERSONA

if TYPE_CHECKING:
    from agent.content.loader import Bank
    from agent.content.models import Persona
    from agent.store import Store



def load_content() -> Bank:
    from agent.content.loader import ContentError, load_bank

    try:
        return load_bank()
    except ContentError as exc:
        raise UsageError(f"the shipped content does not load: {exc.errors[0]}") from None


def persona_of(bank: Bank, persona_id: str | None) -> Persona:
    pid = persona_id or DEFAULT_PERSONA
    if pid not in bank.personas:
        close = difflib.get_close_matches(pid, list(bank.personas), n=3)
        hint = f"did you mean {', '.join(close)}?" if close else f"known: {', '.join(bank.personas)}"
        raise UsageError(f"--persona: unknown persona '{pid}'; {hint}")
    return bank.personas[pid]


def open_store(args: argparse.Namespace) -> Store:
    from agent.paths import DB_WAIT_ENV
    from agent.store import Store, StoreError
    from agent.store.owners import local_owner
    from agent.store.store import WRITE_WAIT_S

    raw = os.environ.get(DB_WAIT_ENV, "").strip()
    try:
        wait = float(raw) if raw else WRITE_WAIT_S
    except ValueError:
        wait = -1.0
    if not 0 <= wait <= 3600:
        raise UsageError(f"{DB_WAIT_ENV}: expected seconds between 0 and 3600, got {raw!r}")
    try:
        return Store(getattr(args, "db", None), write_wait_s=wait, owner=local_owner())
    except StoreError as exc:
        raise UsageError(str(exc)) from None


def store_lost(command: str, error: str, report: object) -> int:
    """The one line a round command ends with when the database stopped taking writes; exit status 1."""
    print(f"interviewer {command}: {error}; the round was kept in memory and its report written: {report}",
          file=sys.stderr)
    return 1
