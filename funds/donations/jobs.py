"""The reconciliation job: book what a lost webhook missed.

Stripe retries a failed webhook for days, but an endpoint can be down longer, or a delivery can be
dropped. Every run lists Stripe's events from a little before the newest one we handled (events
arrive out of order, so an older one may still be missing) and handles any we have not seen.
"""

from __future__ import annotations

import time

from flask import Flask

from funds.db import in_transaction
from funds.scheduler import job
from funds.stripe_gateway import gateway

from . import events

#: how far before the newest handled event to look again, for deliveries that came out of order
OVERLAP_SECONDS = 3600
#: how far back the first run looks (Stripe keeps events for 30 days)
FIRST_LOOK_SECONDS = 3 * 24 * 3600


@job("reconcile-stripe", every=15 * 60, help="book Stripe payments, refunds and disputes a lost webhook missed")
def reconcile_stripe(app: Flask) -> dict[str, int]:
    """List Stripe's recent events and book those we never handled; returns counts."""
    factory = app.extensions["ayni.sessionmaker"]
    stripe = gateway(app)
    newest = in_transaction(factory, events.newest_event_time)
    since = newest - OVERLAP_SECONDS if newest is not None else int(time.time()) - FIRST_LOOK_SECONDS
    listed = handled = 0
    for event in stripe.events_since(since):
        listed += 1
        if event["type"] not in events.HANDLED or in_transaction(factory, lambda s, e=event: events.seen(s, e["id"])):
            continue
        facts = events.gather(stripe, event)
        outcome = in_transaction(factory, lambda s, e=event, f=facts: events.record(s, e, f))
        handled += outcome != "already handled"
    return {"listed": listed, "handled": handled}
