"""What the donor pages share: the blueprint, money in templates, and reading outside the
request's write transaction."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from flask import Blueprint, current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from funds.db import READ_ONLY, in_transaction
from funds.i18n import use_page_language
from funds.web.access import public_blueprint
from funds.web.headers import public_headers

from ..models import Gift, MonthlyGift

T = TypeVar("T")
#: donors need no account; the few committee pages here carry their own guard
blueprint = public_blueprint(Blueprint("donations", __name__))


blueprint.after_request(public_headers)
#: the pages of one gift, found by the token in their address
GIFT_PAGES = {"pay_gift": Gift, "receipt": Gift, "pay_monthly": MonthlyGift, "monthly_page": MonthlyGift,
              "stop_monthly": MonthlyGift}


@blueprint.url_value_preprocessor
def _gift_language(endpoint: str | None, values: dict | None) -> None:
    """A gift's pages speak the language its donor gave in, even when a redirect or Stripe's
    return drops ``?lang`` (an explicit ``?lang`` still wins)."""
    model = GIFT_PAGES.get((endpoint or "").rpartition(".")[2])
    token = (values or {}).get("token")
    if model is not None and isinstance(token, str):
        use_page_language(read(lambda s: s.scalar(select(model.lang).where(model.token == token))))


def read(work: Callable[[Session], T]) -> T:
    """Run ``work`` in a short read-only transaction of its own.

    Giving calls Stripe between its database steps; on SQLite a POST's own session would hold
    the write lock across those calls, so these views read and write in transactions of their own.
    """
    with current_app.extensions["ayni.sessionmaker"]() as session:
        session.connection(execution_options={READ_ONLY: True})
        return work(session)


def write(work: Callable[[Session], T]) -> T:
    """Run ``work`` in a transaction of its own, committed before this returns."""
    return in_transaction(current_app.extensions["ayni.sessionmaker"], work)
