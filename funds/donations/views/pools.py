"""Public pool pages and their JSON twins: goal, raised, paid by category, recent ledger lines.

Everything shown is read from the kept balances and the public ledger; nothing names a donor who
did not choose a public name, and nothing names a recipient at all.
"""

from __future__ import annotations

from flask import abort, current_app, jsonify, render_template, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from funds import horizon
from funds.db import get_session
from funds.i18n import text_direction
from funds.money import format_money
from funds.pools import figures
from funds.pools.models import Pool
from funds.web import charts, labels

from ..supporters import supporter_counts, thanked_names
from . import blueprint
from .giving import give_form, giving_pool


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
        "url": url_for("donations.pool_page", slug=pool.slug, _external=True),
    }


def _every_pool(session: Session) -> tuple[list[Pool], dict[int, figures.PoolFigures], dict[int, int]]:
    """Every pool, its public figures and its number of supporters."""
    pools = _pools(session)
    return pools, figures.figures(session, pools, _published(session)), supporter_counts(session, [p.id for p in pools])


@blueprint.get("/pools")
def pool_list():
    pools, shown, supporters = _every_pool(get_session())
    return render_template("donations/pool_list.html", pools=pools, figures=shown, supporters=supporters, lang=_lang())


@blueprint.get("/pools/<slug>")
def pool_page(slug: str):
    session = get_session()
    pool = find_pool(session, slug) or abort(404)
    lang = _lang()
    published = _published(session)
    shown = figures.figures(session, [pool], published)[pool.id]
    chart = charts.bars(
        "paid-chart", charts.largest_first(shown.paid_by_category, {k: str(v) for k, v in labels.CATEGORIES.items()}),
        money=lambda minor: format_money(minor, pool.currency, lang),
        title=str(_l("Money paid out, by what it was for")), empty=str(_l("Nothing has been paid out yet.")),
        direction=text_direction(lang),
    )
    giving = giving_pool(pool, lang)
    return render_template(
        "donations/pool.html", pool=pool, text=pool.text(lang), figures=shown, chart=chart,
        supporters=supporter_counts(session, [pool.id])[pool.id], thanked=thanked_names(session, pool.id),
        lines=figures.recent_lines(session, pool, published),
        giving=giving, form=give_form(giving),
    )


@blueprint.get("/api/v1/pools")
def api_pools():
    pools, shown, supporters = _every_pool(get_session())
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
