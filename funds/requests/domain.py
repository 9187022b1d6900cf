"""Asking for support, finding a request by codename, withdrawing, and messages to the person.

Functions take a SQLAlchemy session and flush; the web request commits once. Refusals are
named exceptions the views turn into words in the person's language. No exception message
here ever carries what the person wrote or their codename.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from funds.committees.models import Member
from ledger import store

from ..committees.models import MemberAccount
from ..pools.models import Pool
from ..vocabulary import CATEGORIES, LANGUAGES, PAYOUT_METHODS
from . import codename as codenames
from . import sealing, states
from .models import Message, Request, SealedDetails

#: longest contact handle, note and payout details, in characters (a screenful on a phone)
CONTACT_MAX = 300
NOTE_MAX = 2000
PAYOUT_MAX = 300
MESSAGE_MAX = 2000


class PoolUnavailable(states.RequestError):
    """The pool does not exist or is not taking requests."""


class AmountRefused(states.RequestError):
    """The amount is zero, negative or above the pool's cap."""


class NoCommitteeKeys(states.RequestError):
    """No member of the pool's committee has a key yet, so nothing could be stored safely."""


class UnknownCodename(states.RequestError):
    """No request answers to this codename (or it was mistyped)."""


class FrequencyCapReached(states.RequestError):
    """This codename has been supported as often as the pool allows for now."""

    def __init__(self, until: date) -> None:
        super().__init__("the pool's frequency cap is reached for this codename")
        self.until = until


@dataclass(frozen=True)
class Asked:
    """A stored request and its codename (the only moment the server holds the codename)."""

    request: Request
    codename: str
    is_new_codename: bool


def open_pools(session: Session) -> list[Pool]:
    return list(session.scalars(select(Pool).where(Pool.is_open.is_(True)).order_by(Pool.is_default.desc(), Pool.id)))


def committee_keys(session: Session, committee_id: int) -> list[tuple[int, bytes]]:
    """(member id, public key) of every member who can read requests: has a key, not removed."""
    rows = session.execute(
        select(Member.id, Member.public_key)
        .outerjoin(MemberAccount, MemberAccount.member_id == Member.id)
        .where(Member.committee_id == committee_id, Member.public_key.is_not(None), MemberAccount.disabled_at.is_(None))
        .order_by(Member.id)
    )
    return [(member_id, bytes(key)) for member_id, key in rows]


def ask(
    session: Session,
    *,
    pool: Pool | None,
    amount: int,
    category: str,
    method: str,
    contact: str,
    note: str,
    payout: str,
    lang: str,
    pepper: bytes,
    existing_codename: str = "",
    now: datetime | None = None,
) -> Asked:
    """Store a request with its details sealed to the committee; returns it with its codename."""
    now = now or datetime.now(UTC)
    if pool is None or not pool.is_open:
        raise PoolUnavailable("the pool is unknown or closed")
    if amount <= 0 or amount > pool.request_cap:
        raise AmountRefused("the amount is outside what the pool allows")
    if category not in CATEGORIES or method not in PAYOUT_METHODS or lang not in LANGUAGES:
        raise ValueError("category, method and language come from fixed lists")
    keys = committee_keys(session, pool.committee_id)
    if not keys:
        raise NoCommitteeKeys("the pool's committee has no keys yet")
    if existing_codename:
        codename, derived = existing_codename, codenames.derive(existing_codename, pepper)
        if not session.scalar(select(func.count()).where(Request.codename_id == derived.lookup_id)):
            raise UnknownCodename("no request answers to this codename")
        check_frequency_cap(session, pool, derived.lookup_id, now)
    else:
        codename, derived = _fresh_codename(session, lang, pepper)
    request = Request(
        pool=pool, amount=amount, category=category, method=method, lang=lang, codename_id=derived.lookup_id,
        inbox_key=derived.inbox_public_key, created_at=now, updated_at=now,
    )
    copies = sealing.seal_details(contact, note, payout, [key for _, key in keys])
    request.sealed_details = [
        SealedDetails(member_id=member_id, public_key=key, sealed=sealed)
        for (member_id, key), sealed in zip(keys, copies, strict=True)
    ]
    session.add(request)
    session.flush()
    _record(session, request, "submitted", amount=amount, category=category)
    return Asked(request=request, codename=codename, is_new_codename=not existing_codename)


def _fresh_codename(session: Session, lang: str, pepper: bytes) -> tuple[str, codenames.Derived]:
    # 44 bits make a clash unlikely for years, but two people must never share a status page
    for _ in range(5):
        codename = codenames.generate(lang)
        derived = codenames.derive(codename, pepper)
        if not session.scalar(select(func.count()).where(Request.codename_id == derived.lookup_id)):
            return codename, derived
    raise RuntimeError("could not draw an unused codename")


def check_frequency_cap(session: Session, pool: Pool, lookup_id: bytes, now: datetime) -> None:
    """Refuse when this codename was granted support as often as the pool allows in its window.

    Counts approved, reserved, waitlisted and paid requests; the committee area calls it again
    before approving. A person who asks with a new codename is not policed: that is the design.
    """
    if not pool.frequency_cap_count or not pool.frequency_cap_days:
        return
    since = now - timedelta(days=pool.frequency_cap_days)
    counted = sorted(
        session.scalars(
            select(Request.created_at).where(
                Request.pool_id == pool.id,
                Request.codename_id == lookup_id,
                Request.state.in_(states.GRANTED),
                Request.created_at >= since,
            )
        )
    )
    if len(counted) >= pool.frequency_cap_count:
        oldest_that_counts = counted[len(counted) - pool.frequency_cap_count]
        if oldest_that_counts.tzinfo is None:  # SQLite hands back naive UTC
            oldest_that_counts = oldest_that_counts.replace(tzinfo=UTC)
        raise FrequencyCapReached((oldest_that_counts + timedelta(days=pool.frequency_cap_days + 1)).date())


def find(session: Session, codename: str, pepper: bytes) -> tuple[codenames.Derived, list[Request]]:
    """The requests a codename opens, newest first; :class:`UnknownCodename` if none."""
    if not codenames.looks_like_a_codename(codename):
        raise UnknownCodename("no request answers to this codename")
    derived = codenames.derive(codename, pepper)
    found = list(
        session.scalars(
            select(Request)
            .where(Request.codename_id == derived.lookup_id)
            .order_by(Request.created_at.desc(), Request.id.desc())
        )
    )
    if not found:
        raise UnknownCodename("no request answers to this codename")
    return derived, found


def withdraw(session: Session, request: Request, *, now: datetime | None = None) -> None:
    """The person takes their request back (from submitted, approved or waitlisted)."""
    # Under the books' lock and re-read: a gift may be funding this very request from the
    # waitlist, and a withdrawal written over that would strand the money it reserved.
    store.lock_head(session)
    session.refresh(request, with_for_update=True)
    states.move(request, "withdraw", now=now)
    session.flush()
    _record(session, request, "withdrawn")


def tell(session: Session, request: Request, text: str, *, kind: str = "message") -> Message:
    """A message (or, with kind="voucher", a voucher code) that only the codename can read."""
    if kind not in ("message", "voucher") or not text.strip() or len(text) > MESSAGE_MAX:
        raise ValueError("a message is 1-2000 characters of kind message or voucher")
    message = Message(kind=kind, sealed=sealing.seal(bytes(request.inbox_key), text.encode("utf-8")))
    request.messages.append(message)
    session.flush()
    return message


def read_messages(request: Request, derived: codenames.Derived) -> list[tuple[Message, str]]:
    """The request's messages, opened with the inbox key the typed codename derived."""
    return [(message, sealing.unseal(derived.inbox, message.sealed).decode("utf-8")) for message in request.messages]


def _record(session: Session, request: Request, what: str, **details: int | str) -> None:
    # The books keep a hashed trail of every request's life, with no identity: the committee
    # cannot quietly drop a request it never answered.
    store.record(
        session,
        f"request:{request.ledger_ref}:{what}",
        {"what": f"request {what}", "request": request.ledger_ref, "pool": request.pool.slug, **details},
    )
