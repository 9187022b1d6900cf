"""Committee fixtures: committees with a pool, members who can sign in, signed-in clients.

Tests whose queries cannot differ by database (redirects, headers, forms) are marked sqlite_only
to keep the suite fast; anything with time columns, conditional updates or the ledger runs on both.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass

import pyotp
import pytest

from funds.committees import accounts, browser_sessions
from funds.committees.access import SEEN_KEY, TOKEN_KEY
from funds.committees.models import MemberAccount, now
from funds.db import in_transaction
from funds.pools.domain import create_pool
from funds.pools.models import Committee, Member

PASSWORD = "correct horse battery staple"


@dataclass
class Person:
    """A member as a test knows them: ids, login, password and TOTP secret."""

    id: int
    committee_id: int
    login_name: str
    password: str
    totp_secret: str
    role: str

    def code(self, offset_steps: int = 0) -> str:
        return pyotp.TOTP(self.totp_secret).at(time.time() + 30 * offset_steps)


@pytest.fixture
def config(config):
    """Cheap Argon2 settings: the tests hash many passwords; the costs' effect is tested apart."""
    return config.with_overrides(password_time_cost=1, password_memory_kib=8192, password_parallelism=1)


@pytest.fixture
def run(app):
    """Run ``work(session)`` in its own committed transaction, as a CLI command would."""
    return lambda work: in_transaction(app.extensions["ayni.sessionmaker"], work)


@pytest.fixture
def make_committee(run):
    def make(name: str, slug: str) -> tuple[int, int]:
        def work(session):
            committee = Committee(name=name)
            session.add(committee)
            session.flush()
            pool = create_pool(session, committee, slug=slug, currency="EUR", request_cap=10_000,
                               names={"en": (f"{name} pool", "")})
            return committee.id, pool.id

        return run(work)

    return make


@pytest.fixture
def make_member(run, config):
    counter = iter(range(1, 10_000))

    def make(committee_id: int, role: str = "member", *, enrolled: bool = True, name: str = "") -> Person:
        login = f"{role}-{committee_id}-{next(counter)}"

        def work(session):
            member = Member(committee_id=committee_id, display_name=name or login.title(), role=role)
            session.add(member)
            session.flush()
            account = accounts.create_account(session, config, member, login, PASSWORD)
            if enrolled:
                account.totp_enrolled_at = now()
            return Person(member.id, committee_id, login, PASSWORD, account.totp_secret, role)

        return run(work)

    return make


@pytest.fixture
def sign_in(run, app):
    """Give ``client`` a fully signed-in session for ``person`` without the forms (fast)."""

    def sign(client, person: Person) -> None:
        token = run(lambda session: browser_sessions.start(session, person.id, two_factor=True, moment=now()))
        with client.session_transaction() as cookie:
            cookie[TOKEN_KEY] = token
            cookie[SEEN_KEY] = int(time.time())

    return sign


@pytest.fixture
def account_of(run):
    return lambda person: run(lambda session: session.get(MemberAccount, person.id))


def csrf_token(client, path: str = "/committee/") -> str:
    """The CSRF token of ``client``'s session, read from a page's form as a browser would."""
    page = client.get(path).get_data(as_text=True)
    found = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"', page)
    assert found, f"no CSRF token on {path}"
    return found.group(1) or found.group(2)


def session_token(client) -> str | None:
    """The committee session token inside ``client``'s signed cookie."""
    with client.session_transaction() as cookie:
        return cookie.get(TOKEN_KEY)
