"""The treasurer's pages: record a payout, cancel an approval, attach a voucher, and mark a
distribution day's requests paid at once. A coordinator may do these too (roles rank)."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import ngettext

from funds.committees.access import committee_required, current_member
from funds.db import get_session
from funds.money import format_money
from funds.web import confirmation, labels
from funds.web.confirmation import Question

from .. import payouts
from ..forms import BatchPayoutForm, CancelForm, PayoutForm, VoucherForm
from . import blueprint
from .request_page import act_on_request, back_to, facts_of


@blueprint.post("/requests/<int:request_id>/payout")
@committee_required(role="treasurer")
def payout(request_id: int):
    form = PayoutForm()

    def pay(session, member, request) -> str:
        payouts.record_payout(session, member, request.id, method=form.method.data, reference=form.reference.data or "")
        return _("Payout recorded: request %(id)s is paid.", id=request.id)

    def question(request) -> Question:
        reference = _("none") if form.no_reference.data else (form.reference.data or "")
        return Question(
            _("Mark request %(id)s paid?", id=request.id), _("Yes, mark it paid"), back_to(request),
            [*facts_of(request), (_("How it was paid"), str(labels.PAYOUT_METHODS.get(form.method.data, ""))),
             (_("Reference"), reference)],
            _("The money set aside moves to paid, and the person sees “Paid”. This cannot be undone."),
        )

    return act_on_request(request_id, form, "payout_form", pay, question=question)


@blueprint.post("/requests/<int:request_id>/cancel")
@committee_required(role="treasurer")
def cancel(request_id: int):
    form = CancelForm()

    def cancel_approval(session, member, request) -> str:
        payouts.cancel(session, member, request.id, message=form.message.data or "")
        return _("The approval is cancelled and its money is back in the pool.")

    def question(request) -> Question:
        return Question(
            _("Cancel the approval of request %(id)s?", id=request.id), _("Yes, cancel the approval"),
            back_to(request), facts_of(request),
            _("Its money goes back to the pool and the person sees “Not approved”. This cannot be undone."),
        )

    return act_on_request(request_id, form, "cancel_form", cancel_approval, question=question)


@blueprint.post("/requests/<int:request_id>/voucher")
@committee_required(role="treasurer")
def voucher(request_id: int):
    form = VoucherForm()

    def attach(session, member, request) -> str:
        payouts.attach_voucher(session, member, request.id, form.code.data)
        return _("The voucher code is sealed to the person: they see it on their status page.")

    def question(request) -> Question:
        return Question(
            _("Give the voucher to request %(id)s?", id=request.id), _("Yes, give the voucher"), back_to(request),
            facts_of(request), _("The person sees the code on their status page; it cannot be taken back."),
        )

    return act_on_request(request_id, form, "voucher_form", attach, question=question)


@blueprint.route("/payouts", methods=["GET", "POST"])
@committee_required(role="treasurer")
def distribution_day():
    member = current_member()
    session = get_session()
    waiting = payouts.waiting_to_be_paid(session, member)
    form = BatchPayoutForm()
    form.request_ids.choices = [(aid.id, str(aid.id)) for aid, _grant in waiting]
    if form.is_submitted() and form.validate() and not confirmation.confirmed():
        chosen = [aid for aid, _grant in waiting if aid.id in set(form.request_ids.data)]
        return confirmation.ask(Question(
            ngettext("Mark %(num)s request paid?", "Mark %(num)s requests paid?", len(chosen)),
            _("Yes, mark them paid"), url_for(".distribution_day"),
            [(_("Request %(id)s", id=aid.id), format_money(aid.amount, aid.pool.currency)) for aid in chosen]
            + [(_("How it was paid"), str(labels.PAYOUT_METHODS.get(form.method.data, "")))],
            _("The money set aside moves to paid, and each person sees “Paid”. This cannot be undone."),
        ), template="committees/confirm.html")
    if form.is_submitted() and form.validate():
        batch = payouts.pay_many(
            session, member, form.request_ids.data, method=form.method.data, reference=form.reference.data or ""
        )
        flash(ngettext("%(num)s payout recorded.", "%(num)s payouts recorded.", len(batch.paid)))
        if batch.skipped:
            flash(
                _(
                    "Not waiting to be paid any more, so left as they were: %(ids)s.",
                    ids=", ".join(str(i) for i in batch.skipped),
                )
            )
        return redirect(url_for(".distribution_day"))
    status = 422 if form.is_submitted() else 200
    return render_template("decisions/payouts.html", member=member, waiting=waiting, form=form), status
