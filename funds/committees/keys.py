"""Members' public keys. The private halves are made and kept in members' browsers
(static/committee-keys.js); the server only ever sees a 32-byte X25519 public key.

Areas that store something for the committee seal it to every member's key with
:func:`seal_for_committee` (libsodium sealed boxes, which the browser opens).
"""

from __future__ import annotations

import base64
import binascii
import hashlib

from nacl.public import PublicKey, SealedBox
from sqlalchemy import select
from sqlalchemy.orm import Session

from funds.committees.models import Member

from .membership import record
from .models import MemberAccount


class PublicKeyError(ValueError):
    """A public key is refused; the message says why."""


def parse_public_key(text: str) -> bytes:
    try:
        raw = base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise PublicKeyError("the public key is not valid base64") from None
    if len(raw) != 32:
        raise PublicKeyError("a public key has exactly 32 bytes")
    return raw


def fingerprint(public_key: bytes) -> str:
    """A short, readable digest members can compare out loud."""
    digest = hashlib.sha256(public_key).hexdigest()[:16]
    return " ".join(digest[i : i + 4] for i in range(0, 16, 4))


def save_public_key(session: Session, member: Member, text: str, *, replace: bool) -> None:
    """Store the member's public key; replacing one must be asked for, since what was sealed to
    the old key can then only be opened with the old key's backup."""
    public_key = parse_public_key(text)
    if member.public_key is not None and bytes(member.public_key) != public_key and not replace:
        raise PublicKeyError("you already have a key; tick the box to replace it")
    if member.public_key is not None and bytes(member.public_key) == public_key:
        return
    member.public_key = public_key
    session.flush()
    record(session, "key-set", member, by=member.id, fingerprint=fingerprint(public_key))


def committee_public_keys(session: Session, committee_id: int) -> dict[int, bytes]:
    """Member id -> public key, for members who may sign in and have made a key."""
    rows = session.execute(
        select(Member.id, Member.public_key)
        .join(MemberAccount, MemberAccount.member_id == Member.id)
        .where(Member.committee_id == committee_id, Member.public_key.is_not(None), MemberAccount.disabled_at.is_(None))
    )
    return {member_id: bytes(key) for member_id, key in rows}


def seal(public_key: bytes, message: bytes) -> str:
    """A libsodium sealed box (crypto_box_seal) for one key, base64 as the browser reads it."""
    return base64.b64encode(SealedBox(PublicKey(public_key)).encrypt(message)).decode("ascii")


def seal_for_committee(session: Session, committee_id: int, message: bytes) -> dict[int, str]:
    """One sealed box per member key: any member can open theirs; the server can open none."""
    return {member_id: seal(key, message) for member_id, key in committee_public_keys(session, committee_id).items()}
