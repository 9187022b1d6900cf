"""Who is on a committee and with what role; every change is hashed into the ledger.

The ledger notes name nobody: the committee's id, the role, and the member changed and the member
who changed it each by their commitment (funds/decisions/audit_trail.py), the same one their votes
carry. The public record proves that one person changed roles twice without saying who, or how
many members the committee has; a committee that publishes who decides lets anyone check names.
"""

from __future__ import annotations

import secrets
from datetime import datetime

import pyotp
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from funds.committees.commitments import commitment_of
from funds.committees.models import Committee, Member
from ledger import store

from . import browser_sessions
from .models import ROLES, MemberAccount


class MembershipError(ValueError):
    """The change would leave the committee unable to run itself; the message says why, in the
    language of the page that shows it."""


def record(session: Session, what: str, member: Member, *, by: int | None, **details: str | int) -> None:
    """A governance note: ``what`` happened to ``member``, done by member ``by`` (None, written 0:
    the command line)."""
    store.lock_head(session)  # first, as every ledger writer: the committee's salt is made once
    committee_id = member.committee_id
    meta: dict[str, str | int | bool] = {
        "what": what,
        "committee": committee_id,
        "member": commitment_of(session, committee_id, member.id),
        "by": commitment_of(session, committee_id, by) if by else 0,
        **details,
    }
    store.record(session, f"committee:{committee_id}:{what}:{secrets.token_hex(16)}", meta)


def active_coordinators(session: Session, committee_id: int) -> int:
    return session.scalar(
        select(func.count())
        .select_from(Member)
        .join(MemberAccount, MemberAccount.member_id == Member.id)
        .where(Member.committee_id == committee_id, Member.role == "coordinator", MemberAccount.disabled_at.is_(None))
    )


def change_role(session: Session, actor: Member, member: Member, role: str) -> None:
    """Give ``member`` a new role; the last coordinator cannot step down (someone must manage)."""
    if role not in ROLES:
        raise MembershipError(_l("There is no role called “%(role)s”.", role=role))
    if role == member.role:
        return
    if member.role == "coordinator" and active_coordinators(session, member.committee_id) <= 1:
        raise MembershipError(_l("The committee needs at least one coordinator: make someone else coordinator first."))
    old = member.role
    member.role = role
    session.flush()
    record(session, "role-changed", member, by=actor.id, old_role=old, role=role)


def set_access(session: Session, actor: Member, member: Member, *, allowed: bool, moment: datetime) -> None:
    """Remove or restore a member's sign-in. Their past votes and records stay as they were."""
    account = session.get(MemberAccount, member.id)
    if account is None:
        raise MembershipError(_l("This member has no account to sign in with."))
    if not allowed and member.id == actor.id:
        raise MembershipError(_l("You cannot remove your own access: ask another coordinator."))
    if not allowed and member.role == "coordinator" and active_coordinators(session, member.committee_id) <= 1:
        raise MembershipError(_l("The committee needs at least one coordinator."))
    if allowed == (account.disabled_at is None):
        return
    account.disabled_at = None if allowed else moment
    if not allowed:
        browser_sessions.end_all(session, member.id)
    session.flush()
    record(session, "access-restored" if allowed else "access-removed", member, by=actor.id)


def reset_two_factor(session: Session, actor: Member, member: Member) -> None:
    """For a lost phone: a new secret, enrolled again at the member's next sign-in."""
    account = session.get(MemberAccount, member.id)
    if account is None:
        raise MembershipError(_l("This member has no account to sign in with."))
    account.totp_secret = pyotp.random_base32()
    account.totp_enrolled_at = None
    account.totp_last_step = None
    browser_sessions.end_all(session, member.id)
    session.flush()
    record(session, "second-factor-reset", member, by=actor.id)


def create_committee(session: Session, name: str) -> Committee:
    committee = session.scalar(select(Committee).where(Committee.name == name))
    if committee is None:
        committee = Committee(name=name)
        session.add(committee)
        session.flush()
    return committee
