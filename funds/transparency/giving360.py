"""The grants in the 360Giving Data Standard (1.4): one row per paid grant, to an individual who
is never named, read from the public books.

A grant is published once its payout entry is public (booked before today, UTC, like everything
else). Each row carries a generic title, the amount in whole units, the day of the approval
(never a time), the funder, the pool as the grant programme, and 360Giving's codelists for
grants to individuals: the purpose from the request's category, and one reason for every grant,
the fund's (Ayni asks nobody why they need help).

**Identifiers.** The grant id and the recipient id are ``<publisher prefix>-<HMAC>`` of the
request's random ledger reference under a key only the server holds (``AYNI_GIVING360_ID_KEY``):
stable from one export to the next, as 360Giving asks, but nobody without the key can tell which
ledger entries (whose keys name the reference) a row stands for, and a codename never enters
them. The recipient id is per grant: one person paid twice appears as two recipients, since a
per-person id would link their grants.

**Small groups.** People are counted (distinct codenames, as :mod:`.impact` counts them) per
pool, month of the award and category, with totals, and suppressed below :data:`.impact.THRESHOLD`
with complements (:mod:`.suppression`). A grant whose pool and month count too few people is
left out of the export; one whose category counts too few is published with its purpose
withheld (``GTIP010``, unspecified), so rows cannot be counted back into a hidden cell.
"""

from __future__ import annotations

import hashlib
import hmac
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from funds.horizon import Horizon
from funds.money import major
from funds.pools.models import Pool
from funds.requests.models import Request
from funds.vocabulary import CATEGORIES
from ledger import schema

from .impact import THRESHOLD
from .suppression import ALL, relations, suppress

#: the version of the standard the export follows (the package's "version", major.minor)
VERSION = "1.4"
TITLE = "Emergency grant"
DESCRIPTION = "An emergency grant to an individual from a mutual-aid fund. Nobody is named."
#: 360Giving's suggested name for an individual who is not named
RECIPIENT_NAME = "Individual Recipient"
#: Ayni's categories -> 360Giving's Grant to Individuals Purpose codelist
PURPOSES = {
    "food": "GTIP070",  # Food and essential items
    "rent": "GTIP060",  # Other housing related costs: deposits, rent, arrears
    "medical": "GTIP120",  # Health, care and wellbeing services
    "transport": "GTIP100",  # Travel and transport
    "legal": "GTIP170",  # Exceptional costs: crisis funding, legal fees
    "phone-data": "GTIP040",  # Devices and digital access: phones, digital access
    "other": "GTIP010",  # Unrestricted: unspecified or general support
}
#: the purpose of a grant whose category is suppressed
WITHHELD_PURPOSE = "GTIP010"
#: request references looked up per query (well under every driver's limit on bound values)
_CHUNK = 500

CSV_HEADER = (
    "Identifier", "Title", "Description", "Currency", "Amount Awarded", "Award Date",
    "Recipient Ind:Identifier", "Recipient Ind:Name", "Funding Org:Identifier", "Funding Org:Name",
    "Grant Programme:Code", "Grant Programme:Title", "Grant Programme:URL",
    "To Individuals Details:Primary Grant Reason", "To Individuals Details:Grant Purpose",
)


@dataclass(frozen=True)
class Funder:
    """Who publishes: from the configuration (``AYNI_GIVING360_PREFIX``, ``AYNI_FUNDER_*``)."""

    prefix: str
    name: str
    identifier: str
    grant_reason: str
    id_key: bytes

    def grant_id(self, ledger_ref: str) -> str:
        return f"{self.prefix}-{self._keyed('grant', ledger_ref)}"

    def recipient_id(self, ledger_ref: str) -> str:
        return f"{self.prefix}-IND-{self._keyed('recipient', ledger_ref)}"

    def _keyed(self, what: str, ledger_ref: str) -> str:
        # 80 bits: no two of a fund's grants share one, and nothing about the reference shows.
        return hmac.new(self.id_key, f"{what}:{ledger_ref}".encode(), hashlib.sha256).hexdigest()[:20]


@dataclass(frozen=True)
class PaidGrant:
    """A paid grant as the public books know it, with the codename's lookup id to count people."""

    ledger_ref: str
    pool_id: int
    category: str
    currency: str
    amount: int
    awarded_on: date
    paid_on: date
    person: bytes


def _chunks(items: list, size: int = _CHUNK) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def paid_grants(session: Session, public: Horizon) -> list[PaidGrant]:
    """Every grant whose payout is in the public books, with the day it was approved."""
    e, p, a = schema.entries.c, schema.postings.c, schema.accounts.c
    payouts = session.execute(
        select(e.seq, e.key, e.booked_on)
        .where(e.seq < public.size, e.kind == "settle", e.key.like("payout:request:%"))
    ).all()
    ref_of = {seq: key.rsplit(":", 1)[1] for seq, key, _ in payouts}
    paid_on = {key.rsplit(":", 1)[1]: booked_on for _, key, booked_on in payouts}
    refs = list(ref_of.values())
    paid: dict[str, tuple[int, str, str, int]] = {}
    for seqs in _chunks(list(ref_of)):
        for seq, code, currency, amount in session.execute(
            select(p.entry_seq, a.code, a.currency, p.amount)
            .join(schema.accounts, a.id == p.account_id)
            .where(p.entry_seq.in_(seqs), p.amount > 0)
        ):
            parts = code.split(":")
            if len(parts) == 4 and parts[0] == "pool" and parts[2] == "paid":
                paid[ref_of[seq]] = (int(parts[1]), parts[3], currency, amount)
    approved: dict[str, date] = {}
    people: dict[str, bytes] = {}
    for chunk in _chunks(refs):
        keys = {f"request:{ref}:approved": ref for ref in chunk}
        for key, booked_on in session.execute(select(e.key, e.booked_on).where(e.key.in_(list(keys)))):
            approved[keys[key]] = booked_on
        people.update(
            (ref, bytes(codename))
            for ref, codename in session.execute(
                select(Request.ledger_ref, Request.codename_id).where(Request.ledger_ref.in_(chunk))
            )
        )
    return [
        PaidGrant(ref, pool_id, category, currency, amount, approved[ref], paid_on[ref], people.get(ref, ref.encode()))
        for ref, (pool_id, category, currency, amount) in paid.items()
        if ref in approved
    ]


def _hidden(grants: Iterable[PaidGrant], slugs: dict[int, str]) -> set[tuple]:
    """The (currency, pool, month, category) cells, with "all" margins, counting too few people."""
    who: dict[tuple, set[bytes]] = defaultdict(set)
    amounts: dict[tuple, int] = defaultdict(int)
    months: set[str] = set()
    for grant in grants:
        month = grant.awarded_on.strftime("%Y-%m")
        months.add(month)
        for pool in (slugs[grant.pool_id], ALL):
            for when in (month, ALL):
                for what in (grant.category, ALL):
                    who[(grant.currency, pool, when, what)].add(grant.person)
                    amounts[(grant.currency, pool, when, what)] += grant.amount
    counts = {key: len(found) for key, found in who.items()}
    hidden: set[tuple] = set()
    for currency in sorted({key[0] for key in counts}):
        keys = [key for key in counts if key[0] == currency]
        pools = sorted({key[1] for key in keys if key[1] != ALL})
        links = relations(keys, [pools, sorted(months), CATEGORIES], fixed=1)
        hidden |= suppress({k: counts[k] for k in keys}, amounts, links, THRESHOLD)
    return hidden


def package(session: Session, public: Horizon, funder: Funder,
            programme_url: Callable[[str], str] | None = None) -> dict:
    """The 360Giving data package of every paid grant in the public books, small groups suppressed."""
    pools = {pool.id: pool for pool in session.scalars(select(Pool))}
    slugs = {pool_id: pool.slug for pool_id, pool in pools.items()}
    found = paid_grants(session, public)
    hidden = _hidden(found, slugs)
    organisation = {"id": funder.identifier, "name": funder.name}
    grants = []
    for grant in found:
        slug, month = slugs[grant.pool_id], grant.awarded_on.strftime("%Y-%m")
        if (grant.currency, slug, month, ALL) in hidden:
            continue
        shown_category = (grant.currency, slug, month, grant.category) not in hidden
        pool = pools[grant.pool_id]
        programme = {"code": slug, "title": pool.text("en").name if pool.texts else slug}
        if programme_url is not None:
            programme["url"] = programme_url(slug)
        grants.append({
            "id": funder.grant_id(grant.ledger_ref),
            "title": TITLE,
            "description": DESCRIPTION,
            "currency": grant.currency,
            "amountAwarded": _number(grant.amount, grant.currency),
            "awardDate": grant.awarded_on.isoformat(),
            "recipientIndividual": {"id": funder.recipient_id(grant.ledger_ref), "name": RECIPIENT_NAME},
            "fundingOrganization": [dict(organisation)],
            "grantProgramme": [programme],
            "toIndividualsDetails": {
                "primaryGrantReason": funder.grant_reason,
                "grantPurpose": [PURPOSES[grant.category] if shown_category else WITHHELD_PURPOSE],
            },
        })
    # By day, then by the keyed id: the order says nothing about the order of booking.
    grants.sort(key=lambda row: (row["awardDate"], row["id"]))
    return {
        "version": VERSION,
        "title": f"{funder.name}: grants paid through {public.closed_through.isoformat()}",
        "description": (
            f"Grants to individuals paid by {funder.name}, from its public books through "
            f"{public.closed_through.isoformat()}. Grants in groups of fewer than {THRESHOLD} people "
            "(a pool and month) are left out, and categories counting fewer are withheld."
        ),
        "identifier": f"{funder.prefix}-grants-{public.closed_through.isoformat()}",
        "issued": public.today.isoformat(),
        "publisher": dict(organisation),
        "grants": grants,
    }


def _number(minor: int, currency: str) -> int | float:
    """Whole units as a JSON number: an int when whole, else the float whose shortest form is the
    exact decimal (at most three decimals, far below 2**53)."""
    amount = major(minor, currency)
    return int(amount) if amount == amount.to_integral_value() else float(amount)


def csv_rows(shown: dict) -> list[tuple]:
    """The package as 360Giving's flat table, one row per grant, with its column titles."""
    return [
        (
            grant["id"], grant["title"], grant["description"], grant["currency"], grant["amountAwarded"],
            grant["awardDate"], grant["recipientIndividual"]["id"], grant["recipientIndividual"]["name"],
            grant["fundingOrganization"][0]["id"], grant["fundingOrganization"][0]["name"],
            grant["grantProgramme"][0]["code"], grant["grantProgramme"][0]["title"],
            grant["grantProgramme"][0].get("url", ""),
            grant["toIndividualsDetails"]["primaryGrantReason"],
            ";".join(grant["toIndividualsDetails"]["grantPurpose"]),
        )
        for grant in shown["grants"]
    ]
