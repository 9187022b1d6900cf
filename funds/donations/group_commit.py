"""Stripe's webhooks that arrive together are booked in one transaction: a group commit.

Everywhere else in Ayni a request is one transaction (funds.db). The webhook departs from that
rule, here only, because of what booking costs. Every booking appends to the one ledger, so they
run one at a time under the books' lock, and alone each paid a ``BEGIN IMMEDIATE``, a handoff of
the lock to the next thread, and a commit whose fsync (SQLite WAL, synchronous=FULL) keeps the
lock 0.4 ms on a quiet disk and about 3 ms on a busy one, after about a millisecond of statements.
So the request thread whose turn it is books every delivery waiting in this process and commits
once: the work under the lock fell from 0.9 ms of CPU a webhook alone to 0.6 ms in a batch of two
and 0.5 ms in a batch of four, and the fsync is shared.

What a delivery is promised does not change:

- 2xx only after commit. A request gets its outcome only once the commit holding its booking has
  returned; a booking that was not committed answers with an error, and Stripe sends it again.
- One event, one booking. The batch takes the books' lock before its first read (``BEGIN
  IMMEDIATE`` on SQLite, the tree head ``FOR UPDATE`` on PostgreSQL), and each event is checked
  against the events and movements already recorded, in the database and earlier in the batch,
  with their unique constraints behind them, as :func:`funds.donations.events.record` does alone.
- One bad event spoils nothing else. If any booking in a batch fails, the batch is rolled back
  and each of its events is booked again in a transaction of its own. Failures are rare, so the
  common case pays for no SAVEPOINT per event: on SQLite one cost a webhook 0.3 ms of CPU
  (SQLAlchemy compiles each, and SQLite copies the pages it changes to a temporary file).
- Any order. Each event's money was read from Stripe as it stands now (events.gather), so events
  book the same in a batch, in any order, as they would one by one.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from flask import Flask
from sqlalchemy.orm import sessionmaker

from ledger import store

from . import events


class NotCommitted(RuntimeError):
    """The transaction that held this event's booking failed; nothing of it was kept."""


@dataclass(slots=True)
class _Delivery:
    event: dict
    facts: events.Facts
    done: bool = False
    outcome: str = ""
    error: BaseException | None = None


class GroupCommit:
    """This process's webhook deliveries, booked in batches by whichever thread's turn it is."""

    def __init__(self, factory: sessionmaker):
        self._factory = factory
        self._waiting: list[_Delivery] = []
        self._booking = False
        #: guards both; notified when a batch ends, so its deliveries answer at once instead of
        #: queueing for a turn behind the next batch, and a delivery it did not take gets booked
        self._batch_ended = threading.Condition()

    def record(self, event: dict, facts: events.Facts) -> str:
        """Book ``facts`` and remember ``event``, committed before this returns; what happened, in a few words."""
        delivery = _Delivery(event, facts)
        with self._batch_ended:
            self._waiting.append(delivery)
            while not delivery.done:
                if self._booking:
                    self._batch_ended.wait()
                    continue
                batch, self._waiting, self._booking = self._waiting, [], True
                self._batch_ended.release()
                try:
                    self._book(batch)
                finally:
                    self._batch_ended.acquire()
                    self._booking = False
                    self._batch_ended.notify_all()
        if delivery.error is not None:
            raise delivery.error
        return delivery.outcome

    def _book(self, batch: list[_Delivery]) -> None:
        try:
            try:
                for delivery, outcome in zip(batch, self._transaction(batch), strict=True):
                    delivery.outcome = outcome
            except Exception as error:
                if len(batch) == 1:
                    batch[0].error = error
                else:
                    # One of them failed, or the commit did: each is booked again alone, so that
                    # the others are kept and the one at fault answers with its own error.
                    for delivery in batch:
                        try:
                            (delivery.outcome,) = self._transaction([delivery])
                        except Exception as alone:  # its request answers with it
                            delivery.error = alone
        except BaseException as error:
            for delivery in batch:
                if not delivery.outcome and delivery.error is None:
                    delivery.error = NotCommitted(f"booking event {delivery.event['id']} was interrupted")
                    delivery.error.__cause__ = error
            raise
        finally:
            for delivery in batch:
                delivery.done = True

    def _transaction(self, batch: list[_Delivery]) -> list[str]:
        """Book ``batch`` in one transaction and commit; every booking or none."""
        with self._factory() as session:
            store.lock_head(session)
            outcomes = [events.record_locked(session, delivery.event, delivery.facts) for delivery in batch]
            session.commit()
        return outcomes


def group_commit(app: Flask) -> GroupCommit:
    """The app's group commit for webhooks, made on first use."""
    found = app.extensions.get("ayni.webhook_group_commit")
    if found is None:
        made = GroupCommit(app.extensions["ayni.sessionmaker"])
        found = app.extensions.setdefault("ayni.webhook_group_commit", made)
    return found
