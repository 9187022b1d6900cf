"""The skeleton: the home page, the schema and its migrations."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

import funds.committees.models  # noqa: F401  (every area's tables, as funds/migrations/env.py sees them)
import funds.decisions.models  # noqa: F401
import funds.donations.bank.models  # noqa: F401
import funds.donations.models  # noqa: F401
import funds.pools.models  # noqa: F401
import funds.requests.models  # noqa: F401
import funds.transparency.models  # noqa: F401
from funds.base import Base


def test_home_page_says_what_ayni_is(client):
    response = client.get("/")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "mutual-aid" in page
    assert "no account, no ID" in page


def test_every_page_leads_to_giving_and_to_the_books(client):
    for path in ("/", "/request?lang=fr"):
        page = client.get(path).get_data(as_text=True)
        for target in ('href="/pools', 'href="/ledger', 'href="/impact'):
            assert target in page, (path, target)
    assert "Registre public" in client.get("/?lang=fr").get_data(as_text=True)


def test_migrations_match_the_models(engine):
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, Base.metadata)
    assert differences == []


def test_migrations_created_every_table(engine):
    tables = set(inspect(engine).get_table_names())
    assert set(Base.metadata.tables) <= tables


@pytest.mark.sqlite_only
def test_a_visitor_reads_the_home_page_in_a_real_browser(live_server, page):
    page.goto(live_server + "/")
    assert "mutual aid" in page.locator("h1").inner_text()
