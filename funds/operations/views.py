"""``GET /healthz``: is this worker fit to serve? For load balancers, supervisors and monitors.

Public and cheap: one short read-only transaction, no session, no cookie, nothing about anyone.
It answers 200 when the database answers, its schema is at the migrations' head and the books have
a tree head; 503 otherwise (a worker whose code expects another schema must not take traffic).
"""

from __future__ import annotations

import logging

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import Blueprint, Flask, current_app, jsonify
from sqlalchemy import Engine, select
from sqlalchemy.exc import SQLAlchemyError

from funds.db import READ_ONLY
from funds.migrate import alembic_config
from funds.web.access import public_blueprint
from ledger import schema

log = logging.getLogger(__name__)

blueprint = public_blueprint(Blueprint("operations", __name__))
_HEAD_SIZE = select(schema.tree_head.c.size).where(schema.tree_head.c.id == 1)


def expected_heads(app: Flask) -> frozenset[str]:
    """The revisions this code's migrations end in (read from disk once per process)."""
    heads = app.extensions.get("ayni.migration_heads")
    if heads is None:
        engine = app.extensions["ayni.engine"]
        heads = app.extensions["ayni.migration_heads"] = frozenset(
            ScriptDirectory.from_config(alembic_config(engine)).get_heads()
        )
    return heads


def check(engine: Engine, heads: frozenset[str]) -> tuple[bool, dict]:
    """(healthy, what to say): the database, the schema's revision and the books' size."""
    report: dict = {"database": "unreachable", "migrations": "unknown", "ledger_size": None}
    try:
        with engine.connect() as connection:
            # read-only: on SQLite a deferred BEGIN, so a health check never queues behind writers
            connection = connection.execution_options(**{READ_ONLY: True})
            current = frozenset(MigrationContext.configure(connection).get_current_heads())
            report["database"] = "ok"
            if current == heads:
                report["migrations"] = "at head"
                report["ledger_size"] = connection.execute(_HEAD_SIZE).scalar()
            elif not current:
                report["migrations"] = "none applied: run flask db upgrade"
            elif current - heads:
                report["migrations"] = "the database is newer than this code"
            else:
                report["migrations"] = "behind: run flask db upgrade"
    except SQLAlchemyError as error:
        # The error's class only: its text may carry the database URL.
        log.warning("health check: the database did not answer (%s)", error.__class__.__name__)
        report["database"] = "unreachable"
    healthy = report["database"] == "ok" and report["migrations"] == "at head" and report["ledger_size"] is not None
    return healthy, report


@blueprint.get("/healthz")
def healthz():
    healthy, report = check(current_app.extensions["ayni.engine"], expected_heads(current_app))
    response = jsonify(status="ok" if healthy else "unavailable", **report)
    response.status_code = 200 if healthy else 503
    response.headers["Cache-Control"] = "no-store"
    return response
