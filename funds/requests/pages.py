"""What every recipient page shares: the words for the fixed vocabularies, the language links,
problem pages, and refusing bodies that are too large or not UTF-8 before any form reads them."""

from __future__ import annotations

from urllib.parse import parse_qsl

from flask import current_app, g, render_template, request, url_for
from flask_babel import format_date
from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.exceptions import BadRequest, RequestEntityTooLarge

from .wording import CATEGORY_LABELS, METHOD_LABELS, STATE_WORDS

#: the largest form we accept: the fields' limits in the worst UTF-8 case, with room to spare
MAX_BODY = 64 * 1024
PROBLEMS = {
    400: (_l("Something went wrong with what was sent"), _l("Please go back, check the form and send it again.")),
    404: (_l("This page does not exist"), _l("Please check the address, or start again from the links above.")),
    405: (_l("This page cannot be used this way"), _l("Please start again from the links above.")),
    413: (_l("That was too much text"), _l("Please shorten what you wrote and send it again.")),
    429: (
        _l("Please wait a little"),
        _l(
            "Many forms were sent from this connection in a short time. "
            "Please wait an hour and try again. Nothing about you was kept."
        ),
    ),
    500: (_l("Something went wrong on our side"), _l("Nothing you wrote was kept. Please try again in a few minutes.")),
}


def render_problem(code: int):
    title, text = PROBLEMS.get(code, PROBLEMS[500])
    return render_template("requests/problem.html", title=title, text=text), code


def language_url(lang: str) -> str:
    """This page in another language: same address and query, ``lang`` replaced."""
    if request.endpoint and request.method in ("GET", "HEAD"):
        path = request.view_args or {}
        # a query parameter named like a part of the path cannot change the path
        args = {key: value for key, value in request.args.items() if key != "lang" and key not in path}
        return url_for(request.endpoint, **path, **args, lang=lang)
    return f"{request.path}?lang={lang}"


def wording_context() -> dict:
    return {
        "category_labels": CATEGORY_LABELS,
        "method_labels": METHOD_LABELS,
        "state_words": STATE_WORDS,
        "format_date": format_date,
        "language_url": language_url,
        "retention_days": current_app.extensions["ayni.config"].retention_days,
    }


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
