"""The one module that talks to Stripe.

Everything the service asks Stripe, or hears from it, passes here and comes back as plain values.
Tests point it at localstripe (a stateful Stripe API on loopback), never at patched functions.

Every POST carries an idempotency key made from our own row id, so a retry (ours, or the client
library's automatic one) cannot make a second customer, subscription or charge. We pin the API
version whose shapes this module reads; the webhook endpoint in Stripe's dashboard must use it too.
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import quote, urlsplit
from urllib.request import getproxies, proxy_bypass

import orjson
import stripe
import urllib3
from flask import Flask

from funds.config import Config
from funds.stripe_facts import (
    GIFT_KEY,
    MONTHLY_KEY,
    ORIGIN_KEY,
    Charge,
    Checkout,
    Payment,
    Refund,
    charge_from,
    payment_of,
    stripe_id,
    subscription_payment,
)

API_VERSION = "2024-06-20"
#: what a charge's read brings along: its fee, its payment intent (with our gift, or the invoice
#: of a monthly gift and that subscription's metadata) and its refunds, in one request
CHARGE_EXPANSIONS = ["balance_transaction", "payment_intent.invoice.subscription", "refunds"]

StripeError = stripe.StripeError
BadSignature = stripe.SignatureVerificationError


#: a dropped or refused connection, a timeout: another try may work (a TLS failure will not)
_WORTH_RETRYING = urllib3.exceptions.TimeoutError | urllib3.exceptions.ProtocolError | urllib3.exceptions.ProxyError


class _Urllib3Client(stripe.HTTPClient):
    """Stripe's calls over one urllib3 pool of kept-alive connections.

    Every webhook reads its charge back from Stripe. Through the library's requests client that
    read took 0.59 ms of CPU, through this one 0.29 ms: requests merges settings, cookies and hooks
    and prepares the URL again on every call, which cost more than the HTTP exchange itself.
    Retries stay the library's (``max_network_retries``): this client never retries on its own,
    and says which failures are worth another try as the requests client does.
    """

    name = "urllib3"

    def __init__(self, api_base: str):
        super().__init__()
        # The environment's proxy for Stripe's host, looked up once rather than on every call.
        host = urlsplit(api_base)
        proxy = None if proxy_bypass(host.hostname or "") else getproxies().get(host.scheme)
        options = {"timeout": 80, "retries": False, "maxsize": 10, "ca_certs": stripe.ca_bundle_path}
        self._pool = urllib3.ProxyManager(proxy, **options) if proxy else urllib3.PoolManager(**options)

    def request(
        self, method: str, url: str, headers: Mapping[str, str] | None, post_data=None
    ) -> tuple[bytes, int, Mapping[str, str]]:
        try:
            response = self._pool.request(method, url, headers=headers, body=post_data)
        except urllib3.exceptions.HTTPError as error:
            raise stripe.APIConnectionError(
                f"could not reach Stripe ({type(error).__name__}: {error})",
                should_retry=isinstance(error, _WORTH_RETRYING),
            ) from error
        return response.data, response.status, response.headers

    def close(self) -> None:
        self._pool.clear()


class StripeGateway:
    def __init__(self, config: Config):
        self.client = stripe.StripeClient(
            config.stripe_secret_key,
            base_addresses={"api": config.stripe_api_base},
            stripe_version=API_VERSION,
            max_network_retries=2,
            http_client=_Urllib3Client(config.stripe_api_base),
        )
        self.webhook_secret = config.stripe_webhook_secret
        self.origin = config.ledger_origin

    def _options(self, kind: str, row_id: int, step: str) -> dict:
        return {"idempotency_key": f"{self.origin}:{kind}:{row_id}:{step}"}

    def _metadata(self, kind: str, row_id: int) -> dict:
        return {GIFT_KEY if kind == "gift" else MONTHLY_KEY: str(row_id), ORIGIN_KEY: self.origin}

    # Giving

    def open_checkout(self, kind: str, row_id: int, *, email: str | None) -> Checkout:
        """A customer and a SetupIntent for gift (or monthly gift) ``row_id``; ``email`` gets Stripe's receipts."""
        metadata = self._metadata(kind, row_id)
        params: dict = {"metadata": metadata}
        if email:
            params["email"] = email
        customer = self.client.v1.customers.create(params=params, options=self._options(kind, row_id, "customer"))
        return self._card_form(kind, row_id, customer.id, "setup-intent")

    def _card_form(self, kind: str, row_id: int, customer_id: str, step: str) -> Checkout:
        intent = self.client.v1.setup_intents.create(
            params={
                "customer": customer_id,
                "usage": "off_session" if kind == "monthly" else "on_session",
                "payment_method_types": ["card"],
                "metadata": self._metadata(kind, row_id),
            },
            options=self._options(kind, row_id, step),
        )
        return Checkout(customer_id, intent.id, intent.client_secret)

    def card_form_for_another_try(self, kind: str, row_id: int, *, customer_id: str,
                                  setup_intent_id: str) -> Checkout:
        """A card form for one more try after a refusal: the same SetupIntent while it can still take a
        card, a new one (keyed by the old) once a card saved on it was then declined."""
        intent = self.client.v1.setup_intents.retrieve(setup_intent_id)
        if intent.status != "succeeded":
            return Checkout(customer_id, intent.id, intent.client_secret)
        return self._card_form(kind, row_id, customer_id, f"setup-intent:after:{setup_intent_id}")

    def card_form_secret(self, setup_intent_id: str) -> str:
        """The SetupIntent's client secret, read again rather than stored: it lets a card be saved."""
        return self.client.v1.setup_intents.retrieve(setup_intent_id).client_secret

    def saved_card(self, setup_intent_id: str) -> str | None:
        """The payment method Stripe.js saved on the SetupIntent, once the donor's bank agreed."""
        intent = self.client.v1.setup_intents.retrieve(setup_intent_id)
        return stripe_id(intent.payment_method) if intent.status == "succeeded" else None

    def charge_once(self, gift_id: int, *, amount: int, currency: str, customer_id: str, card: str) -> Payment:
        """Take a one-time gift from the saved card (once per card: a declined card's retry uses another)."""
        try:
            intent = self.client.v1.payment_intents.create(
                params={
                    "amount": amount, "currency": currency.lower(), "customer": customer_id,
                    "payment_method": card, "confirm": True, "payment_method_types": ["card"],
                    "metadata": self._metadata("gift", gift_id),
                },
                options=self._options("gift", gift_id, f"payment:{card}"),
            )
        except stripe.CardError as error:
            return _refused(error)
        return payment_of(intent.to_dict())

    def payment(self, payment_intent_id: str) -> Payment:
        return payment_of(self.client.v1.payment_intents.retrieve(payment_intent_id).to_dict())

    def start_monthly(self, monthly_id: int, *, amount: int, currency: str, customer_id: str, card: str,
                      description: str) -> Payment:
        """Make the saved card the customer's default and subscribe them to ``amount`` a month."""
        self.client.v1.customers.update(
            customer_id, params={"invoice_settings": {"default_payment_method": card}},
            options=self._options("monthly", monthly_id, f"default-card:{card}"),
        )
        plan = self.client.v1.plans.create(
            params={"amount": amount, "currency": currency.lower(), "interval": "month",
                    "product": {"name": description}, "metadata": self._metadata("monthly", monthly_id)},
            options=self._options("monthly", monthly_id, f"plan:{card}"),
        )
        try:
            subscription = self.client.v1.subscriptions.create(
                params={"customer": customer_id, "items": [{"plan": plan.id}],
                        "metadata": self._metadata("monthly", monthly_id),
                        "expand": ["latest_invoice.payment_intent"]},
                options=self._options("monthly", monthly_id, f"subscription:{card}"),
            )
        except stripe.CardError as error:
            return _refused(error)
        payment = subscription_payment(subscription.to_dict())
        if payment.status == "failed" and payment.stripe_id:
            # An incomplete subscription would try the refused card again; the donor tries another.
            self.client.v1.subscriptions.cancel(payment.stripe_id)
            return Payment("failed", reasons=payment.reasons)
        return payment

    def stop_monthly(self, subscription_id: str) -> None:
        self.client.v1.subscriptions.cancel(subscription_id)

    # Money movements

    def _read(self, kind: str, object_id: str, expand: list[str] | None = None) -> dict:
        """GET one object as plain JSON: the library's object tree would only be turned back into
        a dict. The same requestor as every other call (key, API version, retries, errors)."""
        params = {"expand": expand} if expand else {}
        return self.client.raw_request("get", f"/v1/{kind}/{quote(object_id, safe='')}", **params).data

    def charge(self, charge_id: str) -> Charge:
        """Re-read a charge: whatever order events came in, this is how things stand now."""
        found = self._read("charges", charge_id, CHARGE_EXPANSIONS)
        refunds = found.get("refunds") or {"data": [], "has_more": False}
        listed = refunds["data"]
        if refunds.get("has_more"):
            pages = self.client.v1.refunds.list(params={"charge": charge_id, "limit": 100})
            listed = [r.to_dict() for r in pages.auto_paging_iter()]
        return charge_from(found, tuple(Refund(r["id"], r["amount"], r["status"]) for r in listed), self.origin)

    def charge_of_gift_payment(self, intent: dict) -> Charge | None:
        """The charge of a succeeded one-time gift, from the signed event, reading only its fee.

        A succeeded PaymentIntent does not change any more (refunds and disputes come with events
        of their own, which re-read the whole charge), so one read is all the books need: the
        charge with its balance transaction expanded (Stripe's events name the charge only), or
        just the balance transaction when the event carries the charge (localstripe's do).
        """
        latest = intent.get("latest_charge")
        if latest is None:
            return None
        if isinstance(latest, str):
            found = self._read("charges", latest, ["balance_transaction"])
        else:
            found = dict(latest)
            if isinstance(found.get("balance_transaction"), str):
                found["balance_transaction"] = self._read("balance_transactions", found["balance_transaction"])
        found["payment_intent"] = intent
        return charge_from(found, (), self.origin)

    def charge_of_invoice(self, invoice: dict) -> str | None:
        """An invoice's charge; an invoice event may name only its PaymentIntent."""
        if invoice.get("charge"):
            return stripe_id(invoice["charge"])
        if invoice.get("payment_intent"):
            intent = self.client.v1.payment_intents.retrieve(stripe_id(invoice["payment_intent"]))
            return stripe_id(intent.latest_charge)
        return None

    # Events

    def parse_event(self, payload: bytes, signature: str | None) -> dict:
        """Check the Stripe-Signature header on the raw body (Stripe's default tolerance, 5 minutes).

        This is ``stripe.Webhook.construct_event`` without building the library's object tree,
        which we would only turn back into a dict: the same check, a third of the time.
        """
        stripe.WebhookSignature.verify_header(payload, signature, self.webhook_secret,
                                              stripe.Webhook.DEFAULT_TOLERANCE)
        found = orjson.loads(payload)
        if not isinstance(found, dict):
            raise ValueError("an event is a JSON object")
        return found

    def events_since(self, created: int) -> list[dict]:
        """Every event Stripe still has from ``created`` (seconds) on, oldest first."""
        pages = self.client.v1.events.list(params={"created": {"gte": created}, "limit": 100})
        return sorted((e.to_dict() for e in pages.auto_paging_iter()), key=lambda e: (e["created"], e["id"]))


def _refused(error: stripe.CardError) -> Payment:
    found = error.error
    return Payment("failed", reasons=tuple(code for code in (getattr(found, "decline_code", None), error.code)
                                           if isinstance(code, str)))


def gateway(app: Flask) -> StripeGateway:
    """The app's gateway, made on first use from its config."""
    found = app.extensions.get("ayni.stripe")
    if found is None:
        found = app.extensions["ayni.stripe"] = StripeGateway(app.extensions["ayni.config"])
    return found
