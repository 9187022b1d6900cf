"""What the decisions pages share: the request page (rendered again with reasons when a form
is refused) and the words for each refusal."""

from __future__ import annotations

import base64
from collections.abc import Callable

from flask import current_app, flash, redirect, render_template, url_for
from flask_babel import format_date, get_locale
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from sqlalchemy.orm import Session

from funds.clock import as_utc, now
from funds.committees.access import ROLE_RANK, current_member
from funds.committees.models import Member
from funds.db import get_session
from funds.money import format_money
from funds.requests import states
from funds.requests.domain import FrequencyCapReached
from funds.requests.models import Request
from funds.web import confirmation, labels
from funds.web.confirmation import Question

from .. import queue
from ..forms import CancelForm, ConfirmForm, PayoutForm, VoteForm, VoucherForm
from ..models import BY_FAST_TRACK, Grant
from ..refusals import (
    AlreadyVoted,
    DecisionRefused,
    FastTrackRefused,
    NotCancellable,
    NotDeciding,
    NotPayable,
    NotReviewable,
    ReasonNeeded,
    VoucherRefused,
)


def config():
    return current_app.extensions["ayni.config"]


def is_treasurer(member: Member) -> bool:
    return ROLE_RANK[member.role] >= ROLE_RANK["treasurer"]


def refusal_words(refusal: Exception, request: Request) -> tuple[str, int]:
    """What to tell the member, and the status: 409 when the request moved on, 422 for input."""
    if isinstance(refusal, NotDeciding):
        return _("This request is no longer waiting for votes."), 409
    if isinstance(refusal, AlreadyVoted):
        return _("You have already given your say on this request; you count once."), 409
    if isinstance(refusal, FastTrackRefused):
        return _(
            "Fast track is only for amounts up to %(limit)s in this pool.",
            limit=format_money(request.pool.fast_track_limit, request.pool.currency),
        ), 422
    if isinstance(refusal, ReasonNeeded):
        return _("Please write the person a reason: they will read it with their codename."), 422
    if isinstance(refusal, FrequencyCapReached):
        return _(
            "This codename has been supported as often as the pool allows, until %(date)s. You can decline "
            "with a kind reason instead.",
            date=format_date(refusal.until, "long"),
        ), 422
    if isinstance(refusal, NotPayable):
        return _("Only a request whose money is set aside can be marked paid, and only once."), 409
    if isinstance(refusal, NotCancellable):
        return _("Only an approval that is not paid yet can be cancelled."), 409
    if isinstance(refusal, NotReviewable):
        return _("This fast-track approval is reviewed already, or it is yours: another member reviews it."), 409
    if isinstance(refusal, VoucherRefused):
        return _("A voucher goes to an approved request whose money is set aside or paid."), 409
    if isinstance(refusal, DecisionRefused):
        return _("This cannot be done now."), 409
    raise refusal


def render_request(member: Member, request: Request, *, status: int = 200, error: str = "", **forms):
    """The request page: facts, sealed details for this member's key, votes and the actions
    this member may take now."""
    session = get_session()
    moment = now()
    problems = [str(text) for form in forms.values() for texts in form.errors.values() for text in texts]
    if problems and not error:
        # also at the top: the form in question may not be on the page in the request's state
        error = _("Please check the form: %(problems)s", problems=" ".join(problems))
    votes = queue.votes_on(session, request)
    live = [v for v in votes if v.expires_at is None or as_utc(v.expires_at) > moment]
    grant = session.get(Grant, request.id)
    pool = request.pool
    mine = next((v for v in votes if v.member_id == member.id), None)
    fast_tracker = next((v.member_id for v in votes if v.fast_track), None)
    context = {
        "member": member,
        "aid": request,
        "pool": pool,
        "grant": grant,
        "votes": votes,
        "approvals": sum(1 for v in live if v.choice == "approve"),
        "declines": sum(1 for v in live if v.choice == "decline"),
        "voters": queue.voters(session, pool.committee_id),
        "recusals": sum(1 for v in votes if v.choice == "recuse"),
        "waited": moment - as_utc(request.created_at),
        "sealed": queue.sealed_for(session, member, request),
        "public_key": base64.b64encode(bytes(member.public_key)).decode("ascii") if member.public_key else "",
        # a lapsed vote is removed when the member votes again
        "can_vote": request.state == states.SUBMITTED and (mine is None or mine not in live),
        "can_fast_track": request.state == states.SUBMITTED and 0 < request.amount <= pool.fast_track_limit,
        "can_review": grant is not None
        and grant.decided_by == BY_FAST_TRACK
        and grant.reviewed_at is None
        and fast_tracker != member.id,
        "treasurer": is_treasurer(member),
        "error": error,
        "vote_form": forms.get("vote_form") or VoteForm(formdata=None),
        "confirm_form": ConfirmForm(formdata=None),
        "payout_form": forms.get("payout_form") or PayoutForm(formdata=None, method=request.method),
        "cancel_form": forms.get("cancel_form") or CancelForm(formdata=None),
        "voucher_form": forms.get("voucher_form") or VoucherForm(formdata=None),
    }
    return render_template("decisions/request.html", **context), status


def facts_of(request: Request) -> list[tuple[str, str]]:
    """What a member checks before acting on a request: which one, how much, from which pool, for what."""
    return [
        (_("Request"), str(request.id)),
        (_("Amount"), format_money(request.amount, request.pool.currency)),
        (_("Pool"), request.pool.text(str(get_locale() or "en")).name),
        (_("For"), str(labels.CATEGORIES.get(request.category, request.category))),
    ]


def back_to(request: Request) -> str:
    return url_for(".request_page", request_id=request.id)


#: does what a form asked on a request and returns the words to flash
RequestAction = Callable[[Session, Member, Request], str]


def act_on_request(request_id: int, form: FlaskForm, form_name: str, act: RequestAction, *, then: str = "",
                   question: Callable[[Request], Question] | None = None):
    """A committee form about one request: the request page again with the reason when the form
    or the domain refuses (the transaction then rolls back), else ``then`` (the request page).
    With a ``question``, the action waits for the member to confirm it on a second page."""
    member = current_member()
    session = get_session()
    request = queue.get_request_for_member(session, member, request_id)
    if not form.validate_on_submit():
        return render_request(member, request, status=422, **{form_name: form})
    if question is not None and not confirmation.confirmed():
        return confirmation.ask(question(request), template="committees/confirm.html")
    try:
        words = act(session, member, request)
    except (DecisionRefused, FrequencyCapReached) as refusal:
        words, status = refusal_words(refusal, request)
        return render_request(member, request, status=status, error=words, **{form_name: form})
    flash(words)
    return redirect(then or url_for(".request_page", request_id=request.id))
