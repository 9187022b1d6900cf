"""Accepting an invitation: choose a name, login and password, then enrol the second factor."""

from __future__ import annotations

from flask import current_app, redirect, render_template, url_for

from funds.clock import now
from funds.db import get_session
from funds.web.access import public

from .. import accounts, invitations
from ..access import sign_in
from ..forms import JoinForm
from . import blueprint


@blueprint.route("/join/<token>", methods=["GET", "POST"])
@public
def join(token: str):
    db = get_session()
    try:
        invitation = invitations.find_open_invitation(db, token, now())
    except invitations.InvitationError:
        return render_template("committees/join_closed.html"), 410
    form = JoinForm(display_name=invitation.display_name or None)
    error = None
    if form.validate_on_submit():
        try:
            member = invitations.accept_invitation(
                db, current_app.extensions["ayni.config"], token,
                display_name=form.display_name.data, login_name=form.login_name.data,
                password=form.password.data, moment=now(),
            )
        except (accounts.AccountError, invitations.InvitationError) as refused:
            error = str(refused)
        else:
            sign_in(member.id, two_factor=False)
            return redirect(url_for(".enrol"))
    # 422 rolls the request back, so a typo never uses up the link.
    status = 422 if form.is_submitted() else 200
    return render_template("committees/join.html", form=form, invitation=invitation, error=error), status
