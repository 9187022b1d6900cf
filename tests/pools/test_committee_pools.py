"""A committee creates and edits pools and rounds (behind the placeholder committee password)."""

from __future__ import annotations

import base64

import pytest
from sqlalchemy import select

from funds.pools.models import Committee, Pool
from ledger import store
from tests.donations.conftest import COMMITTEE_KEY, csrf_token

AUTH = {"Authorization": "Basic " + base64.b64encode(f"coordinator:{COMMITTEE_KEY}".encode()).decode()}


@pytest.fixture
def committee(run):
    def work(session):
        found = Committee(name="Medical fund committee")
        session.add(found)
        session.flush()
        return found.id

    return run(work)


def submit(client, url: str, **fields):
    token = csrf_token(client.get(url, headers=AUTH).get_data(as_text=True))
    return client.post(url, headers=AUTH, data={"csrf_token": token, **fields})


NEW_POOL = {
    "slug": "medical", "currency": "PLN", "goal": "20000", "request_cap": "1500.00", "fast_track_limit": "200",
    "quorum": "2", "frequency_cap_count": "2", "frequency_cap_days": "365", "is_open": "y",
    "name_en": "Medical fund", "description_en": "Care twice a year.", "name_fr": "Fonds médical",
}


def test_a_committee_creates_a_medical_pool_paid_twice_a_year_per_codename(client, run, committee):
    response = submit(client, "/committee/pools/new", committee=str(committee), **NEW_POOL)
    assert response.status_code == 303 and response.headers["Location"].endswith("/pools/medical")
    pool = run(lambda s: s.scalar(select(Pool).where(Pool.slug == "medical")))
    assert (pool.goal, pool.request_cap, pool.fast_track_limit, pool.quorum) == (2_000_000, 150_000, 20_000, 2)
    assert (pool.frequency_cap_count, pool.frequency_cap_days, pool.is_open) == (2, 365, True)
    assert run(lambda s: store.balance(s, f"pool:{pool.id}:available").currency) == "PLN"
    assert "Fonds médical" in client.get("/pools/medical?lang=fr").get_data(as_text=True)


@pytest.mark.parametrize(
    ("changes", "reason"),
    [({"request_cap": "0"}, "more than zero"), ({"goal": "-5"}, "cannot be negative"),
     ({"fast_track_limit": "2000"}, "fast-track amount cannot be above"), ({"name_en": "", "name_fr": ""}, "a name"),
     ({"currency": "pln"}, "Three capital letters"), ({"slug": "Bad Slug!"}, "Use a-z"),
     ({"frequency_cap_days": ""}, "both a number of grants and a number of days")],
)
def test_a_pool_with_wrong_settings_is_refused_with_the_reason(client, run, committee, changes, reason):
    response = submit(client, "/committee/pools/new", committee=str(committee), **{**NEW_POOL, **changes})
    assert response.status_code == 400 and reason in response.get_data(as_text=True)
    assert run(lambda s: s.scalar(select(Pool).where(Pool.slug == "medical"))) is None


def test_a_committee_closes_a_pool_and_makes_it_the_default(client, run, pool):
    page = client.get("/committee/pools/mutual-aid/edit", headers=AUTH).get_data(as_text=True)
    assert 'value="1000.00"' in page  # the request cap, shown as the committee typed it
    response = submit(client, "/committee/pools/mutual-aid/edit", goal="500", request_cap="250", quorum="3",
                      fast_track_limit="0", is_default="y", name_en="Rent and food", description_en="Rent.")
    assert response.status_code == 303
    found = run(lambda s: s.scalar(select(Pool)))
    assert (found.goal, found.request_cap, found.quorum, found.is_open, found.is_default) == (50_000, 25_000, 3,
                                                                                                False, True)
    assert run(lambda s: s.scalar(select(Pool)).text("en").name) == "Rent and food"
    assert "This pool is closed" in client.get("/pools/mutual-aid").get_data(as_text=True)


def test_a_committee_adds_a_round_of_cash_support(client, run, pool):
    token = csrf_token(client.get("/committee/pools/mutual-aid/edit", headers=AUTH).get_data(as_text=True))
    added = client.post("/committee/pools/mutual-aid/rounds", headers=AUTH, data={
        "round-csrf_token": token, "round-name": "Spring round", "round-budget": "12000",
        "round-target_recipients": "40", "round-opens_on": "2026-03-01", "round-closes_on": "2026-03-31"})
    assert added.status_code == 303
    assert "Spring round: PLN\xa012,000.00 for 40 people" in client.get("/pools/mutual-aid").get_data(as_text=True)
    backwards = client.post("/committee/pools/mutual-aid/rounds", headers=AUTH, data={
        "round-csrf_token": token, "round-name": "Odd", "round-budget": "10", "round-target_recipients": "1",
        "round-opens_on": "2026-03-01", "round-closes_on": "2026-02-01"})
    assert backwards.status_code == 400 and "cannot close before it opens" in backwards.get_data(as_text=True)


def test_pool_committee_pages_refuse_anyone_without_the_password(client, pool):
    for address in ("/committee/pools/new", "/committee/pools/mutual-aid/edit"):
        assert client.get(address).status_code == 401
