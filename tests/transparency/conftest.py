"""Transparency fixtures: a fund that lives through the domain functions of every area (offline
and card gifts, anonymous requests, quorum votes, payouts), on a day the test chooses.

The public books end where today's entries begin, so the fund does its work "yesterday" unless a
test says otherwise: ``books`` sets the day the ledger books entries on (the ledger reads the UTC
date when it books; the test moves that clock, nothing else), and the domain moments follow it.

Secrets a person or a member would never want public are planted on purpose (``PLANTED``), so
the tests can look for them in everything the public can read.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

import pytest
from nacl.public import PrivateKey

import ledger.store
from funds.committees.models import Member
from funds.decisions import payouts, votes
from funds.decisions.models import APPROVE, DECLINE
from funds.donations import booking
from funds.donations.domain import record_offline_gift
from funds.donations.models import Gift
from funds.pools.models import Pool
from funds.requests import domain as requests_domain
from funds.stripe_facts import Charge

#: what must never reach the public: contact, note, payout details and reference, member names
PLANTED = {
    "contact": "Signal +48 600 111 222 ask for Magda",
    "note": "three kids, landlord threatening eviction",
    "payout details": "IBAN PL61 1090 1014 0000 0712 1981 2874",
    "reference": "paid at Tuesday drop-in by Kasia ref 7Q-55",
    "decline reason": "we could not reach you on Signal",
    "member names": ("Anastazja Secretname", "Beata Hiddenname", "Cyryl Treasurer", "Dorota Coordinator"),
}
VOTE_VALID = timedelta(hours=72)


#: a fixed test key whose public half's base64 holds "+" and "/", as one key in a few does: the
#: in-browser check once split the key text at every "+"
SIGNING_KEY = "PRIVATE+KEY+ayni.test/transparency+844c84ac+AQ5LtK295m2Hg42uyXCP7ggHtPwIiEaS/Lnv0NSZZOgg"


@pytest.fixture
def config(config):
    return config.with_overrides(codename_pepper="t" * 40, ledger_origin="ayni.test/transparency",
                                 ledger_signing_key=SIGNING_KEY)


class Books:
    """The day the ledger books entries on: ``day`` (None: the real today)."""

    def __init__(self, day: date | None):
        self.day = day

    def moment(self) -> datetime:
        """Noon of the booking day, for the domain's own timestamps."""
        if self.day is None:
            return datetime.now(UTC)
        return datetime.combine(self.day, datetime.min.time(), tzinfo=UTC) + timedelta(hours=12)


@pytest.fixture
def books(monkeypatch) -> Books:
    """The ledger books on yesterday (UTC) until a test sets ``books.day = None`` for today."""
    chosen = Books(datetime.now(UTC).date() - timedelta(days=1))

    class BookingClock(datetime):
        @classmethod
        def now(cls, tz=None):
            real = datetime.now(tz)
            return real if chosen.day is None else datetime.combine(chosen.day, real.time(), tzinfo=real.tzinfo)

    monkeypatch.setattr(ledger.store, "datetime", BookingClock)
    return chosen


@dataclass
class Fund:
    """A committee of four (two members, a treasurer, a coordinator) and its euro pool."""

    run: object
    books: Books
    pepper: bytes
    committee_id: int
    pool_id: int
    members: dict[str, int]
    keys: dict[int, PrivateKey] = field(default_factory=dict)
    codenames: dict[int, str] = field(default_factory=dict)
    people: dict[str, object] = field(default_factory=dict)

    def _at(self, at: datetime | None) -> datetime:
        return at or self.books.moment()

    def member(self, session, name: str) -> Member:
        return session.get(Member, self.members[name])

    def gift(self, amount: int, *, public_name: str | None = None, method: str = "cash") -> tuple[int, int]:
        """An offline gift a treasurer records; returns (gift id, entry seq)."""

        def work(session):
            gift = record_offline_gift(session, session.get(Pool, self.pool_id), 10**9,
                                       amount_text=f"{amount / 100:.2f}", method=method, public_name=public_name)
            return gift.id, gift.entry_seq

        return self.run(work)

    def card_gift(self, amount: int, fee: int, *, public_name: str | None = None, charge_id: str = "ch_1") -> int:
        """A card gift as the webhook books it (gross, fee, net); returns its entry seq."""

        def work(session):
            gift = Gift(pool_id=self.pool_id, amount=amount, currency="EUR", source="stripe", public_name=public_name)
            session.add(gift)
            session.flush()
            charge = Charge(id=charge_id, paid=True, amount=amount, currency="EUR", fee=fee, fee_known=True,
                            gift_id=gift.id, monthly_gift_id=None, payment_intent_id=f"pi_{charge_id}", refunds=())
            assert booking.book_charge(session, booking.gift_for_charge(session, charge), charge)
            session.refresh(gift)
            return gift.entry_seq

        return self.run(work)

    def ask(self, amount: int = 5_000, category: str = "rent", *, method: str = "cash",
            at: datetime | None = None) -> int:
        """Someone asks anonymously, with a contact, a note and payout details that are sealed."""

        def work(session):
            asked = requests_domain.ask(
                session, pool=session.get(Pool, self.pool_id), amount=amount, category=category, method=method,
                contact=PLANTED["contact"], note=PLANTED["note"], payout=PLANTED["payout details"], lang="en",
                pepper=self.pepper, now=self._at(at),
            )
            self.codenames[asked.request.id] = asked.codename
            return asked.request.id

        return self.run(work)

    def approve(self, request_id: int, *, at: datetime | None = None) -> None:
        for name in ("ana", "bea"):
            self.run(lambda s, n=name: votes.cast(s, self.member(s, n), request_id, APPROVE, valid_for=VOTE_VALID,
                                                  now=self._at(at)))

    def decline(self, request_id: int, *, at: datetime | None = None) -> None:
        for name in ("ana", "bea"):
            self.run(lambda s, n=name: votes.cast(s, self.member(s, n), request_id, DECLINE,
                                                  reason=PLANTED["decline reason"], valid_for=VOTE_VALID,
                                                  now=self._at(at)))

    def pay(self, request_id: int, *, method: str = "bank-transfer", at: datetime | None = None) -> None:
        self.run(lambda s: payouts.record_payout(s, self.member(s, "cai"), request_id, method=method,
                                                 reference=PLANTED["reference"], now=self._at(at)))

    def supported(self, amount: int = 5_000, category: str = "rent", *, at: datetime | None = None) -> int:
        """One person asks, is approved and paid; returns the request id."""
        request_id = self.ask(amount, category, at=at - timedelta(days=2) if at else None)
        self.approve(request_id, at=at)
        self.pay(request_id, at=at)
        return request_id


@pytest.fixture
def fund(run, config, books, make_committee, make_member) -> Fund:
    committee_id, pool_id = make_committee("Warsaw peer committee", "warsaw-rent")
    names = dict(zip(("ana", "bea", "cai", "dora"), PLANTED["member names"], strict=True))
    roles = {"ana": "member", "bea": "member", "cai": "treasurer", "dora": "coordinator"}
    people = {key: make_member(committee_id, roles[key], name=names[key]) for key in names}
    keys = {person.id: PrivateKey.generate() for person in people.values()}

    def work(session):
        pool = session.get(Pool, pool_id)
        pool.quorum, pool.request_cap = 2, 100_000
        for member_id, key in keys.items():
            session.get(Member, member_id).public_key = bytes(key.public_key)

    run(work)
    return Fund(run, books, config.effective_codename_pepper, committee_id, pool_id,
                {key: person.id for key, person in people.items()}, keys, people=people)
