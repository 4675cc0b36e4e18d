"""structlog set-up that keeps candidate speech out of logs by default.

Anything a candidate said (transcripts, answers, evidence spans) is logged only
under the ``pii`` key, and a processor drops that key unless the user asked for
it with ``--log-pii``. Event names are static strings so logs can be grepped
and aggregated without ever reading free text.
"""

from __future__ import annotations

import logging
import sys
from typing import Any

import structlog

PII_KEY = "pii"


def drop_pii(_logger: Any, _name: str, event: dict[str, Any]) -> dict[str, Any]:
    """Structlog processor: remove the ``pii`` key."""
    event.pop(PII_KEY, None)
    return event


def configure_logging(*, verbose: bool = False, include_pii: bool = False, stream: Any = None) -> None:
    processors: list[Any] = [
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
    if not include_pii:
        processors.append(drop_pii)
    processors.append(structlog.processors.JSONRenderer())
    structlog.configure(
        processors=processors,
        wrapper_class=structlog.make_filtering_bound_logger(logging.DEBUG if verbose else logging.INFO),
        logger_factory=structlog.PrintLoggerFactory(file=stream or sys.stderr),
        cache_logger_on_first_use=False,
    )


def get_logger(name: str) -> Any:
    return structlog.get_logger(name)
