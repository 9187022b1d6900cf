"""Structured logs: one JSON object per line, for a log collector (``AYNI_LOG_FORMAT=json``).

Each line has the time (UTC), level, logger, process id and message, and an exception's traceback
when there is one; never a request's address, user agent, path or query. The NoTrace filter of
funds/logs.py stays in front of every handler, and the formatter scrubs once more, so a JSON line
can carry no more than a text line could.
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime

from flask import Flask
from flask.logging import default_handler

from funds import logs

#: marks the handler this module adds, so that making several apps in one process adds one
_OURS = "ayni_json_handler"


class JsonLines(logging.Formatter):
    """A log record as one line of JSON."""

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "process": record.process,
            "message": logs.scrub(record.getMessage()),
        }
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            line["exception"] = logs.scrub(record.exc_text)
        if record.stack_info:
            line["stack"] = logs.scrub(record.stack_info)
        return json.dumps(line, ensure_ascii=False)


def use_json(handler: logging.Handler) -> None:
    """Give ``handler`` the JSON formatter, behind the NoTrace filter."""
    handler.setFormatter(JsonLines())
    if not any(isinstance(f, logs.NoTrace) for f in handler.filters):
        handler.addFilter(logs.NoTrace())


def init_app(app: Flask) -> None:
    """With ``log_format = "json"``, every record of the app, Flask, werkzeug and APScheduler goes
    to standard error as JSON (gunicorn's own loggers are set up in funds/gunicorn_conf.py)."""
    if app.extensions["ayni.config"].log_format != "json":
        return
    root = logging.getLogger()
    if not any(getattr(h, _OURS, False) for h in root.handlers):
        handler = logging.StreamHandler(sys.stderr)
        setattr(handler, _OURS, True)
        use_json(handler)
        root.addHandler(handler)
        if root.level == logging.NOTSET or root.level > logging.INFO:
            root.setLevel(logging.INFO)
    # Flask's own handler would write the app's records a second time, as text.
    app.logger.removeHandler(default_handler)
