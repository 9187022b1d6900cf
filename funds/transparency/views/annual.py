"""The annual report (``/report/<year>``, JSON at ``/api/v1/report/<year>``) and the committee's
incident form (``/committee/incidents``, coordinators only) whose records the report counts."""

from __future__ import annotations

from flask import abort, current_app, flash, jsonify, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _

from funds.committees.access import committee_required, current_member
from funds.db import get_session
from funds.horizon import current
from funds.vocabulary import INCIDENT_KINDS
from funds.web.labels import CATEGORIES as CATEGORY_LABELS
from funds.web.labels import INCIDENTS as INCIDENT_LABELS
from funds.web.problems import render_problem

from .. import annual, params
from . import api_blueprint, blueprint
from .committee import _private
from .pages import month_label


def _year(raw: str, latest: int) -> int:
    return params.number("year", raw, low=annual.FIRST_YEAR, high=latest)


@blueprint.get("/report")
def latest_report():
    session = get_session()
    return redirect(url_for(".report_page", year=current(current_app, session).closed_through.year,
                            **({"lang": request.args["lang"]} if "lang" in request.args else {})), 302)


@blueprint.get("/report/<year>")
def report_page(year: str):
    session = get_session()
    public = current(current_app, session)
    try:
        number = _year(year, public.closed_through.year)
    except params.ParameterError:
        return render_problem(404)
    return render_template(
        "transparency/report.html", report=annual.report(session, public, number),
        years=annual.years(session, public), category_labels=CATEGORY_LABELS, incident_labels=INCIDENT_LABELS,
        month_label=month_label, json_url=url_for("ledger_api.annual_report", year=number),
    )


@api_blueprint.get("/report/<year>")
def annual_report(year: str):
    session = get_session()
    public = current(current_app, session)
    return jsonify(annual.as_json(annual.report(session, public, _year(year, public.closed_through.year))))


@blueprint.get("/committee/incidents")
@committee_required(role="coordinator")
def incidents_page():
    return _private(make_response(render_template("transparency/incidents.html", kinds=INCIDENT_KINDS,
                                                  labels=INCIDENT_LABELS)))


@blueprint.post("/committee/incidents")
@committee_required(role="coordinator")
def record_incident():
    kind = request.form.get("incident")
    if kind not in INCIDENT_KINDS:
        abort(400)
    annual.record_incident(get_session(), current_member(), kind)
    flash(_("The incident is recorded in the public ledger. It appears in the annual report after today closes."))
    return _private(redirect(url_for(".incidents_page"), 303))
