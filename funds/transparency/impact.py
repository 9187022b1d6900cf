"""The impact report: people supported, money by category and month, and how long decisions and
payouts take, per pool and for all pools of a currency, as of the last closed day.

It counts what closed before today (UTC), like the public ledger, so the report never shows a
payout before the ledger does. "People" are distinct codenames among the requests counted: a
person who asked twice with one codename counts once, one who asked with two codenames twice.
Any cell counting fewer than :data:`THRESHOLD` people is suppressed, with complements
(:mod:`.suppression`), and so is a median taken over fewer than that many people.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from statistics import median

from sqlalchemy import select
from sqlalchemy.orm import Session

from funds.decisions.models import Grant
from funds.pools.models import Pool
from funds.requests import states
from funds.requests.models import Request
from funds.vocabulary import CATEGORIES

from .suppression import ALL, relations, suppress

#: the fewest people a published figure may count
THRESHOLD = 5


@dataclass(frozen=True)
class Cell:
    people: int
    amount: int
    shown: bool


@dataclass(frozen=True)
class Median:
    people: int
    #: None when suppressed or when nothing was decided or paid
    days: float | None


@dataclass(frozen=True)
class Scope:
    """One pool (``slug``), or all pools in ``currency`` (``slug`` is None)."""

    slug: str | None
    name: str
    currency: str
    total: Cell
    by_category: dict[str, Cell]
    by_month: dict[str, Cell]
    #: (month, category) -> cell
    grid: dict[tuple[str, str], Cell]
    to_decision: Median
    to_payout: Median


@dataclass(frozen=True)
class Report:
    closed_through: date
    months: list[str]
    scopes: list[Scope] = field(default_factory=list)
    threshold: int = THRESHOLD


def _utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _days(start: datetime, end: datetime) -> float:
    return (_utc(end) - _utc(start)).total_seconds() / 86400


def report(session: Session, day_start: datetime, lang: str = "en") -> Report:
    """The report of everything decided and paid before ``day_start`` (today 00:00 UTC)."""
    pools = {pool.id: pool for pool in session.scalars(select(Pool).order_by(Pool.id))}
    paid = session.execute(
        select(Request.pool_id, Request.category, Request.amount, Request.codename_id, Request.created_at,
               Grant.paid_at)
        .join(Grant, Grant.request_id == Request.id)
        .where(Grant.paid_at.is_not(None), Grant.paid_at < day_start, Request.state == states.PAID)
    ).all()
    decided = session.execute(
        select(Request.pool_id, Request.codename_id, Request.created_at, Grant.approved_at, Request.closed_at,
               Request.state)
        .outerjoin(Grant, Grant.request_id == Request.id)
        .where(Request.state != states.SUBMITTED)
    ).all()

    people: dict[tuple, set[bytes]] = defaultdict(set)
    amounts: dict[tuple, int] = defaultdict(int)
    months: set[str] = set()
    payout_days: dict[tuple, list[tuple[bytes, float]]] = defaultdict(list)
    for pool_id, category, amount, codename, created_at, paid_at in paid:
        pool, month = pools[pool_id], _utc(paid_at).strftime("%Y-%m")
        months.add(month)
        for scope in (pool.slug, ALL):
            for when in (month, ALL):
                for what in (category, ALL):
                    people[(pool.currency, scope, when, what)].add(bytes(codename))
                    amounts[(pool.currency, scope, when, what)] += amount
            payout_days[(pool.currency, scope)].append((bytes(codename), _days(created_at, paid_at)))
    decision_days: dict[tuple, list[tuple[bytes, float]]] = defaultdict(list)
    for pool_id, codename, created_at, approved_at, closed_at, state in decided:
        moment = approved_at if approved_at is not None else (closed_at if state == states.DECLINED else None)
        if moment is None or _utc(moment) >= day_start:
            continue
        pool = pools[pool_id]
        for scope in (pool.slug, ALL):
            decision_days[(pool.currency, scope)].append((bytes(codename), _days(created_at, moment)))

    counts = {key: len(found) for key, found in people.items()}
    ordered_months = sorted(months)
    hidden = set()
    for currency in sorted({pool.currency for pool in pools.values()}):
        slugs = sorted({key[1] for key in counts if key[0] == currency and key[1] != ALL})
        keys = [key for key in counts if key[0] == currency]
        links = relations(keys, [slugs, ordered_months, CATEGORIES], fixed=1)
        hidden |= suppress(counts, amounts, links, THRESHOLD)

    def cell(key: tuple) -> Cell:
        return Cell(counts.get(key, 0), amounts.get(key, 0), key not in hidden)

    def middle(found: list[tuple[bytes, float]]) -> Median:
        who = len({codename for codename, _ in found})
        days = round(median(d for _, d in found), 1) if found and who >= THRESHOLD else None
        return Median(who, days)

    scopes = []
    currencies = sorted({pool.currency for pool in pools.values()})
    listed = [(None, currency) for currency in currencies] + [(p.slug, p.currency) for p in pools.values()]
    names = {pool.slug: pool.text(lang).name for pool in pools.values() if pool.texts}
    for slug, currency in listed:
        scope = slug or ALL
        scopes.append(Scope(
            slug=slug, name=names.get(slug, slug or ""), currency=currency,
            total=cell((currency, scope, ALL, ALL)),
            by_category={c: cell((currency, scope, ALL, c)) for c in CATEGORIES},
            by_month={m: cell((currency, scope, m, ALL)) for m in ordered_months},
            grid={(m, c): cell((currency, scope, m, c)) for m in ordered_months for c in CATEGORIES},
            to_decision=middle(decision_days.get((currency, scope), [])),
            to_payout=middle(payout_days.get((currency, scope), [])),
        ))
    return Report(closed_through=day_start.date() - timedelta(days=1), months=ordered_months, scopes=scopes)


CSV_HEADER = ("pool", "currency", "month", "category", "measure", "people", "value", "suppressed")


def csv_rows(shown: Report) -> list[tuple]:
    """The report as rows: money paid (minor units) per pool, month and category, with "all" for
    totals, and the median days; a suppressed figure has neither people nor value."""
    rows: list[tuple] = []
    for scope in shown.scopes:
        pool = scope.slug or ALL
        cells = [(ALL, ALL, scope.total)]
        cells += [(ALL, c, found) for c, found in scope.by_category.items()]
        cells += [(m, ALL, found) for m, found in scope.by_month.items()]
        cells += [(m, c, found) for (m, c), found in scope.grid.items()]
        for month, category, found in cells:
            figures = (found.people, found.amount) if found.shown else ("", "")
            rows.append((pool, scope.currency, month, category, "paid", *figures, "" if found.shown else "yes"))
        for measure, found in (("days_to_decision", scope.to_decision), ("days_to_payout", scope.to_payout)):
            shown_median = found.days is not None or found.people == 0
            figures = (found.people, "" if found.days is None else found.days) if shown_median else ("", "")
            rows.append((pool, scope.currency, ALL, ALL, measure, *figures, "" if shown_median else "yes"))
    return rows
