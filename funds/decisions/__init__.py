"""Committees deciding and paying: votes, quorum, fast track, reservations, the waitlist,
payouts, vouchers and reminders."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """The committee's dashboard, queue, request and payout pages, and the decisions' jobs."""
    from . import jobs  # noqa: F401  (registers reminders, expiry and the waitlist job)
    from .views import bank_batch, blueprint, payouts, queue  # noqa: F401  (each adds its routes)

    app.register_blueprint(blueprint)
