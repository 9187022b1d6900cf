"""Creating and changing pools."""

from __future__ import annotations

import re
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from funds.committees.models import Committee
from funds.money import CurrencyError, check_currency
from funds.refusals import Refusal

from . import accounts
from .models import Pool, PoolText, Round

SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{1,58}[a-z0-9]$")


class PoolError(Refusal):
    """A pool's settings are refused; ``message`` says which and why, in the reader's language."""

    status = 400


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
        raise PoolError(_l("The address name must be 3 to 60 lower-case letters, digits or dashes."))
    if session.scalar(select(Pool.id).where(Pool.slug == slug)) is not None:
        raise PoolError(_l("A pool called “%(slug)s” already exists.", slug=slug))
    try:
        check_currency(currency)
    except CurrencyError as refusal:
        raise PoolError(refusal.message) from None
    _check_settings(request_cap=request_cap, goal=goal, fast_track_limit=fast_track_limit, quorum=quorum,
                    names=names, frequency_cap=frequency_cap)
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
    if is_default:
        make_default(session, pool)
    accounts.open_currency_accounts(session, currency)
    accounts.open_pool_accounts(session, pool.id, currency)
    return pool


def update_pool(
    session: Session,
    pool: Pool,
    *,
    request_cap: int,
    names: dict[str, tuple[str, str]],
    goal: int,
    quorum: int,
    fast_track_limit: int,
    frequency_cap: tuple[int, int] | None,
    is_open: bool,
    is_default: bool,
) -> Pool:
    """Change a pool's rules and texts. Its address and currency stay: its accounts hold that currency."""
    _check_settings(request_cap=request_cap, goal=goal, fast_track_limit=fast_track_limit, quorum=quorum,
                    names=names, frequency_cap=frequency_cap)
    pool.request_cap, pool.goal, pool.quorum, pool.fast_track_limit = request_cap, goal, quorum, fast_track_limit
    pool.frequency_cap_count = frequency_cap[0] if frequency_cap else None
    pool.frequency_cap_days = frequency_cap[1] if frequency_cap else None
    pool.is_open = is_open
    by_lang = {t.lang: t for t in pool.texts}
    for lang, (name, description) in names.items():
        if lang in by_lang:
            by_lang[lang].name, by_lang[lang].description = name, description
        else:
            pool.texts.append(PoolText(lang=lang, name=name, description=description))
    for lang, text in by_lang.items():
        if lang not in names:
            pool.texts.remove(text)
    if is_default:
        make_default(session, pool)
    else:
        pool.is_default = False
    session.flush()
    return pool


def make_default(session: Session, pool: Pool) -> None:
    """Make ``pool`` the "where most needed" pool donors land on; there is one at most.

    Only the committee whose pool holds the place can hand it on: one committee does not quietly
    take donors away from another's pool.
    """
    for other in session.scalars(select(Pool).where(Pool.is_default.is_(True), Pool.id != pool.id)):
        if other.committee_id != pool.committee_id:
            raise PoolError(_l(
                "Another committee's pool is the “where most needed” pool; that committee can hand it on."
            ))
        other.is_default = False
    pool.is_default = True
    session.flush()


def add_round(session: Session, pool: Pool, *, name: str, budget: int, target_recipients: int,
              opens_on: date, closes_on: date | None) -> Round:
    """A round of cash support: ``budget`` shared by ``target_recipients`` people."""
    if not name.strip():
        raise PoolError(_l("A round needs a name."))
    if budget <= 0 or target_recipients <= 0:
        raise PoolError(_l("A round needs a budget above zero and at least one person to support."))
    if closes_on is not None and closes_on < opens_on:
        raise PoolError(_l("A round cannot close before it opens."))
    found = Round(pool=pool, name=name.strip(), budget=budget, target_recipients=target_recipients,
                  opens_on=opens_on, closes_on=closes_on)
    session.add(found)
    session.flush()
    return found


def _check_settings(*, request_cap: int, goal: int, fast_track_limit: int, quorum: int,
                    names: dict[str, tuple[str, str]], frequency_cap: tuple[int, int] | None) -> None:
    if request_cap <= 0 or goal < 0 or fast_track_limit < 0 or quorum < 1:
        raise PoolError(_l(
            "Amounts cannot be negative, the most one request may ask for must be above zero, "
            "and at least one approval is needed."
        ))
    if fast_track_limit > request_cap:
        raise PoolError(_l("The fast-track amount cannot be above the most one request may ask for."))
    if frequency_cap is not None and (frequency_cap[0] < 1 or frequency_cap[1] < 1):
        raise PoolError(_l("A limit per codename needs at least one grant in at least one day."))
    if not names or not all(name.strip() for name, _text in names.values()):
        raise PoolError(_l("A pool needs a name in at least one language."))

