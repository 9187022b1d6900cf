"""The SQLAlchemy engine and the session of one request.

Each request gets one session and one transaction: the view calls domain functions that flush,
and the request commits once at the end, or rolls back. On SQLite, a transaction that may write
begins with ``BEGIN IMMEDIATE`` so two writers queue instead of failing half-way; GET requests
read in a deferred transaction and never block writers (WAL).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from flask import Flask, g, request
from sqlalchemy import Engine, create_engine, event, make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

T = TypeVar("T")
READ_ONLY = "ayni_read_only"
#: PostgreSQL's serialization_failure and deadlock_detected
RETRYABLE_SQLSTATES = {"40001", "40P01"}


def make_engine(url: str) -> Engine:
    """An engine tuned for the books: WAL, full sync and IMMEDIATE writes on SQLite."""
    if url.startswith("sqlite"):
        database = make_url(url).database
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30})
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
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        read_only = connection.get_execution_options().get(READ_ONLY, False)
        connection.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")


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
