"""The annual report: a year of the fund in aggregate, read from the public books.

For one calendar year (UTC), per currency: money given, fees, returned to donors, paid out, and
held at the end of the year (or at the end of the last closed day, for the year under way);
grants paid by category and month; the median whole days from request to decision and from
decision to payment; the share of decisions that declined; and the incidents coordinators
recorded. Every figure comes from entries inside the horizon (booked before today, UTC), so the
report never says more, or sooner, than the public ledger; the books keep days, not times, so
the medians are in whole days.

People are counted by codename as in :mod:`.impact`. A grant figure (month x category, with
totals) counting fewer than :data:`.impact.THRESHOLD` people is suppressed with complements; a
median over fewer is not shown, and the declined share only when both the people approved and
the people declined number at least that many. Incidents are counted by kind and not
suppressed: they are the fund's own failures, counted as events, and record nobody (a code,
never text).
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field
from datetime import date
from statistics import median

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from funds.committees import membership
from funds.committees.models import Member
from funds.horizon import Horizon
from funds.refusals import Refusal
from funds.requests.models import Request
from funds.vocabulary import CATEGORIES, INCIDENT_KINDS
from ledger import schema

from .giving360 import paid_grants
from .impact import THRESHOLD, Cell, Median
from .suppression import ALL, relations, suppress

#: what the books' accounts are, by the start of their code
_MONEY_CLASSES = (("donations:", "given"), ("fees:", "fees"), ("refunds", "returned"))
#: the first year a report may be asked for (anything earlier is a typo)
FIRST_YEAR = 2000
_CHUNK = 500


class IncidentRefused(Refusal):
    """An incident of a kind that is not on the list."""


@dataclass(frozen=True)
class Money:
    currency: str
    #: gifts received (gross), fees the processor kept, money returned to donors, paid to people
    given: int = 0
    fees: int = 0
    returned: int = 0
    paid: int = 0
    #: in the pools at the end of the year (or of the last closed day), set-asides included
    held: int = 0


@dataclass(frozen=True)
class Grants:
    """Grants paid in one currency during the year."""

    currency: str
    total: Cell
    by_category: dict[str, Cell]
    by_month: dict[str, Cell]


@dataclass(frozen=True)
class Share:
    approved: int
    declined: int
    #: whole percent of the people decided on who were declined; None when hidden or nobody
    percent: int | None


@dataclass(frozen=True)
class Annual:
    year: int
    #: the last day the report counts (31 December, or the last closed day of this year)
    through: date
    complete: bool
    money: list[Money]
    grants: list[Grants]
    months: list[str]
    to_decision: Median
    to_payment: Median
    declined: Share
    incidents: dict[str, int] = field(default_factory=dict)
    threshold: int = THRESHOLD


def record_incident(session: Session, member: Member, kind: str) -> None:
    """A coordinator records that an incident of ``kind`` happened: a governance note with the
    committee and the code, nothing else (the books are public and append-only)."""
    if kind not in INCIDENT_KINDS:
        raise IncidentRefused("an incident is one of the kinds on the list")
    membership.record(session, "incident-recorded", member, by=member.id, incident=kind)


def years(session: Session, public: Horizon) -> list[int]:
    """The years the public books have entries in, newest first."""
    e = schema.entries.c
    first = session.scalar(select(func.min(e.booked_on)).where(e.seq < public.size))
    if first is None:
        return []
    return list(range(public.closed_through.year, first.year - 1, -1))


def report(session: Session, public: Horizon, year: int) -> Annual:
    """The report of ``year`` from the public books."""
    start, end = date(year, 1, 1), date(year, 12, 31)
    through = min(end, public.closed_through)
    e = schema.entries.c
    in_year = (e.seq < public.size, e.booked_on >= start, e.booked_on <= end)
    return Annual(
        year=year, through=through, complete=public.closed_through >= end,
        money=_money(session, public, in_year, end), **_grants(session, public, year),
        **_decisions(session, in_year), incidents=_incidents(session, in_year),
    )


def _money(session: Session, public: Horizon, in_year: tuple, end: date) -> list[Money]:
    e, p, a = schema.entries.c, schema.postings.c, schema.accounts.c
    # A reservation's postings are moved by its settlement; only transfers and settlements move money.
    moving = (e.kind.in_(("transfer", "settle")),)
    sums = select(a.code, a.currency, func.sum(p.amount)).join(schema.postings, p.entry_seq == e.seq) \
        .join(schema.accounts, a.id == p.account_id).group_by(a.code, a.currency)
    figures: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for code, currency, amount in session.execute(sums.where(*moving, *in_year)):
        parts = code.split(":")
        if parts[0] == "pool" and len(parts) == 4 and parts[2] == "paid":
            figures[currency]["paid"] += int(amount)
        for prefix, name in _MONEY_CLASSES:
            if code.startswith(prefix):
                figures[currency][name] += int(amount) * (-1 if name == "given" else 1)
    for code, currency, amount in session.execute(sums.where(*moving, e.seq < public.size, e.booked_on <= end)):
        parts = code.split(":")
        if parts[0] == "pool" and len(parts) == 3 and parts[2] == "available":
            figures[currency]["held"] += int(amount)
    return [Money(currency, **values) for currency, values in sorted(figures.items())]


def _grants(session: Session, public: Horizon, year: int) -> dict:
    found = [grant for grant in paid_grants(session, public) if grant.paid_on.year == year]
    people: dict[tuple, set[bytes]] = defaultdict(set)
    amounts: dict[tuple, int] = defaultdict(int)
    for grant in found:
        month = grant.paid_on.strftime("%Y-%m")
        for when in (month, ALL):
            for what in (grant.category, ALL):
                people[(grant.currency, when, what)].add(grant.person)
                amounts[(grant.currency, when, what)] += grant.amount
    counts = {key: len(who) for key, who in people.items()}
    months = sorted({key[1] for key in counts if key[1] != ALL})
    hidden = suppress(counts, amounts, relations(list(counts), [months, CATEGORIES], fixed=1), THRESHOLD)

    def cell(key: tuple) -> Cell:
        return Cell(counts.get(key, 0), amounts.get(key, 0), key not in hidden)

    grants = [
        Grants(currency, cell((currency, ALL, ALL)), {c: cell((currency, ALL, c)) for c in CATEGORIES},
               {m: cell((currency, m, ALL)) for m in months})
        for currency in sorted({key[0] for key in counts})
    ]
    return {"grants": grants, "months": months}


def _decisions(session: Session, in_year: tuple) -> dict:
    """Days from request to decision (decided this year), from decision to payment (paid this
    year), and the share declined, from the day stamps of the books' notes and payouts."""
    e = schema.entries.c
    decided: dict[str, tuple[str, date]] = {}
    paid: dict[str, date] = {}
    for key, booked_on in session.execute(select(e.key, e.booked_on).where(
        *in_year, (e.key.like("request:%:approved") | e.key.like("request:%:declined") | e.key.like("payout:request:%"))
    )):
        if key.startswith("payout:"):
            paid[key.rsplit(":", 1)[1]] = booked_on
        else:
            _, ref, outcome = key.split(":")
            decided[ref] = (outcome, booked_on)
    refs = sorted(set(decided) | set(paid))
    received, approved_on, person = {}, {}, {}
    for start in range(0, len(refs), _CHUNK):
        chunk = refs[start : start + _CHUNK]
        keys = {f"request:{ref}:submitted": ("received", ref) for ref in chunk}
        keys |= {f"request:{ref}:approved": ("approved", ref) for ref in chunk}
        for key, booked_on in session.execute(select(e.key, e.booked_on).where(e.key.in_(list(keys)))):
            what, ref = keys[key]
            (received if what == "received" else approved_on)[ref] = booked_on
        person.update((ref, bytes(codename)) for ref, codename in session.execute(
            select(Request.ledger_ref, Request.codename_id).where(Request.ledger_ref.in_(chunk))))

    def who(ref: str) -> bytes:
        return person.get(ref, ref.encode())

    to_decision = [(who(ref), (day - received[ref]).days) for ref, (_, day) in decided.items() if ref in received]
    to_payment = [(who(ref), (day - approved_on[ref]).days) for ref, day in paid.items() if ref in approved_on]
    outcomes = {outcome: {who(ref) for ref, (o, _) in decided.items() if o == outcome}
                for outcome in ("approved", "declined")}
    approved, declined = len(outcomes["approved"]), len(outcomes["declined"])
    requests = Counter(outcome for outcome, _ in decided.values())
    shown = approved >= THRESHOLD and declined >= THRESHOLD
    percent = round(100 * requests["declined"] / sum(requests.values())) if shown else None
    return {"to_decision": _median(to_decision), "to_payment": _median(to_payment),
            "declined": Share(approved, declined, percent)}


def _median(found: list[tuple[bytes, int]]) -> Median:
    who = len({person for person, _ in found})
    return Median(who, float(median(days for _, days in found)) if found and who >= THRESHOLD else None)


def _incidents(session: Session, in_year: tuple) -> dict[str, int]:
    e = schema.entries.c
    counted: Counter[str] = Counter()
    for (meta,) in session.execute(select(e.meta).where(*in_year, e.kind == "note",
                                                        e.key.like("committee:%:incident-recorded:%"))):
        kind = json.loads(meta).get("incident")
        counted[kind if kind in INCIDENT_KINDS else "other"] += 1
    return {kind: counted[kind] for kind in INCIDENT_KINDS}


def as_json(shown: Annual) -> dict:
    """The report for the API: amounts in minor units; a hidden figure is null with ``hidden``."""

    def cell(found: Cell) -> dict:
        return {"people": found.people, "amount": found.amount} if found.shown else \
            {"people": None, "amount": None, "hidden": True}

    def middle(found: Median) -> dict:
        return {"people": found.people, "days": found.days} if found.days is not None or not found.people \
            else {"people": None, "days": None, "hidden": True}

    share = shown.declined
    return {
        "year": shown.year, "through": shown.through.isoformat(), "complete": shown.complete,
        "threshold": shown.threshold,
        "money": [asdict(money) for money in shown.money],
        "grants": [{"currency": g.currency, "total": cell(g.total),
                    "by_category": {c: cell(found) for c, found in g.by_category.items()},
                    "by_month": {m: cell(found) for m, found in g.by_month.items()}} for g in shown.grants],
        "days_to_decision": middle(shown.to_decision), "days_to_payment": middle(shown.to_payment),
        "declined_percent": share.percent,
        "incidents": shown.incidents,
    }
