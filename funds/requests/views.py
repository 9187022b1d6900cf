"""Recipient pages: ask (/request), keep the codename (/request/confirm), check (/status).

No page sets a cookie, puts a codename in a URL, loads anything from another site or needs
JavaScript. Codenames travel only in POST bodies and are marked never to be logged.
"""

from __future__ import annotations

from flask import Blueprint, current_app, render_template, request, url_for
from flask_babel import format_date, get_locale
from flask_babel import gettext as _

from funds.db import get_session
from funds.money import format_money
from funds.web import confirmation, labels
from funds.web.access import public_blueprint
from funds.web.bodies import body_was_unreadable, check_body
from funds.web.confirmation import Question
from funds.web.problems import handle_every_problem, render_problem

from ..logs import never_log
from ..privacy import protect
from . import codename as codenames
from . import domain, states, wording
from .forms import AskForm, ConfirmForm, StatusForm, WithdrawForm

blueprint = protect(public_blueprint(Blueprint("requests", __name__)))
blueprint.before_request(check_body)
handle_every_problem(blueprint)


@blueprint.context_processor
def _retention() -> dict:
    return {"retention_days": _config().retention_days}


def _config():
    return current_app.extensions["ayni.config"]


def _lang() -> str:
    return str(get_locale() or "en")


def _ask_page(form: AskForm, pools, status: int = 200, problem: str = ""):
    form.lang.data = _lang()
    return render_template("requests/ask.html", form=form, pools=pools, problem=problem), status


@blueprint.route("/request", methods=["GET", "POST"])
def ask():
    session = get_session()
    pools = domain.open_pools(session)
    form = AskForm()
    if request.method == "GET":
        wanted = request.args.get("pool")
        form.pool.data = wanted if wanted in {pool.slug for pool in pools} else (pools[0].slug if pools else None)
        return _ask_page(form, pools)
    never_log(form.codename.data or "")
    if body_was_unreadable():
        return _ask_page(form, pools, 400, wording.UNREADABLE)
    valid = form.validate()
    pool = next((p for p in pools if p.slug == form.pool.data), None)
    if pool is None:
        form.pool.errors = [*form.pool.errors, wording.POOL_UNAVAILABLE]
        return _ask_page(form, pools, 422)
    amount = form.amount_for(pool)
    if not valid or not amount:
        return _ask_page(form, pools, 422)
    try:
        asked = domain.ask(
            session, pool=pool, amount=amount, category=form.category.data, method=form.method.data,
            contact=form.contact.data.strip(), note=(form.note.data or "").strip(),
            payout=(form.payout.data or "").strip(), lang=_lang(), pepper=_config().effective_codename_pepper,
            existing_codename=(form.codename.data or "").strip(),
        )
    except domain.NoCommitteeKeys:
        return _ask_page(form, pools, 503, wording.NO_COMMITTEE_KEYS)
    except domain.UnknownCodename:
        form.codename.errors = [wording.UNKNOWN_CODENAME_ON_ASK]
        return _ask_page(form, pools, 422)
    except domain.FrequencyCapReached as reached:
        return _ask_page(form, pools, 422, wording.FREQUENCY_CAP % {"date": format_date(reached.until, "long")})
    never_log(asked.codename)
    confirm = ConfirmForm(formdata=None, shown=asked.codename, lang=_lang())
    return render_template(
        "requests/codename.html", form=confirm, codename=asked.codename, is_new=asked.is_new_codename
    )


@blueprint.post("/request/confirm")
def confirm():
    form = ConfirmForm()
    shown = (form.shown.data or "").strip()
    never_log(shown)
    never_log(form.typed.data or "")
    if not shown or not codenames.looks_like_a_codename(shown) or body_was_unreadable():
        return render_problem(400)
    form.lang.data = _lang()
    if not form.validate():
        return render_template("requests/codename.html", form=form, codename=shown, is_new=True), 422
    if "typed" not in request.form:  # the language buttons: show the same codename in another language
        return render_template("requests/codename.html", form=form, codename=shown, is_new=True)
    if codenames.canonical(form.typed.data or "") != codenames.canonical(shown):
        # what was typed stays, so a slip of one letter is fixed, not typed again
        return render_template("requests/codename.html", form=form, codename=shown, is_new=True, mismatch=True), 422
    return render_template("requests/saved.html", status_form=StatusForm(formdata=None, lang=_lang()))


def _status_page(form: StatusForm, codename: str, derived, found, *, status: int = 200, notice: str = ""):
    shown = []
    for aid in found:
        messages = domain.read_messages(aid, derived)
        shown.append(
            {
                "request": aid,
                "messages": [(m, text) for m, text in messages if m.kind == "message"],
                "vouchers": [(m, text) for m, text in messages if m.kind == "voucher"],
                "can_withdraw": states.can(aid.state, "withdraw"),
            }
        )
    withdraw = WithdrawForm(formdata=None, codename=codename, lang=_lang())
    return render_template(
        "requests/status.html", requests=shown, codename=codename, withdraw=withdraw, form=form, notice=notice
    ), status


@blueprint.route("/status", methods=["GET", "POST"])
def status():
    form = StatusForm()
    form.lang.data = _lang()
    if request.method == "GET":
        return render_template("requests/lookup.html", form=form)
    typed = (form.codename.data or "").strip()
    never_log(typed)
    if body_was_unreadable() or not form.validate():
        return render_template("requests/lookup.html", form=form), 400 if body_was_unreadable() else 422
    try:
        derived, found = domain.find(get_session(), typed, _config().effective_codename_pepper)
    except domain.UnknownCodename:
        form.codename.errors = [wording.UNKNOWN_CODENAME]
        return render_template("requests/lookup.html", form=form), 404
    return _status_page(form, typed, derived, found)


@blueprint.get("/status/lost")
def lost_codename():
    """What a lost codename means, what nobody can recover, and how to ask again safely."""
    return render_template("requests/lost.html")


@blueprint.post("/status/withdraw")
def withdraw():
    form = WithdrawForm()
    typed = (form.codename.data or "").strip()
    never_log(typed)
    form.lang.data = _lang()
    if body_was_unreadable() or not form.validate():
        return render_template("requests/lookup.html", form=form), 400 if body_was_unreadable() else 422
    session = get_session()
    try:
        derived, found = domain.find(session, typed, _config().effective_codename_pepper)
    except domain.UnknownCodename:
        form.codename.errors = [wording.UNKNOWN_CODENAME]
        return render_template("requests/lookup.html", form=form), 404
    chosen = next((aid for aid in found if str(aid.id) == (form.request_id.data or "")), None)
    if chosen is None or not states.can(chosen.state, "withdraw"):
        return _status_page(form, typed, derived, found, status=409, notice=wording.CANNOT_WITHDRAW)
    if not confirmation.confirmed():
        return confirmation.ask(Question(
            _("Withdraw your request?"), _("Yes, withdraw my request"), url_for("requests.status", lang=_lang()),
            [(_("Amount"), format_money(chosen.amount, chosen.pool.currency)),
             (_("For"), str(labels.CATEGORIES.get(chosen.category, chosen.category)))],
            _("The committee will not look at it any more, and this cannot be undone. You can ask again later."),
        ))
    domain.withdraw(session, chosen)
    return _status_page(form, typed, derived, found, notice=wording.WITHDRAWN)

