"""Committee helpers: CSRF tokens and session tokens as a browser holds them. Committees with a
pool, members who can sign in and signed-in clients are fixtures of tests/conftest.py.

Tests whose queries cannot differ by database (redirects, headers, forms) are marked sqlite_only
to keep the suite fast; anything with time columns, conditional updates or the ledger runs on both.
"""

from __future__ import annotations

import pytest

from funds.committees.access import TOKEN_KEY
from funds.committees.models import MemberAccount
from tests import conftest as shared

# The committee fixtures live in tests/conftest.py; these names stay importable from here.
PASSWORD, Person = shared.PASSWORD, shared.Person
config, run, sign_in = shared.config, shared.run, shared.sign_in
make_committee, make_member = shared.make_committee, shared.make_member


@pytest.fixture
def account_of(run):
    return lambda person: run(lambda session: session.get(MemberAccount, person.id))


def csrf_token(client, path: str = "/committee/") -> str:
    """The CSRF token of ``client``'s session, read from a page's form as a browser would."""
    return shared.csrf_token_on(client.get(path).get_data(as_text=True))


def session_token(client) -> str | None:
    """The committee session token inside ``client``'s signed cookie."""
    with client.session_transaction() as cookie:
        return cookie.get(TOKEN_KEY)
