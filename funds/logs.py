"""Logs that cannot betray a recipient: no client address, user agent or codename in any access
line, error or exception report.

The :class:`NoTrace` filter sits on every logger that writes about requests (werkzeug's
development server, Flask's app logger, Flask-Limiter, gunicorn's loggers through
funds/gunicorn_conf.py) and on the root handlers. It

- rewrites werkzeug's access line to ``"POST /request" 200 -``: no address, no timestamp (the
  log's own clock is enough), no query string;
- blanks the current request's address, forwarded addresses and user agent wherever they occur,
  and anything a view marked with :func:`never_log` (a codename), also inside tracebacks;
- blanks anything shaped like an IPv4 or IPv6 address as a last line of defence.
"""

from __future__ import annotations

import logging
import re

from flask import Flask, g, has_request_context, request

REDACTED = "[redacted]"
#: werkzeug: '<address> - - [<date>] <message>'
WERKZEUG_PREFIX = re.compile(r"^\S+ - - \[[^\]]*\] ")
QUERY = re.compile(r"\?[^\s\"]*")
IPV4 = re.compile(r"(?<![\d.])(?:\d{1,3}\.){3}\d{1,3}(?![\d.])")
#: at least three colon-separated hex groups, or anything with "::" (keeps "12:30:45" intact)
IPV6 = re.compile(
    r"(?<![\w:])(?:[0-9a-fA-F]{1,4}:){3,7}[0-9a-fA-F]{1,4}(?![\w:])"
    r"|(?<![\w:])[0-9a-fA-F:]*::[0-9a-fA-F:]*[0-9a-fA-F](?![\w:])"
)
LOGGERS = ("werkzeug", "flask_limiter", "gunicorn.error", "gunicorn.access", "funds", "ledger", "apscheduler")


def never_log(value: str) -> None:
    """Blank ``value`` from any log line written while this request is handled."""
    if value and has_request_context():
        g.setdefault("ayni_never_log", set()).add(value)


def _request_secrets() -> list[str]:
    if not has_request_context():
        return []
    found = [request.remote_addr or "", request.user_agent.string or ""]
    found += request.access_route
    found += list(g.get("ayni_never_log", ()))
    # longest first, so a user agent containing an address is blanked whole
    return sorted({s for s in found if s and len(s) >= 3}, key=len, reverse=True)


def scrub(text: str, secrets: list[str] | None = None) -> str:
    for secret in _request_secrets() if secrets is None else secrets:
        text = text.replace(secret, REDACTED)
    return IPV6.sub(REDACTED, IPV4.sub(REDACTED, text))


class NoTrace(logging.Filter):
    """Rewrites records in place so every handler downstream sees the scrubbed text."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.name == "werkzeug" and isinstance(record.msg, str) and WERKZEUG_PREFIX.match(record.msg):
            record.msg = WERKZEUG_PREFIX.sub("", record.msg)
            record.args = tuple(QUERY.sub("", a) if isinstance(a, str) else a for a in (record.args or ()))
        secrets = _request_secrets()
        try:
            message = record.getMessage()
        except (TypeError, ValueError):  # a malformed call: logging reports it; never fail the caller here
            return True
        cleaned = scrub(message, secrets)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = scrub(record.exc_text, secrets)
        if record.stack_info:
            record.stack_info = scrub(record.stack_info, secrets)
        return True


def install(logger: logging.Logger) -> None:
    if not any(isinstance(f, NoTrace) for f in logger.filters):
        logger.addFilter(NoTrace())
    for handler in logger.handlers:
        if not any(isinstance(f, NoTrace) for f in handler.filters):
            handler.addFilter(NoTrace())


def init_app(app: Flask) -> None:
    for name in LOGGERS:
        install(logging.getLogger(name))
    install(app.logger)
    install(logging.getLogger())
