"""The service's view of the books: its signing key and origin."""

from __future__ import annotations

import os
from pathlib import Path

from flask import Flask

from ledger.checkpoint import Signer, generate_signer

from .config import Config


def signer_for(config: Config) -> Signer:
    """The checkpoint signer: the configured key, or a development key kept in the instance folder."""
    if config.ledger_signing_key:
        return Signer(config.ledger_signing_key)
    path = Path(config.ledger_key_file)
    if path.exists():
        return Signer(path.read_text().strip())
    signer = generate_signer(config.ledger_origin)
    path.parent.mkdir(parents=True, exist_ok=True)
    # Written once, readable by the service user only.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as key_file:
        key_file.write(signer.skey + "\n")
    return signer


def app_signer(app: Flask) -> Signer:
    signer = app.extensions.get("ayni.signer")
    if signer is None:
        signer = app.extensions["ayni.signer"] = signer_for(app.extensions["ayni.config"])
    return signer
