"""Checking who a committee member is: Argon2id passwords, TOTP codes, lockout.

Every refusal raises :class:`SignInError` with the same words whether the login name exists,
the password is wrong or the account is paused, so the sign-in page tells an attacker nothing.
Failures are counted on the account and written in the request's transaction; views re-render
the form with status 200 so that count is committed (a 4xx would roll it back).
"""

from __future__ import annotations

import hmac
import re
from datetime import datetime, timedelta

import pyotp
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from funds.clock import as_utc
from funds.committees.models import Member
from funds.config import Config

from .models import MemberAccount

LOGIN_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{2,59}$")
MIN_PASSWORD = 10
#: long enough for any passphrase, short enough that hashing it is not a denial of service
MAX_PASSWORD = 256
#: accept the code of the step before and after now: phone clocks drift
TOTP_DRIFT_STEPS = 1
#: why a sign-in step was refused; only someone who gave the right password learns more than WRONG_PASSWORD
WRONG_PASSWORD, WRONG_CODE, PAUSED, REMOVED = "wrong-password", "wrong-code", "paused", "removed"


class SignInError(Exception):
    """A sign-in step was refused. ``reason`` is one of WRONG_PASSWORD, WRONG_CODE, PAUSED (until
    ``until``) or REMOVED; a wrong login name reads as a wrong password, so nothing tells a
    stranger which accounts exist or what state they are in."""

    def __init__(self, reason: str, until: datetime | None = None):
        super().__init__(reason)
        self.reason = reason
        self.until = until


class AccountError(ValueError):
    """An account cannot be made as asked; the message says why."""


def password_hasher(config: Config) -> PasswordHasher:
    return PasswordHasher(
        time_cost=config.password_time_cost,
        memory_cost=config.password_memory_kib,
        parallelism=config.password_parallelism,
    )


def check_new_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"the password needs at least {MIN_PASSWORD} characters; a few words make a good one")
    if len(password) > MAX_PASSWORD:
        raise AccountError(f"the password may have at most {MAX_PASSWORD} characters")


def create_account(session: Session, config: Config, member: Member, login_name: str, password: str) -> MemberAccount:
    """Give ``member`` a login; the second factor is enrolled at their first sign-in."""
    login_name = login_name.strip().lower()
    if not LOGIN_NAME.match(login_name):
        raise AccountError("the login name needs 3-60 lower-case letters, digits, dots, dashes or underscores")
    if session.scalar(select(MemberAccount.member_id).where(MemberAccount.login_name == login_name)) is not None:
        raise AccountError("that login name is taken; choose another")
    check_new_password(password)
    account = MemberAccount(
        member=member,
        login_name=login_name,
        password_hash=password_hasher(config).hash(password),
        totp_secret=pyotp.random_base32(),
        failed_attempts=0,
    )
    session.add(account)
    session.flush()
    return account


def check_password(session: Session, config: Config, login_name: str, password: str, moment: datetime) -> MemberAccount:
    """The account whose password this is, rehashed if the cost settings changed since."""
    hasher = password_hasher(config)
    account = session.scalar(select(MemberAccount).where(MemberAccount.login_name == login_name.strip().lower()))
    if account is None or len(password) > MAX_PASSWORD:
        # Hash anyway, so a missing login name takes as long as a wrong password.
        _spend_like_a_check(hasher, password[:MAX_PASSWORD])
        raise SignInError(WRONG_PASSWORD)
    try:
        hasher.verify(account.password_hash, password)
    except (VerificationError, InvalidHashError):
        # A paused account counts no more failures: the pause ends when it said it would.
        if not _is_locked(account, moment) and account.disabled_at is None:
            _count_failure(session, config, account, moment)
        raise SignInError(WRONG_PASSWORD) from None
    # The right password: its owner may learn why they cannot go on.
    if account.disabled_at is not None:
        raise SignInError(REMOVED)
    if _is_locked(account, moment):
        raise SignInError(PAUSED, as_utc(account.locked_until))
    if hasher.check_needs_rehash(account.password_hash):
        account.password_hash = hasher.hash(password)
    session.flush()
    return account


def check_code(session: Session, config: Config, account: MemberAccount, code: str, moment: datetime) -> None:
    """Accept a TOTP code once: a code of a step at or before the last accepted one is a replay."""
    if account.disabled_at is not None:
        raise SignInError(REMOVED)
    if _is_locked(account, moment):
        raise SignInError(PAUSED, as_utc(account.locked_until))
    step = matching_step(account.totp_secret, code, moment)
    if step is None or (account.totp_last_step is not None and step <= account.totp_last_step):
        _count_failure(session, config, account, moment)
        if _is_locked(account, moment):
            raise SignInError(PAUSED, as_utc(account.locked_until))
        raise SignInError(WRONG_CODE)
    account.totp_last_step = step
    account.failed_attempts = 0
    account.locked_until = None
    if account.totp_enrolled_at is None:
        account.totp_enrolled_at = moment
    session.flush()


def matching_step(secret: str, code: str, moment: datetime) -> int | None:
    """The time step (within the allowed drift) whose code is ``code``, or None."""
    code = re.sub(r"\s", "", code or "")
    if not code.isdigit():
        return None
    totp = pyotp.TOTP(secret)
    now_step = totp.timecode(moment)
    for step in range(now_step - TOTP_DRIFT_STEPS, now_step + TOTP_DRIFT_STEPS + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def provisioning_uri(account: MemberAccount, issuer: str = "Ayni") -> str:
    """The otpauth:// link an authenticator app reads (shown as a QR code and as text)."""
    return pyotp.TOTP(account.totp_secret).provisioning_uri(name=account.login_name, issuer_name=issuer)


def paused_until(account: MemberAccount, moment: datetime) -> datetime | None:
    """When the account's pause after too many wrong tries ends, if it is paused at ``moment``."""
    return as_utc(account.locked_until) if _is_locked(account, moment) else None


def _is_locked(account: MemberAccount, moment: datetime) -> bool:
    return account.locked_until is not None and as_utc(account.locked_until) > moment


def _count_failure(session: Session, config: Config, account: MemberAccount, moment: datetime) -> None:
    account.failed_attempts = (account.failed_attempts or 0) + 1
    if account.failed_attempts >= config.login_max_failures:
        account.locked_until = moment + timedelta(minutes=config.login_lockout_minutes)
        account.failed_attempts = 0
    session.flush()


_dummy_hashes: dict[tuple[int, int, int], str] = {}


def _spend_like_a_check(hasher: PasswordHasher, password: str) -> None:
    params = (hasher.time_cost, hasher.memory_cost, hasher.parallelism)
    if params not in _dummy_hashes:
        _dummy_hashes[params] = hasher.hash("not anyone's password")
    try:
        hasher.verify(_dummy_hashes[params], password)
    except VerificationError:
        pass
