"""Managing the committee: invitations, roles, access.

Every object named in a URL is loaded through :mod:`.scope`, so another committee's member or
invitation is a 404 whatever the role.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from sqlalchemy.orm import Session

from funds.clock import now
from funds.committees.models import Member
from funds.db import get_session
from funds.web import confirmation, labels
from funds.web.confirmation import Question

from .. import accounts, invitations, membership, scope
from ..access import committee_required, current_member
from ..forms import AccessForm, ConfirmForm, InviteForm, RoleForm
from . import blueprint


@blueprint.get("/members")
def members():
    return _members_page()


def _members_page(*, invite_form: InviteForm | None = None, status: int = 200):
    member = current_member()
    db = get_session()
    return render_template(
        "committees/members.html",
        member=member,
        colleagues=scope.my_colleagues(db, member),
        paused_until=lambda account: accounts.paused_until(account, now()),
        invitations=invitations.open_invitations(db, member.committee_id, now()),
        invite_form=invite_form or InviteForm(),
        role_form=RoleForm(),
        confirm_form=ConfirmForm(),
        access_form=AccessForm(),
    ), status


@blueprint.post("/members/invite")
@committee_required(role="coordinator")
def invite():
    member = current_member()
    form = InviteForm()
    if not form.validate_on_submit():
        return _members_page(invite_form=form, status=422)
    invitation, token = invitations.create_invitation(
        get_session(), current_app.extensions["ayni.config"], member.committee_id,
        role=form.role.data, display_name=form.display_name.data or "", created_by=member, moment=now(),
    )
    # Shown once: only the token's hash is kept, so the link cannot be shown again.
    link = url_for(".join", token=token, _external=True)
    return render_template("committees/invitation.html", invitation=invitation, link=link)


#: changes a colleague as a form asked and returns the words to flash (or None)
ColleagueAction = Callable[[Session, Member, Member, FlaskForm], str | None]


def _act_on_colleague(member_id: int, form: FlaskForm, act: ColleagueAction,
                      question: Callable[[Member], Question | None] | None = None):
    """A coordinator's form about a colleague: the members page again, with what happened or why not.
    A ``question`` (None for a harmless change) is asked on a second page before acting."""
    actor = current_member()
    db = get_session()
    colleague = scope.get_colleague(db, actor, member_id)
    asked = question(colleague) if question is not None and form.validate_on_submit() else None
    if asked is not None and not confirmation.confirmed():
        return confirmation.ask(asked, template="committees/confirm.html")
    if not form.validate_on_submit():
        problems = " ".join(str(text) for texts in form.errors.values() for text in texts)
        flash(_("Please check the form: %(problems)s", problems=problems))
    else:
        try:
            words = act(db, actor, colleague, form)
        except membership.MembershipError as error:
            flash(str(error))
        else:
            if words:
                flash(words)
    return redirect(url_for(".members"))


@blueprint.post("/members/<int:member_id>/role")
@committee_required(role="coordinator")
def change_role(member_id: int):
    def give_role(db, actor, colleague, form) -> str:
        membership.change_role(db, actor, colleague, form.role.data)
        return _("%(name)s is now %(role)s.", name=colleague.display_name, role=labels.ROLES[colleague.role])

    return _act_on_colleague(member_id, RoleForm(), give_role)


@blueprint.post("/members/<int:member_id>/access")
@committee_required(role="coordinator")
def change_access(member_id: int):
    def set_access(db, actor, colleague, form) -> None:
        membership.set_access(db, actor, colleague, allowed=form.allowed.data == "yes", moment=now())

    form = AccessForm()

    def question(colleague: Member) -> Question | None:
        if form.allowed.data == "yes":
            return None  # giving access back changes nothing that cannot be changed again
        return Question(
            _("Remove %(name)s's access?", name=colleague.display_name), _("Yes, remove their access"),
            url_for(".members"), [(_("Role"), str(labels.ROLES[colleague.role]))],
            _("They are signed out at once and cannot sign in again until a coordinator restores their access. "
              "Their votes and records stay."),
        )

    return _act_on_colleague(member_id, form, set_access, question)


@blueprint.post("/members/<int:member_id>/two-factor-reset")
@committee_required(role="coordinator")
def reset_two_factor(member_id: int):
    def reset(db, actor, colleague, form) -> str:
        membership.reset_two_factor(db, actor, colleague)
        return _("%(name)s will set up two-step sign-in again when they next sign in.", name=colleague.display_name)

    def question(colleague: Member) -> Question:
        return Question(
            _("Reset %(name)s's two-step sign-in?", name=colleague.display_name), _("Yes, reset it"),
            url_for(".members"), [],
            _("Their phone's codes stop working at once; they set up a new code when they next sign in."),
        )

    return _act_on_colleague(member_id, ConfirmForm(), reset, question)


@blueprint.post("/invitations/<int:invitation_id>/cancel")
@committee_required(role="coordinator")
def cancel_invitation(invitation_id: int):
    member = current_member()
    db = get_session()
    invitation = scope.get_invitation_for_member(db, member, invitation_id)
    if ConfirmForm().validate_on_submit():
        invitations.cancel_invitation(db, invitation, now())
    return redirect(url_for(".members"))
