"""A distribution day by bank: the treasurer opens the people's payout details in the browser,
downloads one file of transfers for the fund's bank (or Wise), then marks them paid, after a
confirmation. The file is made in memory and never stored (see funds.decisions.batches)."""

from __future__ import annotations

import base64

from flask import Response, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext

from funds.clock import now
from funds.committees.access import committee_required, current_member
from funds.db import get_session
from funds.refusals import Refusal

from .. import batches, queue
from ..forms import BankBatchForm
from . import blueprint

PAGE = "decisions/bank_batch.html"


def _page(form: BankBatchForm, *, error: str | None = None, status: int = 200, confirm: list | None = None):
    member = current_member()
    session = get_session()
    waiting = batches.waiting(session, member)
    sealed = {r.id: queue.sealed_for(session, member, r) for r in waiting}
    public_key = base64.b64encode(bytes(member.public_key)).decode("ascii") if member.public_key else ""
    return render_template(PAGE, member=member, waiting=waiting, sealed=sealed, public_key=public_key, form=form,
                           typed=request.form, error=error, confirm=confirm), status


def _ticked() -> list[int]:
    return sorted({int(v) for v in request.form.getlist("request_ids") if v.isdigit() and len(v) < 10})


def _secret() -> bytes:
    return current_app.config["SECRET_KEY"].encode()


@blueprint.get("/payouts/bank")
@committee_required(role="treasurer")
def bank_batch_page():
    return _page(BankBatchForm())


@blueprint.post("/payouts/bank")
@committee_required(role="treasurer")
def bank_batch_file():
    form = BankBatchForm()
    if not form.validate_on_submit():
        return _page(form, status=400)
    recipients = {i: batches.Recipient(request.form.get(f"name-{i}", ""), request.form.get(f"iban-{i}", ""),
                                       request.form.get(f"bic-{i}") or None) for i in _ticked()}
    try:
        name, media_type, body = batches.assemble(get_session(), current_member(), form.rail.data, recipients,
                                                  secret=_secret(), execution_date=now().date(),
                                                  remittance=form.remittance.data or "")
    except Refusal as refusal:
        return _page(form, error=str(refusal.message), status=refusal.status)
    response = Response(body, mimetype=media_type)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["Cache-Control"] = "no-store"
    return response


@blueprint.post("/payouts/bank/sent")
@committee_required(role="treasurer")
def bank_batch_sent():
    """Asks once more (the ticked requests and what will be recorded), then records them."""
    form = BankBatchForm()
    if not form.validate_on_submit():
        return _page(form, status=400)
    ids = _ticked()
    member = current_member()
    session = get_session()
    if request.form.get("confirmed") != "yes":
        chosen = [r for r in batches.waiting(session, member) if r.id in ids]
        if not chosen:
            return _page(form, error=_("Tick at least one request."), status=400)
        return _page(form, confirm=chosen)
    try:
        done = batches.mark_sent(session, member, form.rail.data, ids, secret=_secret(), execution_date=now().date())
    except Refusal as refusal:
        return _page(form, error=str(refusal.message), status=refusal.status)
    flash(ngettext("%(num)s payout recorded.", "%(num)s payouts recorded.", len(done.paid)))
    return redirect(url_for("decisions.bank_batch_page"), 303)
