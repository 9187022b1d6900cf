"""Two members approve the same 50 requests at the same moment, from two processes, against a
pool with money for 10: exactly 10 are reserved, 40 wait, and the pool is never seen below zero.
A barrier between the processes, not the wall clock, releases both members' n-th votes together.
Then gifts arrive in both processes at once and fund the waitlist strictly in approval order.
On SQLite and on PostgreSQL.
"""

from __future__ import annotations

import multiprocessing
import random
import secrets
import threading
import time
import traceback
from datetime import timedelta

import pytest
from nacl.public import PrivateKey
from sqlalchemy import func, select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from funds.committees.models import Committee, Member
from funds.db import READ_ONLY, is_retryable, make_engine
from funds.decisions import reservations, votes
from funds.decisions.models import Grant, Vote
from funds.pools import accounts
from funds.pools.domain import create_pool
from funds.pools.models import Pool
from funds.requests.models import Request
from ledger import audit, store
from ledger.entry import Entry, Posting

PRICE = 100  #: each request asks 1.00 EUR
AFFORDABLE = 10
REQUESTS = 50
GIFTS_EACH = 5


def _with_retries(factory: sessionmaker, work):
    for attempt in range(100):
        try:
            with factory() as session:
                result = work(session)
                session.commit()
            return result
        except DBAPIError as error:
            if not is_retryable(error):
                raise
            time.sleep(0.001 * (attempt + 1))
    raise AssertionError("the database asked for a retry 100 times")


def _available(factory: sessionmaker, pool_id: int) -> int:
    with factory() as session:
        session.connection(execution_options={READ_ONLY: True})
        return accounts.pool_available(session, pool_id).available


#: seconds a process waits for the other at a barrier: only a dead or stuck process takes this long
PATIENCE = 300


def member_process(url, worker, member_id, pool_id, request_ids, turn, approved, gifts_start, results) -> None:
    """One member's browser, pressing "approve" on every request, then a treasurer booking gifts."""
    try:
        engine = make_engine(url)
        factory = sessionmaker(engine, expire_on_commit=False)
        _available(factory, pool_id)  # connect first, so the race is the approvals
        report = {"worker": worker, "decided": [], "lowest": None}
        order = list(request_ids)
        random.Random(worker).shuffle(order)
        for request_id in order:
            turn.wait(timeout=PATIENCE)  # both members press "approve" at once, every time
            outcome = _with_retries(
                factory,
                lambda s, r=request_id: votes.cast(
                    s, s.get(Member, member_id), r, "approve", valid_for=timedelta(hours=72)
                ),
            )
            if outcome.decided:
                report["decided"].append(outcome.state)
            seen = _available(factory, pool_id)
            report["lowest"] = seen if report["lowest"] is None else min(report["lowest"], seen)

        approved.wait(timeout=PATIENCE)
        gifts_start.wait(timeout=PATIENCE)
        for n in range(GIFTS_EACH):

            def give(session, n=n):
                entry = Entry(
                    f"gift:{worker}:{n}",
                    "transfer",
                    (
                        Posting("donations:offline:eur", "EUR", -PRICE),
                        Posting(accounts.available(pool_id), "EUR", PRICE),
                    ),
                )
                store.post(session, entry)
                return reservations.fund_waitlist(session, session.get(Pool, pool_id))

            _with_retries(factory, give)
        engine.dispose()
        results.put(report)
    except BaseException:
        results.put({"worker": worker, "error": traceback.format_exc()})
        for barrier in (turn, approved, gifts_start):
            barrier.abort()
        raise


def _prepare(engine) -> tuple[int, list[int], list[int]]:
    with Session(engine) as session:
        committee = Committee(name="Racing peers")
        members = [Member(committee=committee, display_name=name) for name in ("Ana", "Bea")]
        session.add_all(members)
        pool = create_pool(
            session, committee, slug="race", currency="EUR", request_cap=1_000, names={"en": ("Race", "")}, quorum=2
        )
        store.post(
            session,
            Entry(
                "gift:seed",
                "transfer",
                (
                    Posting("donations:offline:eur", "EUR", -PRICE * AFFORDABLE),
                    Posting(accounts.available(pool.id), "EUR", PRICE * AFFORDABLE),
                ),
            ),
        )
        asks = [
            Request(
                pool=pool,
                amount=PRICE,
                category="food",
                method="cash",
                lang="en",
                codename_id=secrets.token_bytes(32),
                inbox_key=bytes(PrivateKey.generate().public_key),
            )
            for _ in range(REQUESTS)
        ]
        session.add_all(asks)
        session.commit()
        return pool.id, [m.id for m in members], [a.id for a in asks]


def _states(engine) -> dict[int, str]:
    with Session(engine) as session:
        return dict(session.execute(select(Request.id, Request.state)).all())


@pytest.mark.slow
def test_racing_approvals_reserve_exactly_what_the_pool_holds_and_gifts_fund_the_waitlist_in_order(database_url):
    engine = make_engine(database_url)
    pool_id, member_ids, request_ids = _prepare(engine)
    context = multiprocessing.get_context("spawn")
    turn = context.Barrier(2)
    approved, gifts_start = context.Barrier(3), context.Barrier(3)
    results = context.Queue()
    workers = [
        context.Process(
            target=member_process,
            args=(database_url, n, member_ids[n], pool_id, request_ids, turn, approved, gifts_start, results),
        )
        for n in range(2)
    ]
    for process in workers:
        process.start()
    waiting_in_order: list[int] = []
    try:
        try:
            approved.wait(timeout=PATIENCE)
            states = _states(engine)
            with Session(engine) as session:
                waiting_in_order = list(
                    session.scalars(
                        select(Grant.request_id)
                        .join(Request, Request.id == Grant.request_id)
                        .where(Request.state == "waitlisted")
                        .order_by(Grant.approved_at, Grant.request_id)
                    )
                )
                between = accounts.pool_available(session, pool_id)
            gifts_start.wait(timeout=PATIENCE)
        except threading.BrokenBarrierError:
            pass  # a worker died: its report says why
        reports = [results.get(timeout=PATIENCE) for _ in workers]
    finally:
        for process in workers:
            process.join(timeout=30)
            if process.is_alive():
                process.kill()
    assert not [r["error"] for r in reports if "error" in r], "\n".join(r.get("error", "") for r in reports)

    # Every request was decided exactly once, by whichever member came second.
    assert sorted(s for r in reports for s in r["decided"]) == ["reserved"] * AFFORDABLE + ["waitlisted"] * 40
    assert sorted(states.values()) == ["reserved"] * AFFORDABLE + ["waitlisted"] * 40
    assert (between.balance, between.held) == (PRICE * AFFORDABLE, PRICE * AFFORDABLE)
    assert min(r["lowest"] for r in reports) >= 0

    # Ten gifts from two processes at once funded the ten oldest approvals on the waitlist, no others.
    after = _states(engine)
    funded = {rid for rid in waiting_in_order if after[rid] == "reserved"}
    assert funded == set(waiting_in_order[: 2 * GIFTS_EACH])
    with Session(engine) as session:
        assert session.scalar(select(func.count()).select_from(Vote)) == 2 * REQUESTS
        assert session.scalar(select(func.count()).select_from(Grant)) == REQUESTS
        final = accounts.pool_available(session, pool_id)
        assert (final.balance, final.held) == (PRICE * 2 * AFFORDABLE, PRICE * 2 * AFFORDABLE)
        audit.verify(session)
    engine.dispose()
