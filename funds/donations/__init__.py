"""Donations: gifts online through Stripe (once or monthly), offline gifts, receipts.

No transaction is held open across a call to Stripe: a gift's row is committed before Stripe
is asked anything (so every request can carry an idempotency key made from the row's id),
and webhooks read what they need from Stripe before they take the books' lock.
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Pool pages, giving, receipts, offline gifts, the Stripe webhook and its reconciliation job."""
    from . import jobs  # noqa: F401  (registers reconcile-stripe)
    from .views import blueprint, giving, offline, pools, receipts, statements, webhook  # noqa: F401  (they add routes)

    app.register_blueprint(blueprint)
