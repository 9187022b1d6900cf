"""The transparency job: sign a checkpoint of the public books whenever they grew, and ask the
witnesses to co-sign it.

It runs every ``AYNI_CHECKPOINT_INTERVAL_MINUTES`` (default 60). The public books grow once a
day, when the UTC day closes, so most runs sign nothing; the interval bounds how long after
midnight the new day's checkpoint appears, and a missed run is made up by the next.
"""

from __future__ import annotations

import logging

from flask import Flask

from funds.books import app_signer
from funds.db import in_transaction
from funds.horizon import today
from funds.scheduler import job

from . import witnessing
from .checkpoints import sign_published

log = logging.getLogger(__name__)


@job("sign-checkpoints", every=lambda config: config.checkpoint_interval_minutes * 60,
     help="sign a checkpoint of the public ledger (entries of closed days) when it grew")
def sign_checkpoints(app: Flask) -> int | None:
    """Returns the size signed, or None when the public books had not grown."""
    config = app.extensions["ayni.config"]
    signer = app_signer(app)
    on = today(app)
    note = in_transaction(
        app.extensions["ayni.sessionmaker"], lambda session: sign_published(session, signer, config.ledger_origin, on)
    )
    # Witnesses are asked on every run, not only after a signature: one that was down is asked again.
    witnessing.collect(app.extensions["ayni.sessionmaker"], on)
    if note is None:
        return None
    size = int(note.split("\n")[1])
    log.info("signed a checkpoint of the public ledger at %s entries", size)
    return size
