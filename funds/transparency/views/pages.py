"""Public pages: the ledger (newest first, a page at a time by seq), one entry with its proof,
the in-browser proof check, and the impact report with its CSV. All work without JavaScript
except the optional proof check, which says so."""

from __future__ import annotations

from datetime import date

from flask import current_app, render_template, request, url_for
from flask_babel import format_date, get_locale
from flask_babel import gettext as _
from sqlalchemy import select

from funds.books import app_signer
from funds.db import get_session
from funds.horizon import current
from funds.i18n import text_direction
from funds.money import format_money
from funds.pools.models import Pool
from funds.web.charts import bars
from funds.web.downloads import csv_download
from funds.web.labels import CATEGORIES as CATEGORY_LABELS
from funds.web.problems import render_problem
from ledger.export import FORMATS

from .. import checkpoints, entries, impact, params, witnessing, wording
from . import blueprint

PAGE_SIZE = 50


def _lang() -> str:
    return str(get_locale() or "en")


def month_label(month: str) -> str:
    """``2024-05`` as the reader says it ("May 2024")."""
    year, number = (int(part) for part in month.split("-"))
    return format_date(date(year, number, 1), "LLLL y")


def _pool_names(session) -> dict[str, str]:
    return {pool.slug: pool.text(_lang()).name for pool in session.scalars(select(Pool)) if pool.texts}


def _books_context(session, public) -> dict:
    return {
        "public": public,
        "origin": current_app.extensions["ayni.config"].ledger_origin,
        "vkey": app_signer(current_app).vkey,
        "checkpoint_size": checkpoints.latest_size(session, public),
        "formats": FORMATS,
        "describe": wording.describe,
        "who": wording.who,
        "pool_names": _pool_names(session),
    }


@blueprint.get("/ledger")
def ledger_page():
    raw = request.args.get("before")
    try:
        before = params.number("before", raw, low=1) if raw else None
    except params.ParameterError:
        return render_problem(400)
    session = get_session()
    public = current(current_app, session)
    shown = entries.before(session, public, before, PAGE_SIZE)
    older = shown[-1].seq if shown and shown[-1].seq > 0 else None
    newer = None
    if shown and shown[0].seq < public.size - 1:
        newer = min(shown[0].seq + 1 + PAGE_SIZE, public.size)
    return render_template("transparency/ledger.html", entries=shown, older=older, newer=newer,
                           **_books_context(session, public))


@blueprint.get("/ledger/entries/<seq>")
def entry_page(seq: str):
    try:
        number = params.number("seq", seq)
    except params.ParameterError:
        return render_problem(400)
    session = get_session()
    public = current(current_app, session)
    found = entries.one(session, public, number)
    if found is None:
        return render_template("transparency/not_yet.html", seq=number, public=public), 404
    return render_template("transparency/entry.html", entry=found, **_books_context(session, public))


@blueprint.get("/ledger/check")
def check_page():
    session = get_session()
    witness_keys = [witness.vkey for witness in witnessing.listed(session)]
    return render_template("transparency/check.html", witness_keys=witness_keys,
                           **_books_context(session, current(current_app, session)))


def _charts(report: impact.Report) -> dict:
    """Bar charts of money paid per category and per month, for all pools of each currency."""
    drawn = {}
    for scope in report.scopes:
        if scope.slug is not None:
            continue
        options = {
            "money": lambda minor, currency=scope.currency: format_money(minor, currency),
            "empty": _("Nothing paid out yet."),
            "direction": text_direction(_lang()),
            "left_out": lambda count: _("%(count)s figures counting fewer than %(threshold)s people are not shown.",
                                        count=count, threshold=report.threshold),
        }
        by_category = [(str(CATEGORY_LABELS[c]), _shown(cell)) for c, cell in scope.by_category.items() if cell.people]
        by_month = [(month_label(month), _shown(cell)) for month, cell in scope.by_month.items()]
        key = scope.currency.lower()
        drawn[(scope.currency, "category")] = bars(
            f"impact-{key}-category", by_category,
            title=_("Money paid out by category (%(currency)s)", currency=scope.currency), **options)
        drawn[(scope.currency, "month")] = bars(
            f"impact-{key}-month", by_month,
            title=_("Money paid out by month (%(currency)s)", currency=scope.currency), **options)
    return drawn


def _shown(cell: impact.Cell) -> int | None:
    return cell.amount if cell.shown else None


@blueprint.get("/impact")
def impact_page():
    session = get_session()
    public = current(current_app, session)
    report = impact.report(session, public.day_start, _lang())
    return render_template("transparency/impact.html", report=report, charts=_charts(report),
                           category_labels=CATEGORY_LABELS, month_label=month_label, csv_url=url_for(".impact_csv"))


@blueprint.get("/impact.csv")
def impact_csv():
    session = get_session()
    public = current(current_app, session)
    report = impact.report(session, public.day_start, _lang())
    return csv_download(impact.CSV_HEADER, impact.csv_rows(report), f"ayni-impact-{report.closed_through}.csv")
