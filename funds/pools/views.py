"""A committee's coordinator creates and edits the committee's pools and their rounds.

Every view needs a signed-in coordinator, and every pool is loaded through :mod:`.scope`:
another committee's pool is a 404. (The public pool pages, where donors give, are the donations
area's.)
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l

from funds.committees.access import committee_required, current_member
from funds.db import get_session
from funds.money import AmountError, check_currency, parse_amount, plain_amount
from funds.refusals import Refusal
from funds.vocabulary import LANGUAGES
from funds.web.headers import committee_headers
from funds.web.refusals import show

from . import bank_details, scope
from .domain import PoolError, add_round, create_pool, update_pool
from .forms import BankAccountForm, PoolForm, RoundForm
from .models import Pool

blueprint = Blueprint("pools", __name__)
blueprint.after_request(committee_headers)

def _minor(form: PoolForm | RoundForm, name: str, currency: str, *, zero_ok: bool = False) -> int:
    """The amount in field ``name``, read in the page's language; refused with the field's name."""
    field = getattr(form, name)
    try:
        return parse_amount(field.data, currency, allow_zero=zero_ok)
    except AmountError as refusal:
        raise PoolError(_l("%(field)s: %(reason)s", field=field.label.text, reason=refusal.message)) from None


def _settings(form: PoolForm, currency: str) -> dict:
    count, days = form.frequency_cap_count.data, form.frequency_cap_days.data
    if (count is None) != (days is None):
        raise PoolError(_l("A limit per codename needs both a number of grants and a number of days."))
    return {
        "goal": _minor(form, "goal", currency, zero_ok=True),
        "request_cap": _minor(form, "request_cap", currency),
        "fast_track_limit": _minor(form, "fast_track_limit", currency, zero_ok=True),
        "quorum": form.quorum.data,
        "frequency_cap": (count, days) if count is not None else None,
        "names": form.texts(),
    }


def _saved(form: PoolForm, save: Callable[[], Pool]) -> tuple[Pool | None, str | None, int]:
    """``save()`` once the form is valid: (the pool, no reason, 200); refused: (None, why, 400); a
    form not sent yet: (None, None, 200), or sent with mistakes (shown on its fields): (None, None, 400)."""
    if not form.validate_on_submit():
        return None, None, 400 if form.is_submitted() else 200
    try:
        return save(), None, 200
    except Refusal as refusal:
        return None, str(refusal), 400


@blueprint.route("/committee/pools/new", methods=["GET", "POST"])
@committee_required(role="coordinator")
def create_pool_page():
    session = get_session()
    member = current_member()
    form = PoolForm()

    def create() -> Pool:
        # The amounts are read in the currency's units, so a currency Ayni does not take is refused first.
        currency = check_currency(form.currency.data or "")
        # A coordinator makes pools for their own committee only: there is nothing to choose.
        pool = create_pool(session, member.committee, slug=(form.slug.data or "").strip(), currency=currency,
                           is_default=form.is_default.data, **_settings(form, currency))
        pool.is_open = form.is_open.data
        return pool

    pool, error, status = _saved(form, create)
    if pool is not None:
        return redirect(url_for("donations.pool_page", slug=pool.slug), 303)
    return render_template("pools/form.html", form=form, pool=None, rounds=None, error=error), status


def _form_data(pool: Pool) -> dict:
    data = {
        "goal": plain_amount(pool.goal, pool.currency), "request_cap": plain_amount(pool.request_cap, pool.currency),
        "fast_track_limit": plain_amount(pool.fast_track_limit, pool.currency), "quorum": pool.quorum,
        "frequency_cap_count": pool.frequency_cap_count, "frequency_cap_days": pool.frequency_cap_days,
        "is_open": pool.is_open, "is_default": pool.is_default,
    }
    for text in pool.texts:
        if text.lang in LANGUAGES:
            data[f"name_{text.lang}"], data[f"description_{text.lang}"] = text.name, text.description
    return data


def _edit_form(pool: Pool | None = None) -> PoolForm:
    form = PoolForm(data=_form_data(pool)) if pool is not None else PoolForm()
    # Address and currency are fixed once the pool's accounts exist.
    del form.slug, form.currency
    return form


@blueprint.route("/committee/pools/<slug>/edit", methods=["GET", "POST"])
@committee_required(role="coordinator")
def edit_pool_page(slug: str):
    session = get_session()
    pool = scope.get_pool_by_slug_for_member(session, current_member(), slug)
    form = _edit_form() if request.method == "POST" else _edit_form(pool)

    def update() -> Pool:
        update_pool(session, pool, is_open=form.is_open.data, is_default=form.is_default.data,
                    **_settings(form, pool.currency))
        return pool

    saved, error, status = _saved(form, update)
    if saved is not None:
        return redirect(url_for("donations.pool_page", slug=pool.slug), 303)
    return render_template("pools/form.html", form=form, pool=pool, rounds=RoundForm(prefix="round"),
                           error=error), status


@blueprint.post("/committee/pools/<slug>/rounds")
@committee_required(role="coordinator")
def add_round_page(slug: str):
    session = get_session()
    pool = scope.get_pool_by_slug_for_member(session, current_member(), slug)
    rounds = RoundForm(prefix="round")
    error = None
    if rounds.validate_on_submit():
        try:
            add_round(session, pool, name=rounds.name.data, budget=_minor(rounds, "budget", pool.currency),
                      target_recipients=rounds.target_recipients.data, opens_on=rounds.opens_on.data,
                      closes_on=rounds.closes_on.data)
        except Refusal as refusal:
            error = str(refusal)
        else:
            return redirect(url_for("pools.edit_pool_page", slug=pool.slug), 303)
    return render_template("pools/form.html", form=_edit_form(pool), pool=pool, rounds=rounds, error=error), 400


@blueprint.route("/committee/pools/<slug>/bank", methods=["GET", "POST"])
@committee_required(role="coordinator")
def bank_account_page(slug: str):
    """The fund's bank details for this pool: donors then may give by bank transfer."""
    session = get_session()
    pool = scope.get_pool_by_slug_for_member(session, current_member(), slug)
    account = bank_details.bank_account(session, pool.id)
    form = BankAccountForm(obj=account) if request.method == "GET" else BankAccountForm()
    status = 200
    if form.validate_on_submit():
        try:
            bank_details.set_bank_account(session, pool, holder=form.holder.data, iban=form.iban.data,
                                          bic=form.bic.data)
        except bank_details.BankDetailsRefused as refusal:
            show(refusal, form)
            status = refusal.status
        else:
            return redirect(url_for("donations.pool_page", slug=pool.slug), 303)
    elif form.is_submitted():
        status = 400
    return render_template("pools/bank.html", form=form, pool=pool, account=account), status
