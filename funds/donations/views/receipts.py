"""Receipts and monthly gifts: pages only their holder can find (a random token in the address)."""

from __future__ import annotations

import logging
from datetime import timedelta

from flask import Response, abort, current_app, make_response, redirect, render_template, url_for
from flask_babel import get_locale
from flask_babel import gettext as _

from funds.books import app_signer
from funds.clock import as_utc, now
from funds.db import get_session
from funds.money import format_money
from funds.stripe_gateway import StripeError, gateway
from funds.web import confirmation
from funds.web.confirmation import Question

from .. import domain, receipts
from ..bank.transfer import bank_transfer
from ..forms import StopMonthlyForm
from ..models import Gift, MonthlyGift
from . import blueprint, read, write

log = logging.getLogger(__name__)
#: how often a page waiting for Stripe's confirmation reloads itself (no JavaScript needed)
WAIT_SECONDS = 3
#: after this long a waiting receipt stops reloading and says what to do instead
WAIT_AT_MOST = timedelta(minutes=10)


def _found(model, token: str):
    try:
        return domain.find(get_session(), model, token)
    except domain.GiftError:
        abort(404)


def _waiting(gift: Gift) -> str | None:
    """What a pending gift is waiting for: the card step not finished ("unpaid"), Stripe's word
    for a few minutes ("reloading"), or longer than that ("slow"); None once it is settled."""
    if gift.status != "pending":
        return None
    if gift.stripe_payment_intent_id is None:
        return "unpaid"
    return "reloading" if now() - as_utc(gift.created_at) < WAIT_AT_MOST else "slow"


def _private(response: Response, *, waiting: bool = False) -> Response:
    # A receipt's address is its only key: keep it out of shared caches.
    response.headers["Cache-Control"] = "no-store"
    if waiting:
        response.headers["Refresh"] = str(WAIT_SECONDS)
    return response


@blueprint.get("/gifts/<token>")
def receipt(token: str):
    gift = _found(Gift, token)
    session = get_session()
    shown = receipts.receipt(session, gift)
    vkey = app_signer(current_app).vkey if shown.checkpoint_size else None
    page = render_template("donations/receipt.html", receipt=shown, gift=gift, waiting=_waiting(gift),
                           pool_name=gift.pool.text(str(get_locale() or "en")).name, vkey=vkey,
                           transfer=bank_transfer(session, gift) if gift.source == "bank" else None)
    return _private(make_response(page), waiting=_waiting(gift) == "reloading")


@blueprint.get("/gifts/<token>/proof-<int(max=9223372036854775807):size>.json")
def inclusion_proof(token: str, size: int):
    gift = _found(Gift, token)
    session = get_session()
    if gift.entry_seq is None or gift.entry_seq >= size or receipts.checkpoint_note(session, size) is None:
        abort(404)
    origin = current_app.extensions["ayni.config"].ledger_origin
    body = receipts.inclusion_proof(session, gift.entry_seq, size, origin)
    response = Response(body, mimetype="application/json")
    response.headers["Content-Disposition"] = f'attachment; filename="ayni-entry-{gift.entry_seq}-proof.json"'
    return _private(response)


@blueprint.get("/gifts/<token>/checkpoint-<int(max=9223372036854775807):size>.txt")
def checkpoint(token: str, size: int):
    _found(Gift, token)
    note = receipts.checkpoint_note(get_session(), size)
    if note is None:
        abort(404)
    response = Response(note, mimetype="text/plain")
    response.headers["Content-Disposition"] = f'attachment; filename="ayni-checkpoint-{size}.txt"'
    return _private(response)


@blueprint.get("/monthly/<token>")
def monthly_page(token: str):
    monthly = _found(MonthlyGift, token)
    page = render_template("donations/monthly.html", monthly=monthly, form=StopMonthlyForm(),
                           pool_name=monthly.pool.text(str(get_locale() or "en")).name)
    waiting = monthly.status == "pending" and monthly.stripe_subscription_id is not None
    return _private(make_response(page), waiting=waiting)


@blueprint.post("/monthly/<token>/stop")
def stop_monthly(token: str):
    try:
        subscription_id, status = read(lambda s: _subscription(s, token))
    except domain.GiftError:
        abort(404)
    if not StopMonthlyForm().validate_on_submit():
        return _("This form expired. Please go back, reload the page and try again."), 400
    if status != "stopped" and not confirmation.confirmed():
        return confirmation.ask(read(lambda s: _stop_question(s, token)))
    if status != "stopped":
        if subscription_id:
            try:
                gateway(current_app).stop_monthly(subscription_id)
            except StripeError:
                log.exception("Stripe did not stop subscription %s", subscription_id)
                return _("Stripe could not be reached to stop the gift. Please try again in a few minutes."), 502
        write(lambda s: domain.stop_monthly(s, token))
    return redirect(url_for("donations.monthly_page", token=token), 303)


def _stop_question(session, token: str) -> Question:
    monthly = domain.find(session, MonthlyGift, token)
    lang = str(get_locale() or "en")
    return Question(
        _("Stop your monthly gift?"), _("Yes, stop my monthly gift"),
        url_for("donations.monthly_page", token=token, lang=lang),
        [(_("Every month"), format_money(monthly.amount, monthly.currency)), (_("Pool"), monthly.pool.text(lang).name)],
        _("No more gifts are taken from your card after this. To give again, start a new gift."),
    )


def _subscription(session, token: str) -> tuple[str | None, str]:
    monthly = domain.find(session, MonthlyGift, token)
    return monthly.stripe_subscription_id, monthly.status
