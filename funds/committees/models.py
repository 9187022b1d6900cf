"""Committees, their members, how members sign in (accounts, sessions, invitations), and the salt
that stands for members in the public ledger.

Accounts live in their own tables, one per :class:`Member`, rather than
as columns on ``committee_members``: a member row is read by every page that shows who decided,
and it should not drag a password hash and a TOTP secret along with it. A member without an
account (e.g. an imported name) simply cannot sign in.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, DateTime, ForeignKey, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from funds.base import Base
from funds.clock import as_utc, now

ROLES = ("member", "treasurer", "coordinator")


class Committee(Base):
    """Peers from the community who decide on a pool's requests together."""

    __tablename__ = "committees"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)

    members: Mapped[list[Member]] = relationship(back_populates="committee", order_by="Member.id")


class Member(Base):
    """A committee member. Their public key seals what recipients write; the private key never
    reaches the server."""

    __tablename__ = "committee_members"

    id: Mapped[int] = mapped_column(primary_key=True)
    committee_id: Mapped[int] = mapped_column(ForeignKey("committees.id"), index=True)
    display_name: Mapped[str] = mapped_column(String(100))
    #: member, treasurer or coordinator
    role: Mapped[str] = mapped_column(String(20), default="member")
    #: X25519 public key (32 bytes) for libsodium sealed boxes; None until the member makes one
    public_key: Mapped[bytes | None] = mapped_column(LargeBinary(32))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)

    committee: Mapped[Committee] = relationship(back_populates="members")


class MemberAccount(Base):
    """A member's sign-in: a login name, an Argon2id password hash and a TOTP second factor."""

    __tablename__ = "member_accounts"

    member_id: Mapped[int] = mapped_column(ForeignKey("committee_members.id"), primary_key=True)
    #: what the member types to sign in, lower-case; never shown to others (display_name is)
    login_name: Mapped[str] = mapped_column(String(60), unique=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    #: base32 TOTP secret; set when the account is made, confirmed by the first good code
    totp_secret: Mapped[str] = mapped_column(String(64))
    totp_enrolled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    #: the last 30-second time step whose code was accepted: a code works once
    totp_last_step: Mapped[int | None] = mapped_column(BigInteger)
    #: wrong passwords or codes since the last success
    failed_attempts: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    #: a coordinator removed the member's access; their votes and records stay
    disabled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)

    member: Mapped[Member] = relationship()

    @property
    def enrolled(self) -> bool:
        return self.totp_enrolled_at is not None


class CommitteeSession(Base):
    """A signed-in browser. The cookie holds a random token; only its hash is stored, so a copy
    of the database cannot be replayed as a session. Deleting the row signs the browser out."""

    __tablename__ = "committee_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("committee_members.id"), index=True)
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)
    #: None while the member has given their password but not yet a code
    two_factor_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    member: Mapped[Member] = relationship()


class Invitation(Base):
    """A single-use, expiring link a coordinator sends to a new member."""

    __tablename__ = "committee_invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    committee_id: Mapped[int] = mapped_column(ForeignKey("committees.id"), index=True)
    role: Mapped[str] = mapped_column(String(20), default="member")
    #: the name the coordinator suggested; the new member may change it
    display_name: Mapped[str] = mapped_column(String(100), default="")
    #: SHA-256 of the link's token (the token has 256 random bits, so a fast hash is enough)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    #: None when made from the command line
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("committee_members.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    used_by_id: Mapped[int | None] = mapped_column(ForeignKey("committee_members.id"))
    cancelled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    committee: Mapped[Committee] = relationship()

    def is_open(self, moment: datetime) -> bool:
        return self.used_at is None and self.cancelled_at is None and as_utc(self.expires_at) > moment


class CommitteeSalt(Base):
    """Keys the commitments that stand for members in the public ledger. Publishing it with the
    member ids lets anyone check who decided; until then the ledger names nobody."""

    __tablename__ = "committee_audit_salts"

    committee_id: Mapped[int] = mapped_column(ForeignKey("committees.id"), primary_key=True)
    salt: Mapped[bytes] = mapped_column(LargeBinary(32))
