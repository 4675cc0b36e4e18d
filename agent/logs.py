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


def console_warnings(stream: Any) -> Any:
    """Structlog processor: also show warnings and errors on the console as one short line each.

    With logs going to a file, the terminal would otherwise never hear that a
    stored turn was skipped or a model endpoint is resting. Runs after
    ``drop_pii``, so the line holds no candidate speech either.
    """

    def processor(_logger: Any, _name: str, event: dict[str, Any]) -> dict[str, Any]:
        level = event.get("level", "")
        # ``told_user``: the command says this to the user itself, in its own words
        if level in ("warning", "error", "critical") and not event.get("told_user"):
            fields = " ".join(f"{k}={v}" for k, v in event.items() if k not in ("event", "level", "timestamp"))
            print(f"{level}: {event.get('event', '')} {fields}".rstrip(), file=stream, flush=True)
        return event

    return processor


class TolerantLogFile:
    """A log file whose write failures (disk full, a removed mount) cost log lines, never the round.

    The round's turns matter more than its log: a log write that raises would
    end the round with a traceback at the very moment the store is already
    struggling with the same full disk. After the first failure the file is
    dropped and one line says so on the console.
    """

    def __init__(self, handle: Any, console: Any = None) -> None:
        self._handle: Any = handle
        self._console = console

    def write(self, text: str) -> int:
        if self._handle is None:
            return len(text)
        try:
            return int(self._handle.write(text))
        except OSError as exc:
            self._fail(exc)
            return len(text)

    def flush(self) -> None:
        if self._handle is None:
            return
        try:
            self._handle.flush()
        except OSError as exc:
            self._fail(exc)

    def _fail(self, exc: OSError) -> None:
        handle, self._handle = self._handle, None
        try:
            handle.close()
        except OSError:
            pass
        print(f"interviewer: the log file can no longer be written ({(exc.strerror or str(exc)).lower()}); "
              "logging stops", file=self._console or sys.stderr, flush=True)


class DropFrameworkPii(logging.Filter):
    """Remove LiveKit's ``lk.pii.*`` record fields (transcripts, chat context) unless ``--log-pii``.

    livekit-agents marks personal data in its own log records this way; a
    handler that prints a record's extra fields (a JSON formatter) would
    otherwise write a candidate's words into an operator's logs.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        for name in [k for k in vars(record) if k.startswith("lk.pii.") or ".pii." in k]:
            delattr(record, name)
        return True


def configure_logging(*, verbose: bool = False, include_pii: bool = False, stream: Any = None,
                      log_file: Any = None) -> None:
    """JSON lines to ``stream`` (default stderr), or to ``log_file`` with warnings also shown on stderr."""
    processors: list[Any] = [
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
    if not include_pii:
        processors.append(drop_pii)
    if log_file is not None:
        processors.append(console_warnings(stream or sys.stderr))
    processors.append(structlog.processors.JSONRenderer())
    structlog.configure(
        processors=processors,
        wrapper_class=structlog.make_filtering_bound_logger(logging.DEBUG if verbose else logging.INFO),
        logger_factory=structlog.PrintLoggerFactory(file=log_file if log_file is not None else stream or sys.stderr),
        cache_logger_on_first_use=False,
    )


def get_logger(name: str) -> Any:
    return structlog.get_logger(name)
