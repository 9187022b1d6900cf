"""Any sequence of asking, voting, gifts, payouts, cancels, withdrawals and time passing keeps
the decisions and the money true.

A Hypothesis state machine drives the domain functions with three members, a quorum of two,
a small fast-track amount and a pool holding little. A plain-Python model predicts every state
and every refusal. After each step the database must match the model, and the books alone must
show: quorum respected, no member counted twice between lapses, no money moved without a
decision, nothing below zero, and every ledger invariant intact (``audit.verify``).
"""

from __future__ import annotations

import json
import secrets
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from hypothesis import HealthCheck
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
)
from nacl.public import PrivateKey
from sqlalchemy import create_engine, event, func, select
from sqlalchemy.orm import Session

from funds.committees.models import Committee, Member
from funds.decisions import jobs, payouts, reservations, votes
from funds.decisions.models import Grant, Vote
from funds.decisions.refusals import (
    AlreadyVoted,
    FastTrackRefused,
    NotCancellable,
    NotDeciding,
    NotPayable,
    NotReviewable,
    ReasonNeeded,
)
from funds.pools import accounts
from funds.pools.domain import create_pool
from funds.pools.models import Pool
from funds.requests import domain as requests_domain
from funds.requests.models import Request
from funds.requests.states import TransitionRefusedError
from ledger import audit, schema, store
from ledger.entry import Entry, Posting
from tests.ledger.books_databases import DatabaseFactory, postgres_databases, run_on_backend, sqlite_databases

from .life_model import QUORUM, VALID, Model

CHOICES = ("approve", "decline", "recuse", "fast-track")


class RequestLife(RuleBasedStateMachine):
    new_database: DatabaseFactory

    def __init__(self) -> None:
        super().__init__()
        self.engine, self.throw_away = self.new_database()
        self.clock = datetime(2030, 3, 1, tzinfo=UTC)
        with Session(self.engine) as session:
            committee = Committee(name="Peers")
            members = [
                Member(
                    committee=committee, display_name=f"Member {n}", public_key=bytes(PrivateKey.generate().public_key)
                )
                for n in range(3)
            ]
            session.add_all(members)
            pool = create_pool(
                session,
                committee,
                slug="aid",
                currency="EUR",
                request_cap=1_000,
                names={"en": ("Aid", "")},
                quorum=QUORUM,
                fast_track_limit=300,
            )
            session.commit()
            self.member_ids, self.pool_id = [m.id for m in members], pool.id
        self.model = Model(self.member_ids)
        self.gifts = 0
        self.trail = Trail()

    def teardown(self) -> None:
        try:
            # The books replay from the first entry, checking every floor and reservation on the
            # way, so one check at the end of a run covers each step of it.
            with Session(self.engine) as session:
                audit.verify(session)
        finally:
            self.throw_away()

    def attempt(self, work, expected: type[Exception] | None) -> None:
        """Run ``work`` in one transaction; it must raise ``expected`` (then nothing is kept)."""
        with Session(self.engine, expire_on_commit=False) as session:
            try:
                work(session)
            except Exception as refusal:
                session.rollback()
                assert expected is not None and isinstance(refusal, expected), f"unexpected {refusal!r}"
                return
            session.commit()
        assert expected is None, f"{expected.__name__} was expected"

    def pick(self, data, *states: str) -> int:
        """A request, most often one in ``states`` (where the action can succeed), else any."""
        likely = sorted(aid for aid, model in self.model.aids.items() if model.state in states)
        if likely and data.draw(st.integers(0, 3), label="likely") > 0:
            return data.draw(st.sampled_from(likely), label="request")
        return data.draw(st.sampled_from(sorted(self.model.aids)), label="request")

    # ---- the request's life -----------------------------------------------------------------

    @initialize(
        amounts=st.lists(st.sampled_from([100, 300, 800]), min_size=2, max_size=6), seed=st.sampled_from([0, 200, 500])
    )
    def people_ask_and_the_pool_has_a_little(self, amounts, seed):
        for amount in amounts:
            self.submit(amount, "food")
        if seed:
            self.gift(seed, True)

    @rule(amount=st.sampled_from([100, 300, 800]), category=st.sampled_from(["food", "rent"]))
    def submit(self, amount, category):
        def ask(session):
            aid = Request(
                pool_id=self.pool_id,
                amount=amount,
                category=category,
                method="cash",
                lang="en",
                codename_id=secrets.token_bytes(32),
                inbox_key=bytes(PrivateKey.generate().public_key),
                created_at=self.clock,
                updated_at=self.clock,
            )
            session.add(aid)
            session.flush()
            self.model.submit(aid.id, amount, category, self.clock)

        self.attempt(ask, None)

    @precondition(lambda self: self.model.aids)
    @rule(
        data=st.data(),
        member=st.integers(0, 2),
        choice=st.sampled_from(CHOICES),
        reason=st.sampled_from(["", "we cannot this month"]),
    )
    def vote(self, data, member, choice, reason):
        self.cast(data.draw(st.sampled_from(sorted(self.model.aids)), label="request"), member, choice, reason)

    @precondition(lambda self: self.model.aids)
    @rule(data=st.data(), members=st.permutations([0, 1, 2]), choice=st.sampled_from(["approve", "approve", "decline"]))
    def two_members_agree(self, data, members, choice):
        # Two votes in a row on a waiting request: deciding is the interesting part, and random
        # single votes rarely meet on one request before it is withdrawn or expires.
        aid = self.pick(data, "submitted")
        for member in members[:2]:
            self.cast(aid, member, choice, "we cannot this month")

    def cast(self, aid: int, member: int, choice: str, reason: str) -> None:
        member_id = self.member_ids[member]
        refusal = self.model.vote(aid, member_id, choice, reason, self.clock)
        expected = {
            "not deciding": NotDeciding,
            "voted": AlreadyVoted,
            "fast track": FastTrackRefused,
            "reason": ReasonNeeded,
        }.get(refusal)
        self.attempt(
            lambda s: votes.cast(
                s, s.get(Member, member_id), aid, choice, reason=reason, valid_for=VALID, now=self.clock
            ),
            expected,
        )

    @precondition(lambda self: self.model.aids)
    @rule(data=st.data(), member=st.integers(0, 2))
    def review(self, data, member):
        aid = self.pick(data, "reserved", "waitlisted", "paid")
        member_id = self.member_ids[member]
        expected = None if self.model.review(aid, member_id) else NotReviewable
        self.attempt(lambda s: votes.review_fast_track(s, s.get(Member, member_id), aid, now=self.clock), expected)

    @rule(amount=st.sampled_from([100, 200]), fund_now=st.booleans())
    def gift(self, amount, fund_now):
        self.gifts += 1
        key = f"gift:{self.gifts}"

        def give(session):
            store.post(
                session,
                Entry(
                    key,
                    "transfer",
                    (
                        Posting("donations:offline:eur", "EUR", -amount),
                        Posting(accounts.available(self.pool_id), "EUR", amount),
                    ),
                ),
            )
            if fund_now:  # what the donors' code does after booking a gift
                reservations.fund_waitlist(session, session.get(Pool, self.pool_id), now=self.clock)

        self.attempt(give, None)
        self.model.gift(amount, fund_now)

    @rule()
    def waitlist_job(self):
        self.attempt(lambda s: reservations.fund_waitlist(s, s.get(Pool, self.pool_id), now=self.clock), None)
        self.model.fund()

    @precondition(lambda self: self.model.aids)
    @rule(data=st.data(), reference=st.sampled_from(["", "cash, Tuesday"]))
    def pay(self, data, reference):
        aid = self.pick(data, "reserved")
        expected = None if self.model.pay(aid) else NotPayable
        payer = self.member_ids[0]
        self.attempt(
            lambda s: payouts.record_payout(
                s, s.get(Member, payer), aid, method="cash", reference=reference, now=self.clock
            ),
            expected,
        )

    @precondition(lambda self: self.model.aids)
    @rule(data=st.data())
    def cancel(self, data):
        aid = self.pick(data, "reserved", "waitlisted")
        expected = None if self.model.cancel(aid) else NotCancellable
        payer = self.member_ids[0]
        self.attempt(lambda s: payouts.cancel(s, s.get(Member, payer), aid, now=self.clock), expected)

    @precondition(lambda self: self.model.aids)
    @rule(data=st.data())
    def withdraw(self, data):
        aid = self.pick(data, "waitlisted")
        expected = None if self.model.withdraw(aid) else TransitionRefusedError
        self.attempt(lambda s: requests_domain.withdraw(s, s.get(Request, aid), now=self.clock), expected)

    @rule(hours=st.sampled_from([1, 30, 80]))
    def time_passes(self, hours):
        """The reminders job's work: votes lapse, and requests nobody decided for 10 days expire."""
        self.clock += timedelta(hours=hours)
        self.attempt(lambda s: jobs.lapse_votes(s, self.clock), None)
        self.model.lapse(self.clock)
        self.attempt(lambda s: jobs.expire_undecided(s, 10, self.clock), None)
        self.model.expire(self.clock - timedelta(days=10))

    # ---- invariants ---------------------------------------------------------------------------

    @invariant()
    def decisions_and_money_are_true(self):
        with Session(self.engine) as session:
            states = dict(session.execute(select(Request.id, Request.state)).all())
            assert states == {aid: model.state for aid, model in self.model.aids.items()}
            pool = store.balance(session, accounts.available(self.pool_id))
            assert (pool.balance, pool.held) == (self.model.balance, self.model.held)
            assert pool.available >= 0
            twice = session.execute(
                select(Vote.request_id, Vote.member_id)
                .group_by(Vote.request_id, Vote.member_id)
                .having(func.count() > 1)
            ).all()
            assert twice == []
            approvals = func.count(Vote.id).filter(Vote.choice == "approve")
            fast = func.count(Vote.id).filter(Vote.fast_track.is_(True))
            for decided_by, approved, fast_tracked in session.execute(
                select(Grant.decided_by, approvals, fast)
                .outerjoin(Vote, Vote.request_id == Grant.request_id)
                .group_by(Grant.request_id, Grant.decided_by)
            ):
                assert approved >= QUORUM if decided_by == "quorum" else fast_tracked == 1
            self.the_books_alone_show_every_decision(session)

    def the_books_alone_show_every_decision(self, session: Session) -> None:
        """Read the ledger's new entries as an outside auditor would, without our tables."""
        e = schema.entries.c
        trail = self.trail
        for seq, kind, text in session.execute(select(e.seq, e.kind, e.meta).where(e.seq > trail.seen).order_by(e.seq)):
            trail.seen = seq
            meta = json.loads(text)
            request, what = meta.get("request"), meta.get("what")
            if what == "votes lapsed":
                trail.voters[request] = []
            elif what in ("approval", "fast-track approval", "decline", "recusal"):
                assert meta["member"] not in {who for who, _ in trail.voters[request]}, "a member counted twice"
                trail.voters[request].append((meta["member"], what))
            elif what == "request approved":
                said_yes = sum(1 for _, said in trail.voters[request] if said.endswith("approval"))
                assert meta["approvals"] == said_yes
                assert said_yes >= QUORUM or meta["by"] == "fast-track", "approved without a quorum"
                trail.approved.add(request)
            elif kind == "reserve":
                assert request in trail.approved and request not in trail.reserved, "money moved without a decision"
                trail.reserved.add(request)
            elif kind == "settle":
                assert request in trail.reserved and request not in trail.settled, "paid without a reservation"
                trail.settled.add(request)
        request_of = dict(session.execute(select(Request.ledger_ref, Request.id)).all())
        paid = {aid for aid, m in self.model.aids.items() if m.state == "paid"}
        assert {request_of[ref] for ref in trail.settled} == paid


@dataclass
class Trail:
    """What the ledger has shown so far."""

    seen: int = -1
    #: request -> (member commitment, what they said) since the request's last lapse
    voters: dict[int, list[tuple[str, str]]] = field(default_factory=lambda: defaultdict(list))
    approved: set[int] = field(default_factory=set)
    reserved: set[int] = field(default_factory=set)
    settled: set[int] = field(default_factory=set)


def run_life(new_database: DatabaseFactory, examples: int, steps: int) -> None:
    run_on_backend(RequestLife, new_database, examples, steps, also_suppress=(HealthCheck.filter_too_much,))


def without_fsync(new_database: DatabaseFactory) -> DatabaseFactory:
    """Throwaway databases need not survive a power cut; skipping the fsync halves the run."""

    def new():
        engine, throw_away = new_database()
        event.listen(engine, "connect", lambda connection, _record: connection.execute("PRAGMA synchronous=OFF"))
        return engine, throw_away

    return new


def test_any_request_life_keeps_quorum_votes_and_money_true_on_sqlite(sqlite_template, tmp_path):
    run_life(without_fsync(sqlite_databases(sqlite_template, tmp_path)), examples=25, steps=50)


def test_any_request_life_keeps_quorum_votes_and_money_true_on_postgresql(postgres_cluster):
    admin = create_engine(postgres_cluster.url(), isolation_level="AUTOCOMMIT")
    try:
        run_life(postgres_databases(admin, postgres_cluster.url), examples=6, steps=25)
    finally:
        admin.dispose()
