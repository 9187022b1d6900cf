"""Creating and changing pools."""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from . import accounts
from .models import Committee, Pool, PoolText

SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{1,58}[a-z0-9]$")


class PoolError(ValueError):
    """A pool's settings are refused; the message says which and why."""


def create_pool(
    session: Session,
    committee: Committee,
    *,
    slug: str,
    currency: str,
    request_cap: int,
    names: dict[str, tuple[str, str]],
    goal: int = 0,
    quorum: int = 2,
    fast_track_limit: int = 0,
    frequency_cap: tuple[int, int] | None = None,
    is_default: bool = False,
) -> Pool:
    """Create a pool and open its ledger accounts. ``names`` maps a language to (name, description)."""
    if not SLUG.match(slug):
        raise PoolError("the address name must be 3-60 lower-case letters, digits or dashes")
    if session.scalar(select(Pool.id).where(Pool.slug == slug)) is not None:
        raise PoolError(f"a pool called {slug!r} already exists")
    if not re.fullmatch(r"[A-Z]{3}", currency):
        raise PoolError("the currency must be a three-letter code such as EUR or PLN")
    if request_cap <= 0 or goal < 0 or fast_track_limit < 0 or quorum < 1:
        raise PoolError("amounts cannot be negative, the cap must be above zero and the quorum at least one")
    if not names:
        raise PoolError("a pool needs a name in at least one language")
    pool = Pool(
        slug=slug,
        committee=committee,
        currency=currency,
        goal=goal,
        request_cap=request_cap,
        quorum=quorum,
        fast_track_limit=fast_track_limit,
        frequency_cap_count=frequency_cap[0] if frequency_cap else None,
        frequency_cap_days=frequency_cap[1] if frequency_cap else None,
        is_default=is_default,
        texts=[PoolText(lang=lang, name=name, description=text) for lang, (name, text) in names.items()],
    )
    session.add(pool)
    session.flush()
    accounts.open_currency_accounts(session, currency)
    accounts.open_pool_accounts(session, pool.id, currency)
    return pool


def default_pool(session: Session) -> Pool | None:
    return session.scalar(select(Pool).where(Pool.is_default.is_(True), Pool.is_open.is_(True)))
