"""Server-side records of signed-in browsers (no Flask here: the cookie side is in ``access``).

The cookie carries a random token; the table keeps its SHA-256. A new token is issued at every
step up (password, then code), so a token seen before signing in is worth nothing after it, and
signing out deletes the row, so an old cookie cannot be replayed.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlalchemy.orm import Session

from funds.clock import as_utc
from funds.config import Config

from .models import CommitteeSession

#: between the password and the code; long enough to open an authenticator app
PENDING_LIMIT = timedelta(minutes=10)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def start(session: Session, member_id: int, *, two_factor: bool, moment: datetime) -> str:
    """Record a new signed-in browser and return the token for its cookie."""
    token = secrets.token_urlsafe(32)
    session.add(
        CommitteeSession(
            token_hash=token_hash(token),
            member_id=member_id,
            started_at=moment,
            two_factor_at=moment if two_factor else None,
        )
    )
    session.flush()
    return token


def find(session: Session, config: Config, token: str, moment: datetime) -> CommitteeSession | None:
    """The live session for ``token``, or None if it never was, was ended or is too old."""
    row = session.get(CommitteeSession, token_hash(token))
    if row is None:
        return None
    limit = timedelta(hours=config.session_absolute_hours) if row.two_factor_at else PENDING_LIMIT
    if moment - as_utc(row.started_at) > limit:
        return None
    return row


def end(session: Session, token: str) -> None:
    session.execute(delete(CommitteeSession).where(CommitteeSession.token_hash == token_hash(token)))


def end_all(session: Session, member_id: int) -> None:
    """Sign a member out everywhere (access removed, second factor reset)."""
    session.execute(delete(CommitteeSession).where(CommitteeSession.member_id == member_id))


def end_stale(session: Session, config: Config, moment: datetime) -> int:
    """Delete sessions past the absolute limit (a job; stale rows are refused anyway)."""
    cutoff = moment - timedelta(hours=config.session_absolute_hours)
    result = session.execute(delete(CommitteeSession).where(CommitteeSession.started_at < cutoff))
    return result.rowcount or 0
