"""The committee's transparency page: whether the public ledger names who decides.

Members see the choice; only a coordinator makes it. The page sits in the public transparency
blueprint, so each view carries its own guard.
"""

from __future__ import annotations

from flask import abort, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _

from funds.clock import now
from funds.committees.access import committee_required, current_member
from funds.db import get_session
from funds.web.headers import committee_headers

from .. import disclosure
from . import blueprint


def _private(response):
    # A committee page in a public blueprint: set before the blueprint's public headers, which
    # only fill in what is missing.
    return committee_headers(response)


@blueprint.get("/committee/transparency")
@committee_required
def committee_page():
    member = current_member()
    session = get_session()
    page = render_template(
        "transparency/committee.html",
        published=disclosure.is_published(session, member.committee_id),
        is_coordinator=member.role == "coordinator",
    )
    return _private(make_response(page))


@blueprint.post("/committee/transparency")
@committee_required(role="coordinator")
def choose_publication():
    choice = request.form.get("publish")
    if choice not in ("yes", "no"):
        abort(400)
    member = current_member()
    session = get_session()
    if choice == "yes":
        changed = disclosure.publish(session, member, now())
        message = _("The public ledger now names who decides.") if changed else None
    else:
        changed = disclosure.withdraw(session, member)
        message = _("The public ledger no longer names who decides.") if changed else None
    if message:
        flash(message)
    return _private(redirect(url_for(".committee_page"), 303))
