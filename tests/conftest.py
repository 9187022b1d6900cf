"""Fixtures: every database test runs on SQLite and on a throwaway PostgreSQL cluster.

Each backend gets a template database migrated once with Alembic; each test gets a fresh copy
(a file copy for SQLite, ``CREATE DATABASE ... TEMPLATE`` for PostgreSQL).

Committees, members who can sign in and signed-in clients live here too: the committee, pool,
donation and decision tests all act as members.
"""

from __future__ import annotations

import itertools
import os
import re
import shutil
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pyotp
import pytest
from sqlalchemy import create_engine, text

from app import create_app
from funds import horizon
from funds.clock import now
from funds.committees import accounts, browser_sessions
from funds.committees.access import SEEN_KEY, TOKEN_KEY
from funds.committees.models import Committee, Member
from funds.config import Config
from funds.db import in_transaction, make_engine
from funds.migrate import upgrade
from funds.pools.domain import create_pool
from tests.postgres import Cluster

BACKENDS = [b for b in os.environ.get("AYNI_TEST_BACKENDS", "sqlite,postgresql").split(",") if b]
_database_numbers = itertools.count()


@pytest.fixture(scope="session")
def postgres_cluster():
    cluster = Cluster().start()
    try:
        admin = create_engine(cluster.url(), isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text("CREATE DATABASE ayni_template"))
        admin.dispose()
        template = make_engine(cluster.url("ayni_template"))
        upgrade(template)
        template.dispose()
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory):
    path = tmp_path_factory.mktemp("sqlite-template") / "template.sqlite3"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    engine.dispose()
    return path


def pytest_generate_tests(metafunc):
    """Database tests run once per backend; ``@pytest.mark.sqlite_only`` keeps one (browser tests)."""
    if "database_url" in metafunc.fixturenames:
        only_sqlite = metafunc.definition.get_closest_marker("sqlite_only") is not None
        metafunc.parametrize("database_url", ["sqlite"] if only_sqlite else BACKENDS, indirect=True)


#: a test that asks for any of these (directly or through another fixture) opens a database
DATABASE_FIXTURES = {"database_url", "sqlite_template", "postgres_cluster", "target"}


def pytest_collection_modifyitems(items):
    """The fast tier (``pytest -m fast``): tests that need no database, browser or process of
    their own, such as the domain rules tested with fakes. Everything else is the full suite."""
    for item in items:
        if DATABASE_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.database)
        elif not (item.get_closest_marker("browser") or item.get_closest_marker("slow")):
            item.add_marker(pytest.mark.fast)


@pytest.fixture
def database_url(request, tmp_path):
    """A fresh, migrated database on each backend."""
    if request.param == "sqlite":
        path = tmp_path / "ayni.sqlite3"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        yield f"sqlite:///{path}"
        return
    cluster: Cluster = request.getfixturevalue("postgres_cluster")
    name = f"test_{next(_database_numbers)}"
    admin = create_engine(cluster.url(), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f"CREATE DATABASE {name} TEMPLATE ayni_template"))
    yield cluster.url(name)
    with admin.connect() as connection:
        connection.execute(text(f"DROP DATABASE {name} WITH (FORCE)"))
    admin.dispose()


@pytest.fixture
def engine(database_url):
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def db_session(engine):
    from sqlalchemy.orm import Session

    with Session(engine, expire_on_commit=False) as session:
        yield session
        session.rollback()


@pytest.fixture
def config(database_url, tmp_path):
    # Cheap Argon2 settings: the tests hash many passwords; the costs' effect is tested apart.
    return Config(
        database_url=database_url,
        secret_key="test-secret",
        ledger_key_file=str(tmp_path / "ledger-signing.key"),
        testing=True,
        password_time_cost=1,
        password_memory_kib=8192,
        password_parallelism=1,
    )


@pytest.fixture
def app(config):
    app = create_app(config)
    yield app
    app.extensions["ayni.engine"].dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def close_day(app):
    """``close_day()`` ends today (UTC) for the public books: the app's clock reads tomorrow, so
    everything booked so far is published."""

    def close():
        app.extensions[horizon.CLOCK] = lambda: datetime.now(UTC).date() + timedelta(days=1)

    return close


@pytest.fixture
def run(app):
    """Run ``work(session)`` in its own committed transaction, as a CLI command would."""
    return lambda work: in_transaction(app.extensions["ayni.sessionmaker"], work)


PASSWORD = "correct horse battery staple"
_CSRF_FIELD = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"')


def csrf_token_on(page: str) -> str:
    """The CSRF token of the form on ``page`` (HTML), read as a browser would send it back."""
    found = _CSRF_FIELD.search(page)
    assert found, "no CSRF token on the page"
    return found.group(1) or found.group(2)


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
def make_committee(run):
    """``make(name, slug)`` -> (committee id, id of its first pool, in EUR)."""

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
    """``make(committee_id, role)`` -> a :class:`Person` who can sign in (TOTP enrolled unless told)."""
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
def client_of(app, sign_in):
    """A new test client signed in as ``person`` (password and code already given)."""

    def make(person: Person):
        client = app.test_client()
        sign_in(client, person)
        return client

    return make


CHROMIUM = os.environ.get("AYNI_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser():
    """Headless Debian chromium driven by Playwright. Missing chromium fails the run, loudly."""
    if not os.path.exists(CHROMIUM):
        pytest.fail(
            f"Debian chromium was not found at {CHROMIUM}: run `apt-get install -y chromium` "
            "(.ci/run does) or set AYNI_CHROMIUM; browser tests are never skipped",
            pytrace=False,
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context()
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def live_server(app):
    """The test app served over HTTP on a free loopback port; yields its base URL."""
    import threading

    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)
