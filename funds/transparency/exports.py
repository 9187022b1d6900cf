"""Public exports: the books up to the horizon, the same bytes as ``flask ledger export --published``.

The export is written from one snapshot (so its header, entries and closing balances describe
one moment) into a spooled temporary file, in memory while small and on disk when large, then
streamed: memory stays flat however large the books, and the database transaction is closed
before the first byte leaves, so a slow download holds no snapshot open.
"""

from __future__ import annotations

import tempfile
from datetime import date

from flask import Flask, Response
from sqlalchemy.orm import Session

from funds.db import snapshot_session
from funds.horizon import horizon, today
from ledger import export

CHUNK = 64 * 1024
SPOOL_IN_MEMORY = 8 * 1024 * 1024
MIMETYPES = {
    "jsonl": "application/jsonl; charset=utf-8",
    "csv": "text/csv; charset=utf-8",
    "beancount": "text/plain; charset=utf-8",
}


def write_published(session: Session, fmt: str, out, *, origin: str, on: date) -> int:
    """Write the public books as of day ``on`` in ``fmt``; returns the number of entries."""
    return export.write(session, fmt, out, origin=origin, size=horizon(session, on).size)


def response(app: Flask, fmt: str) -> Response:
    """A download of the public books in ``fmt`` (one of ledger.export.FORMATS)."""
    origin = app.extensions["ayni.config"].ledger_origin
    spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY)  # noqa: SIM115 (closed with the response)
    try:
        with snapshot_session(app.extensions["ayni.sessionmaker"]) as session:
            size = write_published(session, fmt, spool, origin=origin, on=today(app))
        spool.seek(0)
    except BaseException:
        spool.close()
        raise
    body = Response(_chunks(spool), content_type=MIMETYPES[fmt])
    body.headers["Content-Disposition"] = f'attachment; filename="ayni-ledger-{size}.{fmt}"'
    return body


def _chunks(spool):
    """The spooled export, a chunk at a time; the file goes when the download ends or is dropped."""
    try:
        while chunk := spool.read(CHUNK):
            yield chunk
    finally:
        spool.close()
