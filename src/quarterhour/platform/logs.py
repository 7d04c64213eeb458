"""Structured logs: one JSON object per line (time, level, logger, message, extras)."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from typing import Any

#: record attributes that are not extras ("request" is the socket/request object: too noisy)
_STANDARD = set(vars(logging.makeLogRecord({})).keys()) | {"message", "asctime", "request"}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_"):
                out[key] = (
                    value if isinstance(value, str | int | float | bool | None) else str(value)
                )
        if record.exc_info:
            out["exc"] = self.formatException(record.exc_info)
        return json.dumps(out, ensure_ascii=False)
