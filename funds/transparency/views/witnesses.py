"""The committee's witnesses page: who co-signs our checkpoints; adding, retiring, uploading, asking.

Members see the list; only a coordinator changes it. The page sits in the public transparency
blueprint, so each view carries its own guard.
"""

from __future__ import annotations

from flask import current_app, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _

from funds.clock import now
from funds.committees.access import committee_required, current_member
from funds.db import get_session
from funds.horizon import current, today
from funds.refusals import Refusal
from funds.web.headers import committee_headers

from .. import witnessing
from . import blueprint

PAGE = "transparency/witnesses.html"


def _page(status: int = 200, problem: str | None = None, field: str | None = None):
    member = current_member()
    session = get_session()
    page = render_template(
        PAGE,
        witnesses=witnessing.listed(session, with_retired=True),
        is_coordinator=member.role == "coordinator",
        problem=problem,
        problem_field=field,
        typed=request.form if request.method == "POST" else {},
    )
    return committee_headers(make_response(page, status))


def _done(message: str):
    flash(message)
    return committee_headers(redirect(url_for(".witnesses_page"), 303))


@blueprint.get("/committee/witnesses")
@committee_required
def witnesses_page():
    return _page()


@blueprint.post("/committee/witnesses")
@committee_required(role="coordinator")
def add_witness():
    form = request.form
    try:
        witnessing.add(get_session(), current_member(), form.get("label", ""), form.get("vkey", ""),
                       form.get("url", ""), now())
    except Refusal as refusal:
        return _page(refusal.status, str(refusal), refusal.field)
    return _done(_("The witness was added."))


@blueprint.post("/committee/witnesses/<int:witness_id>/retire")
@committee_required(role="coordinator")
def retire_witness(witness_id: int):
    try:
        witnessing.retire(get_session(), current_member(), witness_id, now())
    except Refusal as refusal:
        return _page(refusal.status, str(refusal))
    return _done(_("The witness will not be asked again."))


@blueprint.post("/committee/witnesses/<int:witness_id>/cosignature")
@committee_required(role="coordinator")
def upload_cosignature(witness_id: int):
    session = get_session()
    try:
        size = witnessing.upload(session, current_member(), witness_id, request.form.get("cosignature", ""),
                                 current(current_app, session))
    except Refusal as refusal:
        return _page(refusal.status, str(refusal), refusal.field)
    return _done(_("The cosignature of the checkpoint of %(size)s entries was added.", size=size))


@blueprint.post("/committee/witnesses/ask")
@committee_required(role="coordinator")
def ask_witnesses():
    # End the request's transaction first: on SQLite it holds the write lock, and each step of
    # asking takes a short transaction of its own, never one held while a witness answers.
    get_session().commit()
    kept = witnessing.collect(current_app.extensions["ayni.sessionmaker"], today(current_app))
    return _done(_("Witnesses who co-signed just now: %(count)s.", count=kept))
