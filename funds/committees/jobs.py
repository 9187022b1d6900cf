"""Deleting signed-in sessions past their absolute limit (they are refused anyway; this tidies)."""

from __future__ import annotations

from flask import Flask

from funds.clock import now
from funds.db import in_transaction
from funds.scheduler import job

from . import browser_sessions


@job("end-stale-committee-sessions", every=3600, help="delete committee sessions past their absolute limit")
def end_stale_sessions(app: Flask) -> int:
    config = app.extensions["ayni.config"]
    return in_transaction(
        app.extensions["ayni.sessionmaker"], lambda session: browser_sessions.end_stale(session, config, now())
    )
