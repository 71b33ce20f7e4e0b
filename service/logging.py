"""Structured JSON logs, one line an event, on standard output.

structlog renders our events; the stdlib loggers (uvicorn's ``uvicorn.error``, which writes
the client address of every WebSocket handshake even with the access log off, and
``uvicorn.access``) go through the same renderer. Both pass the redaction safety net:
``redact_event`` for structlog events and ``RedactingFilter`` for stdlib records.
"""

from __future__ import annotations

import logging
import sys
from typing import Final, TextIO

import structlog
from typing_extensions import override

from security.redaction import RedactingFilter, redact_event


class _StdlibRecordsFilter(RedactingFilter):
    """Scrub stdlib records; structlog's own (already redacted, msg is a dict) pass as is."""

    @override
    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, dict) and hasattr(record, "_logger"):  # wrap_for_formatter
            return True
        return super().filter(record)


class _DropHandshakeLines(logging.Filter):
    """uvicorn logs every WebSocket handshake (``[ip]:54426 - "WebSocket /ws/visit"
    [accepted]``, or its status): with a timestamp, the source port can tie a visit to a
    subscriber behind carrier-grade NAT, and redaction leaves the port. Drop the line."""

    @override
    def filter(self, record: logging.LogRecord) -> bool:
        return not (isinstance(record.msg, str) and record.msg.startswith('%s - "WebSocket '))


STDLIB_LOGGERS: Final = ("uvicorn", "uvicorn.error", "uvicorn.access", "asyncio", "starlette")


def configure_logging(level: int = logging.INFO, stream: TextIO | None = None) -> None:
    """JSON lines on ``stream`` (stdout; the command line's data commands use stderr, so what
    they print on stdout, a CSV file, stays clean)."""
    shared: list[structlog.types.Processor] = [
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        redact_event,
    ]
    structlog.configure(
        processors=[*shared, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.make_filtering_bound_logger(level),
        cache_logger_on_first_use=True,
    )
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=[structlog.stdlib.ExtraAdder(), *shared],
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            structlog.processors.format_exc_info,
            redact_event,
            structlog.processors.JSONRenderer(ensure_ascii=False),
        ],
    )
    handler = logging.StreamHandler(stream or sys.stdout)
    handler.setFormatter(formatter)
    handler.addFilter(_StdlibRecordsFilter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # First, so that a handshake line (one per WebSocket) is dropped before it is redacted.
    logging.getLogger("uvicorn.error").addFilter(_DropHandshakeLines())
    for name in STDLIB_LOGGERS:
        logger = logging.getLogger(name)
        logger.handlers[:] = []
        logger.propagate = True
        logger.addFilter(RedactingFilter())
    # The access log would hold every path and query (knowledge-bank searches among them).
    logging.getLogger("uvicorn.access").disabled = True
