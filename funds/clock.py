"""The service's clock: timezone-aware UTC moments, the one way every area reads "now"."""

from __future__ import annotations

from datetime import UTC, datetime


def now() -> datetime:
    return datetime.now(UTC)


def as_utc(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes for timezone-aware columns; they were stored in UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
