"""``POST /stripe/webhook``: Stripe tells us money moved.

The signature is checked on the raw body before anything else; a bad or stale one is a 400.
We answer 2xx only once the booking is committed (together with the deliveries that arrived with
it: :mod:`.group_commit`), and a failed commit is an error, so Stripe retries anything we did not
keep. This is the one POST without a CSRF token: its signature is its proof of origin.
"""

from __future__ import annotations

import logging

from flask import current_app, jsonify, request

from funds.db import READ_ONLY
from funds.stripe_gateway import BadSignature, StripeError, gateway
from funds.web.access import csrf
from ledger.errors import LedgerError

from .. import events
from ..booking import BookingError
from ..group_commit import group_commit
from . import blueprint

log = logging.getLogger(__name__)


@blueprint.post("/stripe/webhook")
@csrf.exempt
def stripe_webhook():
    stripe = gateway(current_app)
    try:
        event = stripe.parse_event(request.get_data(), request.headers.get("Stripe-Signature"))
    except (BadSignature, ValueError):
        return jsonify(error="the Stripe-Signature header does not match this body, or is too old"), 400
    if not _well_formed(event):
        return jsonify(error="an event has an id, a type and a created time, as Stripe sends them"), 400
    if event["type"] not in events.HANDLED:
        return jsonify(status="ignored: not an event Ayni books"), 200
    # Redeliveries are common; answer them without asking Stripe or taking the books' lock.
    with current_app.extensions["ayni.engine"].connect() as connection:
        already = events.seen(connection.execution_options(**{READ_ONLY: True}), event["id"])
    if already:
        return jsonify(status="already handled"), 200
    try:
        facts = events.gather(stripe, event)
    except StripeError:
        log.exception("could not read event %s's money from Stripe", event["id"])
        return jsonify(error="Stripe could not be asked about this event; send it again later"), 503
    except (KeyError, TypeError, AttributeError):
        return jsonify(error=f"a {event['type']} event without the fields it should carry"), 400
    try:
        outcome = group_commit(current_app).record(event, facts)
    except (BookingError, LedgerError) as error:
        log.error("event %s was not booked: %s", event["id"], error)
        return jsonify(error=f"not booked: {error}"), 422
    return jsonify(status=outcome), 200


def _well_formed(event: dict) -> bool:
    """Whether the fields we keep of every event are as Stripe sends them (and fit their columns)."""
    created = event.get("created")
    return (
        isinstance(event.get("id"), str)
        and 0 < len(event["id"]) <= 255
        and isinstance(event.get("type"), str)
        and type(created) is int
        and 0 <= created < 2**63
    )
