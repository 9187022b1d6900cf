"""A treasurer imports the fund account's bank statement, checks what each credit is, and books
the ones they confirm.

Uploading books nothing: it keeps the new credits as waiting lines and shows them with their
words (payer and remittance text, read from the file and never stored). Booking is a second
step, the treasurer's confirmation, and books each ticked line once.
"""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from funds.committees.access import committee_required, current_member
from funds.db import get_session
from funds.pools.models import Pool
from funds.refusals import Refusal
from funds.web.labels import STATEMENT_VERDICTS

from ..bank import matching
from ..bank.statements import MAX_BYTES, StatementRefused
from ..forms import BookLinesForm, StatementForm
from . import blueprint

PAGE = "donations/statements.html"


def _page(reviewed, *, form=None, status: int = 200, imported=None, fresh: bool = False):
    session = get_session()
    member = current_member()
    pools = session.scalars(select(Pool).where(Pool.committee_id == member.committee_id).order_by(Pool.slug)).all()
    return render_template(PAGE, form=form or StatementForm(), book_form=BookLinesForm(), reviewed=reviewed,
                           imported=imported, fresh=fresh, pools=pools, verdicts=STATEMENT_VERDICTS), status


@blueprint.get("/committee/bank/statements")
@committee_required(role="treasurer")
def statements_page():
    return _page(matching.waiting(get_session(), current_member().committee_id))


@blueprint.post("/committee/bank/statements")
@committee_required(role="treasurer")
def upload_statement():
    request.max_content_length = MAX_BYTES + 64 * 1024  # a statement and the form around it
    form = StatementForm()
    committee_id = current_member().committee_id
    if not form.validate_on_submit():
        return _page(matching.waiting(get_session(), committee_id), form=form, status=400)
    data = form.statement.data.read(MAX_BYTES + 1)
    secret = current_app.config["SECRET_KEY"].encode()
    try:
        imported = matching.import_statement(get_session(), committee_id, data, secret)
    except StatementRefused as refusal:
        form.statement.errors = [refusal.message]
        return _page(matching.waiting(get_session(), committee_id), form=form, status=refusal.status)
    fresh = {r.line.id: r for r in imported.new}
    # the lines still waiting from earlier imports come too, the fresh ones with their words
    reviewed = [fresh.get(r.line.id, r) for r in matching.waiting(get_session(), committee_id)]
    return _page(reviewed, imported=imported, fresh=True)


@blueprint.post("/committee/bank/statements/book")
@committee_required(role="treasurer")
def book_lines():
    form = BookLinesForm()
    session = get_session()
    committee_id = current_member().committee_id
    if not form.validate_on_submit():
        return _page(matching.waiting(session, committee_id), status=400)
    booked, refused = 0, []
    for line_id in _ids(request.form.getlist("book")):
        choice = request.form.get(f"as-{line_id}", "gift")
        pool = None
        if choice != "gift":
            pool = session.scalar(select(Pool).where(Pool.slug == choice, Pool.committee_id == committee_id))
        try:
            if matching.book(session, committee_id, line_id, as_gift=choice == "gift", pool=pool) is not None:
                booked += 1
        except LookupError:
            continue
        except Refusal as refusal:
            refused.append(str(refusal.message))
    flash(_("Lines booked: %(num)s.", num=booked))
    for reason in refused:
        flash(reason)
    if not booked and not refused:
        flash(_("Nothing was ticked, so nothing was booked."))
    return redirect(url_for("donations.statements_page"), 303)


def _ids(values: list[str]) -> list[int]:
    return sorted({int(v) for v in values if v.isdigit() and len(v) < 10})
