"""How every `touchpoint` process logs: one handler on standard error, in one of two formats.

`TOUCHPOINT_LOG_FORMAT=text` (the default) writes a line a person reads in a terminal;
`json` writes one JSON object per line for a log collector: `time` (UTC, ISO 8601),
`level`, `logger`, `message`, `request_id` in a request, `invitation_id` (and `case_id`)
in a send job, `exception` with its traceback; uvicorn's access line adds `method`,
`path` and `status`. Both formats mask phone numbers and email addresses in the message,
its arguments and the traceback (web/log_redaction.py).

uvicorn is handed the same configuration (`logging_config`), so its access and error lines
go through this handler too, in every process `touchpoint web --workers N` starts.
"""

from __future__ import annotations

import logging
import logging.config
import sys
from datetime import UTC, datetime
from typing import IO, Any, Literal

from pythonjsonlogger.core import RESERVED_ATTRS
from pythonjsonlogger.json import JsonFormatter as LibraryJsonFormatter

from dispatch import log_context
from web.log_redaction import redact
from web.request_id import request_id

LogFormat = Literal["text", "json"]
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
#: uvicorn's loggers: their own handlers are dropped so their lines reach ours.
UVICORN_LOGGERS = ("uvicorn", "uvicorn.error", "uvicorn.access")
_CONTEXT = (
    ("request_id", request_id),
    ("invitation_id", log_context.invitation_id),
    ("case_id", log_context.case_id),
)


class LogContext(logging.Filter):
    """Puts the request id, the invitation and case ids (when set), and the fields of an
    access line on the record."""

    def filter(self, record: logging.LogRecord) -> bool:
        for name, variable in _CONTEXT:
            value = variable.get()
            if value is not None:
                setattr(record, name, value)
        if record.name == "uvicorn.access" and isinstance(record.args, tuple):
            _access_fields(record, record.args)
        return True


def _access_fields(record: logging.LogRecord, args: tuple[Any, ...]) -> None:
    """uvicorn's access arguments: client, method, path, HTTP version, status."""
    if len(args) == 5:
        record.method, record.path, record.status = args[1], redact(str(args[2])), args[4]


class MaskPersonalData(logging.Filter):
    """The message, arguments merged in, with phone numbers and addresses masked."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except (TypeError, ValueError):
            return True  # a malformed call: logging reports it, with the arguments
        record.msg, record.args = redact(message), None
        return True


class TextFormatter(logging.Formatter):
    def __init__(self) -> None:
        super().__init__(TEXT_FORMAT)

    def formatException(self, ei: Any) -> str:
        return redact(super().formatException(ei))


class JsonFormatter(LibraryJsonFormatter):
    def __init__(self) -> None:
        super().__init__(
            "{asctime}{levelname}{name}{message}",
            style="{",
            rename_fields={
                "asctime": "time",
                "levelname": "level",
                "name": "logger",
                "exc_info": "exception",
            },
            # uvicorn's coloured copy of its message is for terminals.
            reserved_attrs=[*RESERVED_ATTRS, "color_message"],
        )

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        moment = datetime.fromtimestamp(record.created, UTC)
        return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")

    def formatException(self, ei: Any) -> str:
        return redact(super().formatException(ei))


def log_handler(log_format: LogFormat = "text", stream: IO[str] | None = None) -> logging.Handler:
    """The one handler: `stream` (standard error by default) in the format asked for."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter() if log_format == "json" else TextFormatter())
    handler.addFilter(LogContext())
    handler.addFilter(MaskPersonalData())
    return handler


def logging_config(log_format: LogFormat = "text", level: str = "INFO") -> dict[str, Any]:
    """The configuration for `logging.config.dictConfig`, and for uvicorn's `log_config`."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "handlers": {"main": {"()": f"{__name__}.log_handler", "log_format": log_format}},
        "root": {"level": level, "handlers": ["main"]},
        "loggers": {
            **{name: {"handlers": [], "propagate": True} for name in UVICORN_LOGGERS},
            # The twilio library writes eleven lines a message at INFO: kept for DEBUG.
            "twilio": {"level": "DEBUG" if level == "DEBUG" else "WARNING"},
        },
    }


def configure_logging(log_format: LogFormat = "text", level: str = "INFO") -> None:
    logging.config.dictConfig(logging_config(log_format, level))
