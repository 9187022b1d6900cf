"""Reading numbers from addresses and query strings strictly: a bad one is a 400 with a reason.

Only plain decimal digits are numbers here (no signs, spaces, "1e3" or 40-digit values), so a
mistyped or hostile address never reaches a query, and never becomes a 500.
"""

from __future__ import annotations

import re

from flask import jsonify

_DIGITS = re.compile(r"(0|[1-9][0-9]{0,17})\Z")


class ParameterError(ValueError):
    """A query parameter or address part is not what the endpoint takes; the message says why."""

    def __init__(self, name: str, reason: str):
        super().__init__(f"{name}: {reason}")
        self.name = name
        self.reason = reason

    def response(self):
        return jsonify(error="bad_parameter", parameter=self.name, reason=self.reason), 400


def number(name: str, raw: str | None, *, default: int | None = None, low: int = 0, high: int | None = None) -> int:
    """``raw`` as a whole number between ``low`` and ``high``; ``default`` when it is absent."""
    if raw is None or raw == "":
        if default is None:
            raise ParameterError(name, "is required")
        return default
    if not _DIGITS.match(raw):
        raise ParameterError(name, "must be a whole number written in digits, like 42")
    value = int(raw)
    if value < low or (high is not None and value > high):
        upper = f" and at most {high}" if high is not None else ""
        raise ParameterError(name, f"must be at least {low}{upper}")
    return value


def after_seq(raw: str | None) -> int:
    """``after``: entries after this seq; absent means from the first entry (-1)."""
    if raw in (None, ""):
        return -1
    return number("after", raw)
