"""Reminders: what the committee should look at, on its dashboard and (if SMTP is set) by email.

Kinds: ``waiting`` (no decision after a while), ``unpaid`` (money set aside, not yet paid),
``votes-expiring`` (votes will lapse soon), ``votes-expired`` (they lapsed: back in the queue).
A reminder stays open until its reason goes away. Emails go to the committee's one shared
address and carry request numbers, pool names and what to do, never amounts or anything a
person wrote: mailboxes are read on phones and kept for years.
"""

from __future__ import annotations

import smtplib
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from funds.committees.models import Committee
from funds.config import Config
from funds.pools.models import Pool
from funds.requests import states
from funds.requests.models import Request

from .models import Grant, Reminder, ReminderAddress, Vote

KINDS = ("waiting", "unpaid", "votes-expiring", "votes-expired")
EMAIL_LINES = {
    "waiting": "request {id} ({pool}) is waiting for the committee's decision",
    "unpaid": "request {id} ({pool}) is approved and its money set aside, but not yet paid",
    "votes-expiring": "votes on request {id} ({pool}) lapse soon: it needs more members to decide",
    "votes-expired": "votes on request {id} ({pool}) lapsed before a decision: it is back in the queue",
}


@dataclass(frozen=True)
class Rules:
    waiting: timedelta
    unpaid: timedelta
    expiring: timedelta

    @classmethod
    def from_config(cls, config: Config) -> Rules:
        return cls(
            timedelta(hours=config.remind_waiting_hours),
            timedelta(hours=config.remind_unpaid_hours),
            timedelta(hours=config.remind_votes_expiring_hours),
        )


@dataclass(frozen=True)
class Digest:
    """One email: a committee's reminders not yet sent."""

    address: str
    committee: str
    lines: list[str]
    reminder_ids: list[int]


def remind(session: Session, request: Request, kind: str, moment: datetime) -> None:
    """Open a reminder of ``kind`` for ``request`` unless one is open already."""
    if _open_one(session, request.id, kind) is None:
        session.add(
            Reminder(committee_id=request.pool.committee_id, request_id=request.id, kind=kind, created_at=moment)
        )
        session.flush()


def clear(session: Session, request_id: int, kinds: tuple[str, ...], moment: datetime) -> None:
    session.execute(
        update(Reminder)
        .where(Reminder.request_id == request_id, Reminder.kind.in_(kinds), Reminder.cleared_at.is_(None))
        .values(cleared_at=moment)
    )


def refresh(session: Session, rules: Rules, moment: datetime) -> int:
    """Open the reminders whose reason holds now and clear those whose reason went away;
    returns how many were opened."""
    wanted = _reasons_now(session, rules, moment)
    opened = 0
    still_open = session.scalars(select(Reminder).where(Reminder.cleared_at.is_(None)))
    current = {(r.request_id, r.kind): r for r in still_open}
    for (request_id, kind), reminder in current.items():
        if kind == "votes-expired":
            still = session.get(Request, request_id).state == states.SUBMITTED
        else:
            still = (request_id, kind) in wanted
        if not still:
            reminder.cleared_at = moment
    for (request_id, kind), committee_id in wanted.items():
        if (request_id, kind) not in current:
            session.add(Reminder(committee_id=committee_id, request_id=request_id, kind=kind, created_at=moment))
            opened += 1
    session.flush()
    return opened


def open_reminders(session: Session, committee_id: int) -> list[Reminder]:
    return list(
        session.scalars(
            select(Reminder)
            .where(Reminder.committee_id == committee_id, Reminder.cleared_at.is_(None))
            .order_by(Reminder.created_at, Reminder.id)
        )
    )


def set_address(session: Session, committee_id: int, address: str) -> None:
    """Where reminder emails go (empty: nowhere). The form checks the address's shape."""
    found = session.get(ReminderAddress, committee_id)
    if not address:
        if found is not None:
            session.delete(found)
    elif found is None:
        session.add(ReminderAddress(committee_id=committee_id, address=address))
    else:
        found.address = address
    session.flush()


def due_emails(session: Session) -> list[Digest]:
    """Each committee with an address and reminders it has not been emailed about."""
    digests = []
    for address in session.scalars(select(ReminderAddress).order_by(ReminderAddress.committee_id)):
        due = [r for r in open_reminders(session, address.committee_id) if r.emailed_at is None]
        if due:
            committee = session.get(Committee, address.committee_id)
            lines = [EMAIL_LINES[r.kind].format(id=r.request_id, pool=r.request.pool.slug) for r in due]
            digests.append(Digest(address.address, committee.name, lines, [r.id for r in due]))
    return digests


def mark_emailed(session: Session, reminder_ids: list[int], moment: datetime) -> None:
    session.execute(update(Reminder).where(Reminder.id.in_(reminder_ids)).values(emailed_at=moment))


def send(config: Config, digest: Digest) -> None:
    """Send one digest through the configured SMTP server (STARTTLS and login when set)."""
    message = EmailMessage()
    message["From"] = config.smtp_from
    message["To"] = digest.address
    # a committee's name is typed by a coordinator: no line break may reach a header
    committee = " ".join(digest.committee.split())
    message["Subject"] = f"Ayni: {len(digest.lines)} reminder(s) for {committee}"
    body = [f"Hello {committee},", "", "Ayni reminds you:", ""]
    body += [f"- {line}" for line in digest.lines]
    body += ["", "Sign in to the committee queue to look at them."]
    message.set_content("\n".join(body))
    with smtplib.SMTP(config.smtp_host, config.smtp_port, timeout=30) as smtp:
        if config.smtp_starttls:
            smtp.starttls()
        if config.smtp_username:
            smtp.login(config.smtp_username, config.smtp_password)
        smtp.send_message(message)


def _reasons_now(session: Session, rules: Rules, moment: datetime) -> dict[tuple[int, str], int]:
    """(request id, kind) -> committee id, for every reminder whose reason holds at ``moment``."""
    by_committee = select(Request.id, Pool.committee_id).join(Pool, Pool.id == Request.pool_id)
    waiting = by_committee.where(Request.state == states.SUBMITTED, Request.created_at <= moment - rules.waiting)
    unpaid = by_committee.join(Grant, Grant.request_id == Request.id).where(
        Request.state == states.RESERVED, Grant.reserved_at <= moment - rules.unpaid
    )
    expiring = by_committee.join(Vote, Vote.request_id == Request.id).where(
        Request.state == states.SUBMITTED, Vote.expires_at > moment, Vote.expires_at <= moment + rules.expiring
    )
    wanted: dict[tuple[int, str], int] = {}
    for kind, query in (("waiting", waiting), ("unpaid", unpaid), ("votes-expiring", expiring)):
        for request_id, committee_id in session.execute(query):
            wanted[(request_id, kind)] = committee_id
    return wanted


def _open_one(session: Session, request_id: int, kind: str) -> Reminder | None:
    return session.scalar(
        select(Reminder).where(Reminder.request_id == request_id, Reminder.kind == kind, Reminder.cleared_at.is_(None))
    )
