"""The queue, a request's page, and voting on it. Views parse a form, call a domain function,
and render; a refused form is rendered again with the reason (the request then rolls back)."""

from __future__ import annotations

from datetime import timedelta

from flask import flash, redirect, render_template, url_for
from flask_babel import format_timedelta
from flask_babel import gettext as _

from funds.clock import now
from funds.committees.access import committee_required, current_member
from funds.db import get_session
from funds.pools import accounts as pool_accounts
from funds.pools import scope
from funds.requests import states
from funds.web.confirmation import Question

from .. import queue, reminders, votes
from ..forms import ConfirmForm, ReminderAddressForm, VoteForm
from ..models import DECLINE, FAST_TRACK, RECUSE, ReminderAddress
from . import blueprint
from .request_page import act_on_request, back_to, config, facts_of, is_treasurer, render_request


@blueprint.get("/")
def dashboard():
    """The committee's home: its pools and what waits for it."""
    member = current_member()
    session = get_session()
    return render_template(
        "decisions/dashboard.html", member=member, pools=_pools_with_money(session, member),
        summary=queue.summary(session, member),
    )


def _pools_with_money(session, member) -> list:
    return [(pool, pool_accounts.pool_available(session, pool.id)) for pool in scope.my_pools(session, member)]


@blueprint.get("/queue")
def queue_page():
    return _render_queue(current_member())


def _render_queue(member, *, status: int = 200, address_form: ReminderAddressForm | None = None):
    session = get_session()
    moment = now()
    pools = _pools_with_money(session, member)
    if address_form is None:
        address = session.get(ReminderAddress, member.committee_id)
        address_form = ReminderAddressForm(formdata=None, address=address.address if address else "")
    return render_template(
        "decisions/queue.html",
        member=member,
        pools=pools,
        waiting=queue.to_decide(session, member, moment),
        waitlist=queue.in_state(session, member, states.WAITLISTED),
        to_pay=queue.in_state(session, member, states.RESERVED),
        to_review=queue.fast_tracks_to_review(session, member),
        reminders=reminders.open_reminders(session, member.committee_id),
        address_form=address_form,
        treasurer=is_treasurer(member),
        waited=lambda delta: format_timedelta(delta, threshold=1.5),
    ), status


@blueprint.get("/requests/<int:request_id>")
def request_page(request_id: int):
    member = current_member()
    return render_request(member, queue.get_request_for_member(get_session(), member, request_id))


@blueprint.post("/requests/<int:request_id>/vote")
def vote(request_id: int):
    form = VoteForm()

    def cast(session, member, request) -> str:
        valid_for = timedelta(hours=config().vote_valid_hours)
        outcome = votes.cast(session, member, request.id, form.choice.data, reason=form.reason.data or "",
                             valid_for=valid_for)
        return _outcome_words(form.choice.data, outcome)

    return act_on_request(request_id, form, "vote_form", cast, question=lambda request: _vote_question(form, request))


def _vote_question(form: VoteForm, request) -> Question:
    facts = facts_of(request)
    back = back_to(request)
    if form.choice.data == FAST_TRACK:
        return Question(_("Approve request %(id)s alone, now?", id=request.id), _("Yes, approve it alone now"), back,
                        facts, _("Its money is set aside at once; the other members will review your approval."))
    if form.choice.data == DECLINE:
        return Question(_("Decline request %(id)s?", id=request.id), _("Yes, decline"), back,
                        [*facts, (_("Reason, shown to the person"), form.reason.data or "")],
                        _("If the committee declines, the person reads this reason with their codename."))
    if form.choice.data == RECUSE:
        return Question(_("Step aside from request %(id)s?", id=request.id), _("Yes, step aside"), back, facts,
                        _("You cannot vote on this request afterwards."))
    return Question(_("Approve request %(id)s?", id=request.id), _("Yes, approve"), back, facts,
                    _("When enough members approve, its money is set aside for the person."))


@blueprint.post("/requests/<int:request_id>/review")
def review(request_id: int):
    def reviewed(session, member, request) -> str:
        votes.review_fast_track(session, member, request.id)
        return _("Thank you: the fast-track approval is reviewed.")

    return act_on_request(request_id, ConfirmForm(), "confirm_form", reviewed, then=url_for(".queue_page"))


@blueprint.post("/reminders/address")
@committee_required(role="coordinator")
def reminder_address():
    member = current_member()
    form = ReminderAddressForm()
    if not form.validate_on_submit():
        return _render_queue(member, status=422, address_form=form)
    address = (form.address.data or "").strip()
    reminders.set_address(get_session(), member.committee_id, address)
    flash(
        _("Reminder emails go to %(address)s.", address=address)
        if address
        else _("Reminders now show on the queue only.")
    )
    return redirect(url_for(".queue_page"))


def _outcome_words(choice: str, outcome: votes.Outcome) -> str:
    if outcome.state == states.RESERVED:
        return _("Approved: the money is set aside. A treasurer can now record the payout.")
    if outcome.state == states.WAITLISTED:
        return _("Approved, but the pool is short: the request is on the waitlist and is funded in turn.")
    if outcome.state == states.DECLINED:
        return _("Declined: the person will read the reasons with their codename.")
    if choice == "recuse":
        return _("You stepped aside on this request; the others decide.")
    return _("Your say is counted. The request needs more members to decide.")
