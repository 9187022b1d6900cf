"""What the donor pages share: the blueprint, the content security policy, and reading outside
the request's write transaction."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar
from urllib.parse import urlsplit

from flask import Blueprint, Response, current_app, g
from sqlalchemy.orm import Session

from funds.committees.access import public_blueprint
from funds.config import Config
from funds.db import READ_ONLY, in_transaction

T = TypeVar("T")
#: donors need no account; the few committee pages here carry their own guard
blueprint = public_blueprint(Blueprint("donations", __name__))


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def content_security_policy(config: Config, *, stripe: bool) -> str:
    """Only our own assets; the card page adds Stripe.js's host (its frames) and Stripe's API."""
    scripts = frames = connect = "'self'"
    if stripe:
        js, api = _origin(config.stripe_js_url), _origin(config.stripe_api_base)
        scripts = f"'self' {js}"
        frames = f"{js} https://hooks.stripe.com" if js == "https://js.stripe.com" else js
        connect = f"'self' {api}" if api == js else f"'self' {js} {api}"
    return (
        f"default-src 'self'; script-src {scripts}; connect-src {connect}; frame-src {frames}; "
        "img-src 'self' data:; style-src 'self'; object-src 'none'; base-uri 'none'; "
        "form-action 'self'; frame-ancestors 'none'"
    )


def secure_headers(response: Response) -> Response:
    """Every donor and pool page: our CSP, no referrer, no framing."""
    config = current_app.extensions["ayni.config"]
    stripe = bool(g.get("ayni_loads_stripe"))
    response.headers.setdefault("Content-Security-Policy", content_security_policy(config, stripe=stripe))
    response.headers.setdefault("Referrer-Policy", "no-referrer")
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    return response


def loads_stripe() -> None:
    """Mark this response as the card page: its CSP lets Stripe.js in."""
    g.ayni_loads_stripe = True


blueprint.after_request(secure_headers)


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
