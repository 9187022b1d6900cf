"""Invitation links: single use, expiring, unguessable; only the token's hash is stored."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from funds.committees.models import Member
from funds.config import Config

from . import accounts, membership
from .models import ROLES, Invitation


class InvitationError(ValueError):
    """The link is used, cancelled, expired or unknown; the message is safe to show."""


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_invitation(
    session: Session,
    config: Config,
    committee_id: int,
    *,
    role: str = "member",
    display_name: str = "",
    created_by: Member | None = None,
    moment: datetime,
) -> tuple[Invitation, str]:
    """Make an invitation and return it with the token for the link (shown once, never stored)."""
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}")
    token = secrets.token_urlsafe(32)
    invitation = Invitation(
        committee_id=committee_id,
        role=role,
        display_name=display_name.strip()[:100],
        token_hash=_hash(token),
        created_by_id=created_by.id if created_by else None,
        created_at=moment,
        expires_at=moment + timedelta(hours=config.invitation_valid_hours),
    )
    session.add(invitation)
    session.flush()
    return invitation, token


def find_open_invitation(session: Session, token: str, moment: datetime) -> Invitation:
    invitation = session.scalar(select(Invitation).where(Invitation.token_hash == _hash(token)))
    if invitation is None or not invitation.is_open(moment):
        raise InvitationError("This invitation link has been used, cancelled or has expired; ask for a new one.")
    return invitation


def accept_invitation(
    session: Session,
    config: Config,
    token: str,
    *,
    display_name: str,
    login_name: str,
    password: str,
    moment: datetime,
) -> Member:
    """Join the committee: claim the link (once, even if two browsers race), make the member and login."""
    invitation = find_open_invitation(session, token, moment)
    display_name = display_name.strip()
    if not display_name:
        raise accounts.AccountError("please give a name the committee will know you by")
    # One conditional UPDATE decides a race between two tabs: only one of them claims the link.
    claimed = session.execute(
        update(Invitation)
        .where(
            Invitation.id == invitation.id,
            Invitation.used_at.is_(None),
            Invitation.cancelled_at.is_(None),
            Invitation.expires_at > moment,
        )
        .values(used_at=moment)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:
        raise InvitationError("This invitation link has just been used.")
    member = Member(committee_id=invitation.committee_id, display_name=display_name[:100], role=invitation.role)
    session.add(member)
    session.flush()
    accounts.create_account(session, config, member, login_name, password)
    session.refresh(invitation)
    invitation.used_by_id = member.id
    membership.record(session, "member-joined", member, by=invitation.created_by_id, role=member.role)
    return member


def cancel_invitation(session: Session, invitation: Invitation, moment: datetime) -> None:
    if invitation.used_at is None and invitation.cancelled_at is None:
        invitation.cancelled_at = moment
        session.flush()


def open_invitations(session: Session, committee_id: int, moment: datetime) -> list[Invitation]:
    rows = session.scalars(
        select(Invitation)
        .where(
            Invitation.committee_id == committee_id,
            Invitation.used_at.is_(None),
            Invitation.cancelled_at.is_(None),
            Invitation.expires_at > moment,
        )
        .order_by(Invitation.id)
    )
    return list(rows)
