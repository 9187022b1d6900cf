"""Decision fixtures: a committee of four with keys (the private halves stay here, as they would
in members' browsers), a pool with a quorum of two, people asking, and gifts arriving.

Committees, members who can sign in, signed-in clients and ``run`` are tests/conftest.py's.
"""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass

import pytest
from nacl.public import PrivateKey
from sqlalchemy import select

from funds.committees.models import Member
from funds.decisions import reservations
from funds.pools import accounts
from funds.pools.models import Pool
from funds.requests import domain as requests_domain
from ledger import schema, store
from ledger.entry import Entry, Posting
from tests.committees.conftest import csrf_token
from tests.conftest import Person

CONTACT = "Signal +48 600 100 200, ask for Ola"
_gifts = itertools.count(1)


@dataclass
class Peers:
    """A committee: two members, a treasurer and a coordinator, and their pool."""

    committee_id: int
    pool_id: int
    ana: Person
    bea: Person
    cai: Person  #: the treasurer
    dora: Person  #: the coordinator
    keys: dict[int, PrivateKey]


@dataclass(frozen=True)
class Asked:
    request_id: int
    codename: str


@pytest.fixture
def peers(run, make_committee, make_member) -> Peers:
    committee_id, pool_id = make_committee("Warsaw", "warsaw")
    ana, bea = make_member(committee_id, "member", name="Ana"), make_member(committee_id, "member", name="Bea")
    cai, dora = (
        make_member(committee_id, "treasurer", name="Cai"),
        make_member(committee_id, "coordinator", name="Dora"),
    )
    keys = {person.id: PrivateKey.generate() for person in (ana, bea, cai, dora)}

    def work(session):
        pool = session.get(Pool, pool_id)
        pool.quorum, pool.fast_track_limit = 2, 3_000
        for member_id, key in keys.items():
            session.get(Member, member_id).public_key = bytes(key.public_key)

    run(work)
    return Peers(committee_id, pool_id, ana, bea, cai, dora, keys)


@pytest.fixture
def ask(run, config, peers):
    """A person asks the peers' pool for support (through the requests area, sealed and all)."""

    def send(amount: int = 5_000, category: str = "food", contact: str = CONTACT, codename: str = "") -> Asked:
        def work(session):
            asked = requests_domain.ask(
                session,
                pool=session.get(Pool, peers.pool_id),
                amount=amount,
                category=category,
                method="cash",
                contact=contact,
                note="for the kids",
                payout="",
                lang="en",
                pepper=config.effective_codename_pepper,
                existing_codename=codename,
            )
            return Asked(asked.request.id, asked.codename)

        return run(work)

    return send


@pytest.fixture
def give(run, peers):
    """A gift reaches the pool; the donors' code then funds the waitlist, as this does."""

    def send(amount: int, pool_id: int | None = None) -> list[int]:
        def work(session):
            pool = session.get(Pool, pool_id or peers.pool_id)
            store.post(
                session,
                Entry(
                    f"gift:test:{next(_gifts)}",
                    "transfer",
                    (
                        Posting(accounts.donations("offline", pool.currency), pool.currency, -amount),
                        Posting(accounts.available(pool.id), pool.currency, amount),
                    ),
                ),
            )
            return reservations.fund_waitlist(session, pool)

        return run(work)

    return send


def post(client, path: str, **form):
    """Send a committee form as a browser would: with the CSRF token of the client's session, and
    already confirmed (pressing the confirmation page's button; tests/decisions/test_confirming.py
    checks that page itself)."""
    return client.post(path, data={"csrf_token": csrf_token(client), "confirmed": "yes", **form})


def notes(run) -> list[dict]:
    """Every governance note in the ledger, oldest first."""
    e = schema.entries.c
    rows = run(lambda s: s.execute(select(e.meta).where(e.kind == "note").order_by(e.seq)).all())
    return [json.loads(row.meta) for row in rows]


def available(run, pool_id: int) -> store.Balance:
    return run(lambda s: accounts.pool_available(s, pool_id))
