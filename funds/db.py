"""The SQLAlchemy engine and the session of one request.

Each request gets one session and one transaction: the view calls domain functions that flush,
and the request commits once at the end, or rolls back. (One exception: Stripe's webhooks are
committed in groups; funds/donations/group_commit.py says why.) On SQLite, a transaction that
may write begins with ``BEGIN IMMEDIATE`` so two writers queue instead of failing half-way; GET
requests read in a deferred transaction and never block writers (WAL).
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from flask import Flask, g, request
from sqlalchemy import Connection, Engine, create_engine, event, make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

T = TypeVar("T")
READ_ONLY = "ayni_read_only"
#: PostgreSQL's serialization_failure and deadlock_detected
RETRYABLE_SQLSTATES = {"40001", "40P01"}
#: how long a SQLite writer waits for the write lock before "database is locked" (seconds)
BUSY_TIMEOUT = 30


def make_engine(url: str) -> Engine:
    """An engine tuned for the books: WAL, full sync and IMMEDIATE writes on SQLite."""
    if url.startswith("sqlite"):
        database = make_url(url).database
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": BUSY_TIMEOUT})
        _prepare_sqlite(engine)
    else:
        engine = create_engine(url, pool_pre_ping=True)
    return engine


def _prepare_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        # Take transaction control from the driver so we can say BEGIN IMMEDIATE ourselves.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        # A committed gift survives a power cut: money is worth the fsync.
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT * 1000}")
        cursor.close()

    writers = WriterQueue()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        if connection.get_execution_options().get(READ_ONLY, False):
            connection.exec_driver_sql("BEGIN")
        else:
            writers.begin(connection)

    # The queue orders who asks next; SQLite's lock, held until COMMIT or ROLLBACK returns, is
    # what keeps writers apart. So the turn passes as the transaction ends, whichever way it ends.
    @event.listens_for(engine, "commit")
    @event.listens_for(engine, "rollback")
    def _on_end(connection):
        writers.end(connection.info)

    @event.listens_for(engine, "checkin")
    @event.listens_for(engine, "invalidate")
    def _on_release(_dbapi_connection, record, *_error):
        writers.end(record.info)


class WriterQueue:
    """The writers of one SQLite database in this process, taking turns.

    SQLite lets one transaction write at a time. Left to itself, a second ``BEGIN IMMEDIATE``
    waits in SQLite's busy handler, which sleeps 1, 2, 5, 10, 15, 20, 25... ms between tries: under
    load the lock is free most of the time while every writer sleeps. Here a process's writers
    queue on a lock that wakes the next one at once, and the writer at the head asks SQLite for
    the lock every 50-500 µs (writers in other processes hold it meanwhile), for the same
    BUSY_TIMEOUT SQLite would wait. Nothing depends on the queue for correctness.
    """

    TURN = "ayni_writer_turn"

    def __init__(self) -> None:
        self._pid = os.getpid()
        self._turn = threading.Lock()
        self._holder: int | None = None

    def begin(self, connection: Connection) -> None:
        """``BEGIN IMMEDIATE`` on ``connection``, after this process's earlier writers."""
        if self._pid != os.getpid():  # forked: the parent's queue is not ours
            self.__init__()
        me = threading.get_ident()
        # A thread that already writes elsewhere and opens a second write transaction is left to
        # SQLite (it waits BUSY_TIMEOUT and fails, as before): queueing it would wait for itself.
        if self._holder != me and self._turn.acquire(timeout=BUSY_TIMEOUT):
            self._holder = me
            connection.info[self.TURN] = True
        try:
            _begin_immediate(connection)
        except BaseException:
            self.end(connection.info)
            raise

    def end(self, info: dict) -> None:
        """Pass the turn on, if the connection whose ``info`` this is holds it."""
        if info.pop(self.TURN, False):
            self._holder = None
            self._turn.release()


def _begin_immediate(connection: Connection) -> None:
    """Take SQLite's write lock, trying often rather than sleeping in growing steps."""
    raw = connection.connection.dbapi_connection
    deadline = time.monotonic() + BUSY_TIMEOUT
    pause = 0.00005
    raw.execute("PRAGMA busy_timeout=0")
    try:
        while time.monotonic() < deadline:
            try:
                raw.execute("BEGIN IMMEDIATE")
                return
            except connection.dialect.loaded_dbapi.OperationalError as error:
                if "locked" not in str(error) and "busy" not in str(error):
                    break
            time.sleep(pause)
            pause = min(pause * 2, 0.0005)
        # Out of time (or another error): fail as SQLite fails, through SQLAlchemy's error handling.
        connection.exec_driver_sql("BEGIN IMMEDIATE")
    finally:
        raw.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT * 1000}")


def init_app(app: Flask, engine: Engine) -> None:
    """Give each request one session; commit once after the view, roll back on any error."""
    factory = sessionmaker(bind=engine, expire_on_commit=False)
    app.extensions["ayni.engine"] = engine
    app.extensions["ayni.sessionmaker"] = factory

    @app.after_request
    def _commit(response):
        session = g.pop("db_session", None)
        if session is not None:
            try:
                if response.status_code < 400:
                    session.commit()
                else:
                    session.rollback()
            finally:
                session.close()
        return response

    @app.teardown_request
    def _close(_exc):
        session = g.pop("db_session", None)
        if session is not None:
            session.rollback()
            session.close()


def get_session() -> Session:
    """The current request's session, opened on first use."""
    from flask import current_app

    session = g.get("db_session")
    if session is None:
        session = current_app.extensions["ayni.sessionmaker"]()
        if request.method in ("GET", "HEAD", "OPTIONS"):
            session.connection(execution_options={READ_ONLY: True})
        g.db_session = session
    return session


def in_transaction(factory: sessionmaker, work: Callable[[Session], T], *, attempts: int = 5) -> T:
    """Run ``work`` in its own transaction and commit, retrying when the database asks us to.

    For jobs and CLI commands; requests use :func:`get_session`.
    """
    for attempt in range(1, attempts + 1):
        with factory() as session:
            try:
                result = work(session)
                session.commit()
                return result
            except DBAPIError as error:
                session.rollback()
                if attempt == attempts or not is_retryable(error):
                    raise
    raise AssertionError("unreachable")


def is_retryable(error: DBAPIError) -> bool:
    sqlstate = getattr(error.orig, "sqlstate", None)
    if sqlstate in RETRYABLE_SQLSTATES:
        return True
    return "database is locked" in str(error.orig)


def snapshot_session(factory: sessionmaker) -> Session:
    """A session whose reads all see one moment, for exports: it never blocks writers."""
    session = factory()
    if session.get_bind().dialect.name == "postgresql":
        session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
    else:
        session.connection(execution_options={READ_ONLY: True})
    return session
