"""Public pool pages and their JSON twins: goal, raised, paid by category, recent ledger lines.

Everything shown is read from the kept balances and the public ledger; nothing names a donor who
did not choose a public name, and nothing names a recipient at all.
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, jsonify, render_template, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from funds.committees.access import public_blueprint
from funds.db import get_session
from funds.donations.giving_views import give_form, giving_pool
from funds.donations.pages import secure_headers
from funds.donations.supporters import supporter_counts, thanked_names
from funds.money import format_money
from funds.transparency import horizon

from . import charts, figures
from .models import Pool

#: pool pages are public; the committee pages here carry their own guard (committee_views)
blueprint = public_blueprint(Blueprint("pools", __name__))
blueprint.after_request(secure_headers)

CATEGORY_LABELS = {
    "food": _l("Food"), "rent": _l("Rent"), "medical": _l("Medical care"), "transport": _l("Transport"),
    "legal": _l("Legal help"), "phone-data": _l("Phone and data"), "other": _l("Other"),
}
WHAT_LABELS = {
    "gift": _l("Gift"), "refund": _l("Refund to a donor"), "dispute-withdrawn": _l("Disputed by a donor's bank"),
    "dispute-reinstated": _l("Dispute won, money back"), "payout": _l("Paid to a person"),
    "reserve": _l("Set aside for an approved request"), "settle": _l("Paid to a person"),
    "void": _l("Set-aside released"),
}


def _lang() -> str:
    return str(get_locale() or "en")


def _pools(session: Session) -> list[Pool]:
    return list(session.scalars(
        select(Pool).options(selectinload(Pool.texts)).order_by(Pool.is_default.desc(), Pool.is_open.desc(), Pool.id)
    ))


def _published(session: Session) -> int:
    """How many entries of the books are public: people's figures stop there."""
    return horizon.current(current_app, session).size


def find_pool(session: Session, slug: str) -> Pool | None:
    return session.scalar(select(Pool).options(selectinload(Pool.texts)).where(Pool.slug == slug))


def pool_json(pool: Pool, shown: figures.PoolFigures, supporters: int, lang: str) -> dict:
    """A pool's public figures, amounts in minor units of ``currency``."""
    return {
        "slug": pool.slug,
        "name": pool.text(lang).name,
        "currency": pool.currency,
        "goal": shown.goal,
        "raised": shown.raised,
        "paid": shown.paid,
        "available": shown.available,
        "reserved": shown.reserved,
        "supporters": supporters,
        "people_supported": shown.people_supported,
        "paid_by_category": shown.paid_by_category,
        "is_open": pool.is_open,
        "is_default": pool.is_default,
        "url": url_for("pools.pool_page", slug=pool.slug, _external=True),
    }


@blueprint.get("/pools")
def pool_list():
    session = get_session()
    pools = _pools(session)
    shown = figures.figures(session, pools, _published(session))
    supporters = supporter_counts(session, [p.id for p in pools])
    return render_template("pools/list.html", pools=pools, figures=shown, supporters=supporters, lang=_lang())


@blueprint.get("/pools/<slug>")
def pool_page(slug: str):
    session = get_session()
    pool = find_pool(session, slug) or abort(404)
    lang = _lang()
    published = _published(session)
    shown = figures.figures(session, [pool], published)[pool.id]
    chart = charts.paid_by_category(
        shown.paid_by_category, labels={k: str(v) for k, v in CATEGORY_LABELS.items()},
        money=lambda minor: format_money(minor, pool.currency, lang),
        title=str(_l("Money paid out, by what it was for")), empty=str(_l("Nothing has been paid out yet.")),
    )
    giving = giving_pool(pool, lang)
    return render_template(
        "pools/pool.html", pool=pool, text=pool.text(lang), figures=shown, chart=chart,
        supporters=supporter_counts(session, [pool.id])[pool.id], thanked=thanked_names(session, pool.id),
        lines=figures.recent_lines(session, pool, published), what_labels=WHAT_LABELS, category_labels=CATEGORY_LABELS,
        giving=giving, form=give_form(giving),
    )


@blueprint.get("/api/v1/pools")
def api_pools():
    session = get_session()
    pools = _pools(session)
    shown = figures.figures(session, pools, _published(session))
    supporters = supporter_counts(session, [p.id for p in pools])
    lang = _lang()
    return jsonify(pools=[pool_json(p, shown[p.id], supporters[p.id], lang) for p in pools])


@blueprint.get("/api/v1/pools/<slug>")
def api_pool(slug: str):
    session = get_session()
    pool = find_pool(session, slug)
    if pool is None:
        return jsonify(error=_("There is no pool called “%(slug)s”.", slug=slug)), 404
    published = _published(session)
    shown = figures.figures(session, [pool], published)[pool.id]
    return jsonify(pool_json(pool, shown, supporter_counts(session, [pool.id])[pool.id], _lang()))
