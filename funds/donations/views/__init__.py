"""What the donor pages share: the blueprint, money in templates, and reading outside the
request's write transaction."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from flask import Blueprint, current_app
from sqlalchemy.orm import Session

from funds.db import READ_ONLY, in_transaction
from funds.web.access import public_blueprint
from funds.web.headers import public_headers

T = TypeVar("T")
#: donors need no account; the few committee pages here carry their own guard
blueprint = public_blueprint(Blueprint("donations", __name__))


blueprint.after_request(public_headers)


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
