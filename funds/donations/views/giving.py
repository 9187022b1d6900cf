"""Giving by card: the give form, then the card step on our own page.

1. ``POST /pools/<slug>/give`` checks the gift, commits a pending row, then opens a Stripe
   customer and SetupIntent keyed by that row's id (works without JavaScript).
2. The card page mounts Stripe.js's card field; ``confirmCardSetup`` saves the card on the
   SetupIntent (both real Stripe.js and localstripe's stand-in do this).
3. ``POST .../pay`` charges the saved card (a PaymentIntent) or subscribes it (monthly). If the
   bank wants the donor to confirm, the page runs ``confirmCardPayment`` and moves on.
The webhook books the money; the receipt page waits for it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from flask import abort, current_app, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session, object_session
from wtforms import SelectChoice

from funds.db import get_session
from funds.money import plain_amount, presets
from funds.pools import bank_details
from funds.pools.models import Pool
from funds.stripe_facts import Payment
from funds.stripe_gateway import StripeError, gateway
from funds.web.headers import loads_stripe
from funds.web.labels import CARD_REFUSALS, GIVING_METHODS, card_refusal
from funds.web.refusals import show

from .. import domain
from ..forms import CardForm, GiveForm
from ..models import Gift, MonthlyGift
from . import blueprint, read, write

log = logging.getLogger(__name__)
MODELS = {"gift": Gift, "monthly": MonthlyGift}
STRIPE_DOWN = _l("Card payments are not available right now. Please try again in a few minutes.")


@dataclass(frozen=True)
class GivingPool:
    """What the give form shows of a pool."""

    slug: str
    name: str
    currency: str
    is_open: bool
    #: how this pool takes gifts now: "card" when Stripe is configured, "bank" when it has bank details
    methods: tuple[str, ...] = ("card",)


def giving_pool(pool: Pool, lang: str) -> GivingPool:
    methods = (("card",) if current_app.extensions["ayni.config"].cards_enabled else ()) + (
        ("bank",) if bank_details.bank_account(object_session(pool), pool.id) is not None else ())
    return GivingPool(pool.slug, pool.text(lang).name, pool.currency, pool.is_open, methods)


def give_form(pool: GivingPool) -> GiveForm:
    """The give form for ``pool``: its presets, written as the donor writes amounts, its currency, a
    middle preset chosen (and shown as the example of another amount), and the ways it takes gifts."""
    choices = [plain_amount(m, pool.currency) for m in presets(pool.currency)]
    form = GiveForm(currency=pool.currency, preset=choices[1], method=pool.methods[0] if pool.methods else None)
    form.method.choices = [SelectChoice(m, GIVING_METHODS[m]) for m in pool.methods]
    form.preset.choices = [*(SelectChoice(c) for c in choices), SelectChoice("other", _("Other amount"))]
    form.custom_amount.render_kw = {"placeholder": choices[1]}
    return form


def _lang() -> str:
    return str(get_locale() or "en")


@blueprint.get("/give")
def give_default():
    """The "where most needed" pool's page, where the give form is."""
    slug = get_session().scalar(select(Pool.slug).where(Pool.is_default.is_(True), Pool.is_open.is_(True)))
    return redirect(url_for("donations.pool_page", slug=slug) if slug else url_for("donations.pool_list"))


@blueprint.get("/pools/<slug>/give")
def give_page(slug: str):
    pool = get_session().scalar(select(Pool).where(Pool.slug == slug)) or abort(404)
    giving = giving_pool(pool, _lang())
    error = None if pool.is_open else domain.CLOSED
    return render_template("donations/give.html", pool=giving, form=give_form(giving), error=error)


@blueprint.post("/pools/<slug>/give")
def give(slug: str):
    lang = _lang()
    found = read(lambda s: _pool_and_card(s, slug, lang))
    if found is None:
        abort(404)
    pool, giving = found
    form = give_form(giving)
    if not form.validate_on_submit():
        return render_template("donations/give.html", pool=giving, form=form, error=None), 400
    config = current_app.extensions["ayni.config"]
    try:
        choice = domain.check_choice(
            pool, domain.Limits(config.gift_minimum, config.gift_maximum), amount_text=form.amount_text(),
            currency=form.currency.data or "", frequency=form.frequency.data or "",
            public_name=form.public_name.data, locale=lang, method=form.method.data or "", methods=giving.methods,
        )
    except domain.GiftError as refusal:
        return render_template("donations/give.html", pool=giving, form=form, error=show(refusal, form)), refusal.status
    if choice.method == "bank":
        gift = write(lambda s: domain.start_bank_gift(s, choice))
        return redirect(url_for("donations.receipt", token=gift.token), 303)
    row = write(lambda s: domain.start_gift(s, choice))
    kind = domain.kind_of(row)
    try:
        checkout = gateway(current_app).open_checkout(kind, row.id, email=(form.email.data or "").strip() or None)
    except StripeError:
        log.exception("Stripe refused to open a checkout for %s %s", kind, row.id)
        return render_template("donations/give.html", pool=giving, form=form, error=STRIPE_DOWN), 502
    write(lambda s: domain.attach_checkout(s, MODELS[kind], row.id, checkout))
    return redirect(url_for(f"donations.pay_{kind}", token=row.token), 303)


def _pool_and_card(session: Session, slug: str, lang: str) -> tuple[Pool, GivingPool] | None:
    pool = session.scalar(select(Pool).where(Pool.slug == slug))
    return (pool, giving_pool(pool, lang)) if pool is not None else None


@dataclass(frozen=True)
class PayStep:
    """A pending gift's card step, read in one go so no transaction stays open across Stripe calls."""

    kind: str
    token: str
    row_id: int
    amount: int
    currency: str
    pool_name: str
    pool_slug: str
    pool_open: bool
    status: str
    customer_id: str | None
    setup_intent_id: str | None
    #: the PaymentIntent (once) or Subscription (monthly) already made, if any
    stripe_id: str | None

    @property
    def done_url(self) -> str:
        # no ?lang: the gift keeps the donor's language, and the receipt's address stays its own
        if self.kind == "gift":
            return url_for("donations.receipt", token=self.token)
        return url_for("donations.monthly_page", token=self.token)


def _pay_step(session: Session, kind: str, token: str, lang: str) -> PayStep:
    row = domain.find(session, MODELS[kind], token)
    stripe_id = row.stripe_payment_intent_id if kind == "gift" else row.stripe_subscription_id
    return PayStep(kind, row.token, row.id, row.amount, row.currency, row.pool.text(lang).name, row.pool.slug,
                   row.pool.is_open,
                   row.status, row.stripe_customer_id, row.stripe_setup_intent_id, stripe_id)


def _render_pay(step: PayStep, *, status: int = 200, error=None, setup_secret: str | None = None,
                confirm_secret: str | None = None):
    loads_stripe()
    config = current_app.extensions["ayni.config"]
    page = render_template("donations/pay.html", step=step, form=CardForm(), error=error, setup_secret=setup_secret,
                           confirm_secret=confirm_secret, publishable_key=config.stripe_publishable_key,
                           stripe_js_url=config.stripe_js_url,
                           refusals={code: str(reason) for code, reason in CARD_REFUSALS.items()})
    return page, status


@blueprint.route("/gifts/<token>/pay", endpoint="pay_gift", defaults={"kind": "gift"}, methods=["GET", "POST"])
@blueprint.route("/monthly/<token>/pay", endpoint="pay_monthly", defaults={"kind": "monthly"}, methods=["GET", "POST"])
def pay(kind: str, token: str):
    if not current_app.extensions["ayni.config"].cards_enabled:
        abort(404)
    return _take_payment(kind, token) if request.method == "POST" else _card_page(kind, token)


def _card_page(kind: str, token: str):
    try:
        step = _pay_step(get_session(), kind, token, _lang())
    except domain.GiftError:
        abort(404)
    if step.status != "pending" or step.stripe_id:
        return redirect(step.done_url)
    if step.setup_intent_id is None:
        return _render_pay(step, status=502, error=STRIPE_DOWN)
    try:
        secret = gateway(current_app).card_form_secret(step.setup_intent_id)
    except StripeError:
        log.exception("Stripe did not give the card form for %s %s", kind, step.row_id)
        return _render_pay(step, status=502, error=STRIPE_DOWN)
    return _render_pay(step, setup_secret=secret)


def _take_payment(kind: str, token: str):
    lang = _lang()
    try:
        step = read(lambda s: _pay_step(s, kind, token, lang))
    except domain.GiftError:
        abort(404)
    if step.status != "pending" or (kind == "monthly" and step.stripe_id):
        return redirect(step.done_url, 303)
    if not CardForm().validate_on_submit():
        return _render_pay(step, status=400, error=_("This form expired. Please enter your card again."))
    if not step.pool_open:
        return _render_pay(step, status=409, error=domain.CLOSED)
    try:
        payment = _take(step)
    except StripeError:
        log.exception("Stripe refused the payment of %s %s", kind, step.row_id)
        return _render_pay(step, status=502, error=STRIPE_DOWN)
    write(lambda s: domain.note_payment(s, MODELS[kind], step.row_id, payment, lang))
    if payment.status in ("succeeded", "processing"):
        return redirect(step.done_url, 303)
    if payment.status == "requires_action":
        return _render_pay(step, confirm_secret=payment.client_secret)
    return _another_card(step, card_refusal(*payment.reasons), lang)


def _another_card(step: PayStep, reason, lang: str):
    """The card page again after a refusal: the reason in the donor's words, the same gift (pool,
    amount, frequency) and a card field ready for another card, so trying again is one step."""
    try:
        checkout = gateway(current_app).card_form_for_another_try(
            step.kind, step.row_id, customer_id=step.customer_id, setup_intent_id=step.setup_intent_id)
    except StripeError:
        log.exception("Stripe did not give another card form for %s %s", step.kind, step.row_id)
        return _render_pay(step, status=502, error=STRIPE_DOWN)
    write(lambda s: domain.new_card_form(s, MODELS[step.kind], step.row_id, checkout.setup_intent_id, lang))
    return _render_pay(step, status=402, error=reason, setup_secret=checkout.client_secret)


def _take(step: PayStep) -> Payment:
    """Charge (or subscribe) the card Stripe.js saved; a failed payment if no card was saved."""
    stripe = gateway(current_app)
    if step.kind == "gift" and step.stripe_id:
        return stripe.payment(step.stripe_id)
    card = stripe.saved_card(step.setup_intent_id) if step.setup_intent_id else None
    if card is None:
        return Payment("failed", reasons=("not_saved",))
    if step.kind == "gift":
        return stripe.charge_once(step.row_id, amount=step.amount, currency=step.currency,
                                  customer_id=step.customer_id, card=card)
    return stripe.start_monthly(step.row_id, amount=step.amount, currency=step.currency,
                                customer_id=step.customer_id, card=card,
                                description=_("Monthly gift to %(pool)s", pool=step.pool_name))
