"""Refusing bodies that are too large or not UTF-8 before any form reads them (recipient pages,
which must never answer a 500 to what a cheap phone or a fuzzer sends)."""

from __future__ import annotations

from urllib.parse import parse_qsl

from flask import g, request
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.exceptions import BadRequest, RequestEntityTooLarge

#: the largest form we accept: the fields' limits in the worst UTF-8 case, with room to spare
MAX_BODY = 64 * 1024


def _forget_body() -> None:
    # so nothing later (the language selector, an error page) tries to parse it again
    request.__dict__["form"] = ImmutableMultiDict()
    request.__dict__["files"] = ImmutableMultiDict()


def check_body() -> None:
    """Refuse large bodies (413) and JSON (400: a form would read it as one, and fail on anything but
    an object of strings), and note bodies that are not valid UTF-8 for the view."""
    if request.method != "POST":
        return
    if request.is_json:
        _forget_body()
        raise BadRequest()
    request.max_content_length = MAX_BODY
    if request.content_length is not None and request.content_length > MAX_BODY:
        _forget_body()
        raise RequestEntityTooLarge()
    try:
        raw = request.get_data(cache=True)
    except RequestEntityTooLarge:
        _forget_body()
        raise
    if request.mimetype == "application/x-www-form-urlencoded":
        try:
            parse_qsl(raw.decode("utf-8"), keep_blank_values=True, encoding="utf-8", errors="strict")
        except (UnicodeDecodeError, ValueError):
            g.unreadable_body = True
    elif any("\ufffd" in value for value in request.form.values()):
        g.unreadable_body = True


def body_was_unreadable() -> bool:
    return bool(g.get("unreadable_body"))
