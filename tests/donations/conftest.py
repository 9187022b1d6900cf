"""Donor fixtures: a localstripe server on loopback, pools, gifts paid at "Stripe", signed events.

The app talks to localstripe through funds.stripe_gateway exactly as it would to Stripe; nothing
is patched. Events Stripe would send are signed here with the real scheme (HMAC-SHA256 over
"<timestamp>.<body>"), so the webhook's signature check is the one production runs.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import time

import pytest
from sqlalchemy import func, select

from funds.committees.models import Committee
from funds.donations.localstripe import LocalStripe
from funds.donations.models import Gift
from funds.pools.domain import create_pool
from funds.pools.models import Pool
from funds.stripe_gateway import gateway
from ledger import schema, store


@pytest.fixture(scope="session")
def localstripe():
    server = LocalStripe.start()
    yield server
    server.stop()


@pytest.fixture
def config(config, localstripe):
    """The app pointed at localstripe, with a webhook secret of its own (so no other test's
    events can be mistaken for this one's)."""
    configured = localstripe.configure(config, webhook_secret=f"whsec_{secrets.token_hex(16)}")
    # One localstripe serves every test: a ledger origin of its own keeps this test's Stripe objects
    # apart from the others', as it keeps two deployments sharing a Stripe account apart.
    return configured.with_overrides(secure_cookies=False, ledger_origin=f"ayni.test/{secrets.token_hex(6)}")


@pytest.fixture
def stripe(app):
    """The app's own Stripe gateway: tests make charges and refunds at localstripe through it."""
    return gateway(app)


@pytest.fixture
def make_pool(run):
    def make(slug: str = "mutual-aid", *, currency: str = "PLN", goal: int = 1_000_000, is_open: bool = True):
        def work(session):
            committee = session.scalar(select(Committee).limit(1)) or Committee(name="Peer committee")
            session.add(committee)
            session.flush()
            pool = create_pool(session, committee, slug=slug, currency=currency, goal=goal, request_cap=100_000,
                               names={"en": (f"Pool {slug}", "Support for anyone who asks.")})
            pool.is_open = is_open
            return pool.id

        return run(work)

    return make


@pytest.fixture
def pool(make_pool):
    return make_pool()


@pytest.fixture
def committee_client(run, make_member, client_of):
    """``make(role, slug)``: a client signed in as a new ``role`` of the committee that runs pool ``slug``."""

    def make(role: str, slug: str = "mutual-aid"):
        committee_id = run(lambda s: s.scalar(select(Pool.committee_id).where(Pool.slug == slug)))
        return client_of(make_member(committee_id, role))

    return make


@pytest.fixture
def charged_gift(run, stripe, config, pool):
    """A one-time gift of ``amount`` whose card was charged at localstripe; returns (gift id, PaymentIntent)."""

    def make(amount: int = 2500) -> tuple[int, dict]:
        gift_id = run(lambda s: _pending_gift(s, pool, amount))
        intent = stripe.client.v1.payment_intents.create(params={
            "amount": amount, "currency": "pln", "payment_method": "pm_card_visa", "confirm": True,
            "payment_method_types": ["card"],
            "metadata": {"ayni_gift": str(gift_id), "ayni_origin": config.ledger_origin},
        })
        return gift_id, intent.to_dict()

    return make


def _pending_gift(session, pool_id: int, amount: int) -> int:
    gift = Gift(pool_id=pool_id, amount=amount, currency="PLN", source="stripe")
    session.add(gift)
    session.flush()
    return gift.id


def event(kind: str, found: dict, *, created: int | None = None) -> dict:
    """A Stripe event as Stripe sends it."""
    return {"id": f"evt_{secrets.token_hex(12)}", "object": "event", "type": kind, "api_version": "2024-06-20",
            "created": created or int(time.time()), "livemode": False, "data": {"object": found}}


def signature(body: bytes, secret: str, timestamp: int | None = None) -> str:
    """The Stripe-Signature header: t=<unix time>,v1=HMAC-SHA256(secret, "<t>.<body>")."""
    timestamp = int(time.time()) if timestamp is None else timestamp
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac}"


@pytest.fixture
def deliver(client, config):
    """POST an event to the webhook, signed as Stripe signs it."""

    def send(found: dict, *, secret: str | None = None, timestamp: int | None = None):
        body = json.dumps(found).encode()
        header = signature(body, secret or config.stripe_webhook_secret, timestamp)
        return client.post("/stripe/webhook", data=body, headers={"Stripe-Signature": header},
                           content_type="application/json")

    return send


def balances(session, *codes: str) -> dict[str, int]:
    kept = store.balances(session, codes)
    return {code: kept[code].balance if code in kept else 0 for code in codes}


def ledger_size(session) -> int:
    return session.scalar(select(func.count()).select_from(schema.entries))
