"""Signing in: password, then a TOTP code (enrolled at the first sign-in), and signing out.

Refused attempts re-render with status 200 on purpose: the request commits, and with it the
failure count that leads to the lockout.
"""

from __future__ import annotations

import io
from datetime import datetime

import segno
from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from markupsafe import Markup

from funds.clock import now
from funds.db import get_session
from funds.web.access import public
from funds.web.templating import moment

from .. import accounts
from ..access import current_visit, safe_next, sign_in, sign_out, while_signing_in
from ..forms import CodeForm, ConfirmForm, SignInForm
from . import blueprint

NEXT_KEY = "committee_next"
#: where a signed-in member lands: the committee dashboard (its pools and what waits for them)
HOME = "decisions.dashboard"
#: app.extensions key of a ``() -> datetime`` (UTC) the sign-in checks read; tests fix it to a moment
CLOCK = "ayni.committees.sign_in_clock"


def _config():
    return current_app.extensions["ayni.config"]


def _now() -> datetime:
    """The moment passwords and codes are checked at (TOTP step, lockout): the app's clock."""
    return current_app.extensions.get(CLOCK, now)()


@blueprint.route("/login", methods=["GET", "POST"])
@public
def login():
    visit = current_visit()
    if visit is not None and visit.complete:
        return redirect(url_for(HOME))
    form = SignInForm(next=request.args.get("next", ""))
    refused = None
    if form.validate_on_submit():
        try:
            account = accounts.check_password(
                get_session(), _config(), form.login_name.data, form.password.data, _now()
            )
        except accounts.SignInError as refusal:
            refused = refusal
        else:
            sign_in(account.member_id, two_factor=False)
            session[NEXT_KEY] = safe_next(form.next.data, "")
            return redirect(url_for(".code" if account.enrolled else ".enrol"))
    return render_template("committees/login.html", form=form, refused=_refusal_words(refused))


def _refusal_words(refusal: accounts.SignInError | None) -> str | None:
    """What a refused sign-in step says: what happened and what to do, in the member's language."""
    if refusal is None:
        return None
    config = _config()
    if refusal.reason == accounts.PAUSED:
        return _("After too many wrong tries this account is paused until %(time)s. "
                 "Please try again then, or ask a coordinator.", time=moment(refusal.until))
    if refusal.reason == accounts.REMOVED:
        return _("Your access to the committee has been removed. If you think this is a mistake, ask a coordinator.")
    if refusal.reason == accounts.WRONG_CODE:
        return _("That code is not right. Check that your phone shows the right time and type the newest code. "
                 "After %(count)s wrong tries in a row the account pauses for %(minutes)s minutes.",
                 count=config.login_max_failures, minutes=config.login_lockout_minutes)
    return _("That login name or password is not right. Please check both and try again. "
             "After %(count)s wrong tries in a row the account pauses for %(minutes)s minutes.",
             count=config.login_max_failures, minutes=config.login_lockout_minutes)


def _second_step(visit, form: CodeForm) -> accounts.SignInError | bool:
    """Check a sent code and sign the member fully in: True when accepted, the refusal when refused
    (a wrong code counts toward the pause), False when no code was sent."""
    if not form.validate_on_submit():
        return False
    try:
        accounts.check_code(get_session(), _config(), visit.account, form.code.data, _now())
    except accounts.SignInError as refusal:
        return refusal
    sign_in(visit.member.id, two_factor=True)
    return True


@blueprint.route("/login/code", methods=["GET", "POST"])
@while_signing_in
def code():
    visit = current_visit()
    if visit.complete:
        return redirect(url_for(HOME))
    if not visit.account.enrolled:
        return redirect(url_for(".enrol"))
    form = CodeForm()
    target = session.get(NEXT_KEY, "")
    accepted = _second_step(visit, form)
    if accepted is True:
        return redirect(safe_next(target, url_for(HOME)))
    return render_template("committees/code.html", form=form, refused=_refusal_words(accepted or None))


@blueprint.route("/two-factor", methods=["GET", "POST"])
@while_signing_in
def enrol():
    visit = current_visit()
    if visit.account.enrolled:
        return redirect(url_for(HOME if visit.complete else ".code"))
    form = CodeForm()
    accepted = _second_step(visit, form)
    if accepted is True:
        flash(_("Two-step sign-in is on. Next, make your key."))
        return redirect(url_for(".key" if visit.member.public_key is None else HOME))
    uri = accounts.provisioning_uri(visit.account)
    return render_template(
        "committees/enrol.html", form=form, refused=_refusal_words(accepted or None), uri=uri,
        secret=visit.account.totp_secret, qr=_qr_svg(uri),
    )


@blueprint.post("/logout")
@public
def logout():
    # Public so that a member whose session already timed out can still press the button.
    form = ConfirmForm()
    if form.validate_on_submit():
        sign_out()
        flash(_("You are signed out."))
    return redirect(url_for(".login"))


def _qr_svg(uri: str) -> Markup:
    """The enrolment QR code drawn here as inline SVG: the secret goes to no other service."""
    out = io.BytesIO()
    segno.make(uri, error="m").save(out, kind="svg", scale=4, xmldecl=False, svgns=True, svgclass="qr", border=2)
    return Markup(out.getvalue().decode("utf-8"))  # noqa: S704 - segno's own SVG of our URI
