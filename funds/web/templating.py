"""What every template may use, registered once for the whole app: dates in the reader's
language, the labels people read, and this page in another language."""

from __future__ import annotations

from datetime import datetime

from flask import Flask, request, url_for
from flask_babel import format_date, format_datetime, format_timedelta, gettext

from funds.money import format_money

from . import labels


def language_url(lang: str) -> str:
    """This page in another language: same address and query, ``lang`` replaced."""
    if request.endpoint and request.method in ("GET", "HEAD"):
        path = request.view_args or {}
        # a query parameter named like a part of the path cannot change the path
        args = {key: value for key, value in request.args.items() if key != "lang" and key not in path}
        return url_for(request.endpoint, **path, **args, lang=lang)
    return f"{request.path}?lang={lang}"


def moment(value: datetime) -> str:
    """A moment as every committee page shows it: the reader's date and time format, in UTC, saying so."""
    return gettext("%(time)s (UTC)", time=format_datetime(value, "short"))


def init_app(app: Flask) -> None:
    # amounts in the reader's language: {{ amount|money(currency) }} or {{ money(amount, currency) }}
    app.add_template_filter(format_money, "money")
    app.jinja_env.globals.update(
        money=format_money,
        format_date=format_date,
        moment=moment,
        format_datetime=format_datetime,
        format_timedelta=format_timedelta,
        language_url=language_url,
        category_labels=labels.CATEGORIES,
        method_labels=labels.PAYOUT_METHODS,
        state_words=labels.REQUEST_STATES,
        line_labels=labels.LEDGER_LINES,
        role_labels=labels.ROLES,
        vote_labels=labels.VOTES,
    )
