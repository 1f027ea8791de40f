"""Structured logging: JSON lines in production, readable lines in development."""

from __future__ import annotations

import json
import logging
import re
import sys
from datetime import UTC, datetime
from typing import Any

from inkwell.core.config import Settings
from inkwell.core.request_context import current_request_id

_STANDARD_ATTRS = set(logging.LogRecord("", 0, "", 0, "", (), None).__dict__) | {
    "message",
    "color_message",  # uvicorn's duplicate of the message with terminal colours
}


# An API key (`ink_` and its secret) wherever it turns up in a line: a message, a field, a
# path, an exception. Keys are never logged on purpose; this keeps a slip out of the logs too.
# Not inside a word (`preview_link_id` is no key); the secret is 43 characters.
_API_KEY = re.compile(r"(?<![A-Za-z0-9_])ink_[A-Za-z0-9_\-]{8,}")
REDACTED_API_KEY = "ink_[redacted]"


def redact(line: str) -> str:
    """The line with every API key replaced by `ink_[redacted]`."""
    return _API_KEY.sub(REDACTED_API_KEY, line) if "ink_" in line else line


def _extra_fields(record: logging.LogRecord) -> dict[str, Any]:
    return {k: v for k, v in record.__dict__.items() if k not in _STANDARD_ATTRS}


class JsonFormatter(logging.Formatter):
    """One JSON object per line, with UTC time and the request id."""

    def format(self, record: logging.LogRecord) -> str:
        payload: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat().replace("+00:00", "Z"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": current_request_id(),
            **_extra_fields(record),
        }
        if record.exc_info:
            payload["exception"] = self.formatException(record.exc_info)
        return redact(json.dumps(payload, default=str))


class ConsoleFormatter(logging.Formatter):
    """A readable line for development: time, level, message, then key=value pairs."""

    def format(self, record: logging.LogRecord) -> str:
        time = datetime.fromtimestamp(record.created, UTC).strftime("%H:%M:%S")
        fields = " ".join(f"{k}={v}" for k, v in _extra_fields(record).items())
        rid = current_request_id()
        line = f"{time} {record.levelname:<7} {record.name}: {record.getMessage()}"
        line += f" {fields}" if fields else ""
        line += f" request_id={rid}" if rid else ""
        if record.exc_info:
            line += "\n" + self.formatException(record.exc_info)
        return redact(line)


def configure_logging(settings: Settings) -> None:
    """Install one handler on the root logger, in the format the settings ask for."""
    use_json = settings.log_format == "json" or (
        settings.log_format == "auto" and settings.is_production
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if use_json else ConsoleFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(settings.log_level.upper())
    for name in ("uvicorn.access",):
        logging.getLogger(name).disabled = True
    for name in ("uvicorn", "uvicorn.error"):
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = True
