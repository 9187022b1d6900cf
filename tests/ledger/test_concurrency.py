"""However many approvals race, a pool never pays out more than it holds.

Two OS processes, each with its own engine, each try 25 reservations of 1.00 EUR against a
protected pool holding 10.00 EUR, released together for every attempt (a barrier between the
processes, not the wall clock, makes them race each time): exactly 10 are granted,
the other 40 are refused with InsufficientFunds, and the pool is never seen below zero. Then
both deliver the same ten gifts (Stripe sends webhooks at least once): each is booked once.
On SQLite and on PostgreSQL.
"""

from __future__ import annotations

import multiprocessing
import threading
import time
import traceback

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from funds.db import READ_ONLY, is_retryable, make_engine
from ledger import audit, schema, store
from ledger.entry import Entry, Posting
from ledger.errors import InsufficientFunds

AVAILABLE = "pool:1:available"
PAID = "pool:1:paid"
STRIPE = "donations:stripe"
PRICE = 100  #: cents per reservation
AFFORDABLE = 10
WORKERS = 2
ATTEMPTS_EACH = 25
GIFTS = 10


def _with_retries(factory: sessionmaker, work) -> int:
    """Run ``work`` in its own committed transaction; return how many retries it took."""
    for retries in range(100):
        try:
            with factory() as session:
                work(session)
                session.commit()
            return retries
        except DBAPIError as error:
            if not is_retryable(error):
                raise
            time.sleep(0.001 * (retries + 1))
    raise AssertionError("the database asked for a retry 100 times")


def _available(factory: sessionmaker) -> int:
    with factory() as session:
        session.connection(execution_options={READ_ONLY: True})
        return store.balance(session, AVAILABLE).available


#: seconds a process waits for the other at a barrier: only a dead or stuck process takes this long
PATIENCE = 300


def race(url: str, worker: int, turn, reserved, gifts_start, results) -> None:
    """One committee member's process: reserve, each time together with the other, then redeliver
    the same gifts."""
    try:
        engine = make_engine(url)
        factory = sessionmaker(engine, expire_on_commit=False)
        _available(factory)  # connect before the start, so the race is the reservations
        report = {"worker": worker, "granted": 0, "refused": 0, "retries": 0, "lowest": None}
        hold = (Posting(AVAILABLE, "EUR", -PRICE), Posting(PAID, "EUR", PRICE))
        for n in range(ATTEMPTS_EACH):
            turn.wait(timeout=PATIENCE)  # both processes start their n-th attempt at once
            try:
                report["retries"] += _with_retries(
                    factory, lambda s, n=n: store.reserve(s, f"request:{worker}:{n}", hold)
                )
                report["granted"] += 1
            except InsufficientFunds as refusal:
                assert "nothing was booked" in str(refusal)
                report["refused"] += 1
            seen = _available(factory)
            report["lowest"] = seen if report["lowest"] is None else min(report["lowest"], seen)

        reserved.wait(timeout=PATIENCE)  # the test reads the pool between the races
        gifts_start.wait(timeout=PATIENCE)
        booked = []
        for n in range(GIFTS):
            gift = Entry(
                f"stripe:pi_{n}", "transfer", (Posting(STRIPE, "EUR", -PRICE), Posting(AVAILABLE, "EUR", PRICE))
            )
            seqs: list[int] = []
            report["retries"] += _with_retries(
                factory, lambda s, gift=gift, seqs=seqs: seqs.append(store.post(s, gift).seq)
            )
            booked.append(seqs[-1])
        report["gift_seqs"] = booked
        engine.dispose()
        results.put(report)
    except BaseException:
        results.put({"worker": worker, "error": traceback.format_exc()})
        for barrier in (turn, reserved, gifts_start):
            barrier.abort()  # so nobody waits for a process that died
        raise


@pytest.mark.slow
def test_racing_approvals_never_overdraw_a_pool_and_redelivered_gifts_book_once(database_url):
    engine = make_engine(database_url)
    with Session(engine) as session:
        store.open_account(session, AVAILABLE, "EUR", floor_zero=True)
        store.open_account(session, STRIPE, "EUR", type="Income")
        store.open_account(session, PAID, "EUR", type="Liabilities")
        store.post(
            session,
            Entry(
                "gift:seed",
                "transfer",
                (Posting(STRIPE, "EUR", -PRICE * AFFORDABLE), Posting(AVAILABLE, "EUR", PRICE * AFFORDABLE)),
            ),
        )
        session.commit()

    context = multiprocessing.get_context("spawn")
    turn = context.Barrier(WORKERS)
    reserved, gifts_start = context.Barrier(WORKERS + 1), context.Barrier(WORKERS + 1)
    results = context.Queue()
    workers = [
        context.Process(target=race, args=(database_url, n, turn, reserved, gifts_start, results))
        for n in range(WORKERS)
    ]
    for process in workers:
        process.start()
    try:
        available_between_races = None
        try:
            reserved.wait(timeout=PATIENCE)
            with Session(engine) as session:
                available_between_races = store.balance(session, AVAILABLE)
            gifts_start.wait(timeout=PATIENCE)
        except threading.BrokenBarrierError:
            pass  # a worker died: its report says why
        reports = [results.get(timeout=PATIENCE) for _ in workers]
    finally:
        for process in workers:
            process.join(timeout=30)
            if process.is_alive():
                process.kill()
    errors = [r["error"] for r in reports if "error" in r]
    assert not errors, "\n".join(errors)
    assert [p.exitcode for p in workers] == [0] * WORKERS
    assert available_between_races == store.Balance(AVAILABLE, "EUR", PRICE * AFFORDABLE, PRICE * AFFORDABLE)
    assert available_between_races.available == 0

    assert sum(r["granted"] for r in reports) == AFFORDABLE
    assert sum(r["refused"] for r in reports) == WORKERS * ATTEMPTS_EACH - AFFORDABLE
    assert min(r["lowest"] for r in reports) >= 0
    # Both saw each redelivered gift booked at the same place.
    first, second = reports
    assert first["gift_seqs"] == second["gift_seqs"]

    with Session(engine) as session:
        assert store.balance(session, AVAILABLE) == store.Balance(
            AVAILABLE, "EUR", PRICE * (AFFORDABLE + GIFTS), PRICE * AFFORDABLE
        )
        assert store.balance(session, AVAILABLE).available == PRICE * GIFTS
        e = schema.entries.c
        kinds = dict(session.execute(select(e.kind, func.count()).group_by(e.kind)).all())
        assert kinds == {"open": 3, "transfer": 1 + GIFTS, "reserve": AFFORDABLE}
        report = audit.verify(session)
        assert report.size == 3 + 1 + GIFTS + AFFORDABLE
    engine.dispose()
