"""A committee's coordinator creates and edits its pools and rounds; nobody else can."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from funds.pools.domain import PoolError, create_pool
from funds.pools.models import Pool
from ledger import store
from tests.committees.test_authorization_matrix import guarded_routes
from tests.conftest import csrf_token_on

NEW_POOL = {
    "slug": "medical", "currency": "PLN", "goal": "20000", "request_cap": "1500.00", "fast_track_limit": "200",
    "quorum": "2", "frequency_cap_count": "2", "frequency_cap_days": "365", "is_open": "y",
    "name_en": "Medical fund", "description_en": "Care twice a year.", "name_fr": "Fonds médical",
}
EDIT = "/committee/pools/mutual-aid/edit"
ROUNDS = "/committee/pools/mutual-aid/rounds"
SPRING_ROUND = {"round-name": "Spring round", "round-budget": "12000", "round-target_recipients": "40",
                "round-opens_on": "2026-03-01", "round-closes_on": "2026-03-31"}
CHANGES = {"goal": "500", "request_cap": "250", "quorum": "3", "fast_track_limit": "0", "name_en": "Taken over"}


@pytest.fixture
def coordinator(make_committee, make_member, client_of):
    """A signed-in coordinator of the medical fund committee (which already runs one pool, in EUR)."""
    committee_id, _pool_id = make_committee("Medical fund committee", "medical-eur")
    person = make_member(committee_id, "coordinator")
    return person, client_of(person)


def submit(client, url: str, **fields):
    token = csrf_token_on(client.get(url).get_data(as_text=True))
    return client.post(url, data={"csrf_token": token, **fields})


def add_round(client, **fields):
    token = csrf_token_on(client.get(EDIT).get_data(as_text=True))
    return client.post(ROUNDS, data={"round-csrf_token": token, **SPRING_ROUND, **fields})


def test_a_coordinator_creates_a_medical_pool_for_their_own_committee(run, coordinator):
    person, client = coordinator
    response = submit(client, "/committee/pools/new", **NEW_POOL)
    assert response.status_code == 303 and response.headers["Location"].endswith("/pools/medical")
    pool = run(lambda s: s.scalar(select(Pool).where(Pool.slug == "medical")))
    assert pool.committee_id == person.committee_id
    assert (pool.goal, pool.request_cap, pool.fast_track_limit, pool.quorum) == (2_000_000, 150_000, 20_000, 2)
    assert (pool.frequency_cap_count, pool.frequency_cap_days, pool.is_open) == (2, 365, True)
    assert run(lambda s: store.balance(s, f"pool:{pool.id}:available").currency) == "PLN"
    assert "Fonds médical" in client.get("/pools/medical?lang=fr").get_data(as_text=True)


def test_the_new_pool_form_names_no_committee_and_ignores_one_sent(run, pool, coordinator):
    person, client = coordinator
    others = run(lambda s: s.get(Pool, pool).committee_id)
    page = client.get("/committee/pools/new").get_data(as_text=True)
    assert "Peer committee" not in page and 'name="committee"' not in page
    assert submit(client, "/committee/pools/new", committee=str(others), **NEW_POOL).status_code == 303
    assert run(lambda s: s.scalar(select(Pool.committee_id).where(Pool.slug == "medical"))) == person.committee_id


@pytest.mark.parametrize(
    ("changes", "reason"),
    [({"request_cap": "0"}, "above zero"), ({"goal": "-5"}, "cannot be negative"),
     ({"fast_track_limit": "2000"}, "fast-track amount cannot be above"), ({"name_en": "", "name_fr": ""}, "a name"),
     ({"currency": "XYZ"}, "We cannot take “XYZ”"), ({"slug": "Bad Slug!"}, "Use a-z"),
     ({"frequency_cap_days": ""}, "both a number of grants and a number of days")],
)
def test_a_pool_with_wrong_settings_is_refused_with_the_reason(run, coordinator, changes, reason):
    _person, client = coordinator
    response = submit(client, "/committee/pools/new", **{**NEW_POOL, **changes})
    assert response.status_code == 400 and reason in response.get_data(as_text=True)
    assert run(lambda s: s.scalar(select(Pool).where(Pool.slug == "medical"))) is None


@pytest.mark.parametrize(
    ("lang", "reason"),
    [("fr", "Un fonds nommé « medical-eur » existe déjà."), ("ar", "يوجد بالفعل صندوق باسم «medical-eur»."),
     ("zh", "已经有名为“medical-eur”的基金。")],
)
def test_a_refused_pool_says_why_in_the_coordinators_language_and_keeps_what_was_typed(coordinator, lang, reason):
    _person, client = coordinator
    response = submit(client, f"/committee/pools/new?lang={lang}", **{**NEW_POOL, "slug": "medical-eur"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and reason in page and "already exists" not in page
    assert 'value="Medical fund"' in page and 'value="1500.00"' in page


def test_the_new_pool_form_offers_the_currencies_stripe_can_charge_named_in_the_readers_language(coordinator):
    _person, client = coordinator
    page = client.get("/committee/pools/new?lang=fr").get_data(as_text=True)
    assert '<select id="currency" name="currency"' in page and '<option selected value="EUR">' in page
    assert '<option value="PLN">PLN · zloty polonais</option>' in page
    assert '<option value="KWD">' in page and '<option value="XYZ">' not in page


def test_a_pool_in_a_currency_stripe_cannot_charge_is_never_made(run, make_committee):
    _committee_id, pool_id = make_committee("Peer committee", "first-pool")

    def make(session):
        committee = session.get(Pool, pool_id).committee
        create_pool(session, committee, slug="made-up", currency="XYZ", request_cap=100, names={"en": ("Made up", "")})

    with pytest.raises(PoolError, match="We cannot take “XYZ”"):
        run(make)
    assert run(lambda s: s.scalar(select(Pool).where(Pool.slug == "made-up"))) is None


def test_a_coordinator_closes_a_pool_and_makes_it_the_default(run, pool, committee_client):
    client = committee_client("coordinator")
    page = client.get(EDIT).get_data(as_text=True)
    assert 'value="1000.00"' in page  # the request cap, shown as the committee typed it
    response = submit(client, EDIT, goal="500", request_cap="250", quorum="3", fast_track_limit="0",
                      is_default="y", name_en="Rent and food", description_en="Rent.")
    assert response.status_code == 303
    found = run(lambda s: s.get(Pool, pool))
    assert (found.goal, found.request_cap, found.quorum, found.is_open, found.is_default) == (50_000, 25_000, 3,
                                                                                                False, True)
    assert run(lambda s: s.get(Pool, pool).text("en").name) == "Rent and food"
    assert "This pool is closed" in client.get("/pools/mutual-aid").get_data(as_text=True)


def test_a_coordinator_adds_a_round_of_cash_support(pool, committee_client):
    client = committee_client("coordinator")
    assert add_round(client).status_code == 303
    assert "Spring round: PLN\xa012,000.00 for 40 people" in client.get("/pools/mutual-aid").get_data(as_text=True)
    backwards = add_round(client, **{"round-name": "Odd", "round-closes_on": "2026-02-01"})
    assert backwards.status_code == 400 and "cannot close before it opens" in backwards.get_data(as_text=True)


def test_another_committees_coordinator_finds_no_pool_to_edit(run, pool, coordinator):
    _person, client = coordinator
    token = csrf_token_on(client.get("/committee/pools/new").get_data(as_text=True))
    assert client.get(EDIT).status_code == 404
    assert client.post(EDIT, data={"csrf_token": token, **CHANGES}).status_code == 404
    assert client.post(ROUNDS, data={"round-csrf_token": token, **SPRING_ROUND}).status_code == 404
    found = run(lambda s: (s.get(Pool, pool).goal, s.get(Pool, pool).text("en").name, len(s.get(Pool, pool).rounds)))
    assert found == (1_000_000, "Pool mutual-aid", 0)


def test_one_committee_cannot_take_the_default_place_from_anothers_pool(run, pool, committee_client, coordinator):
    assert submit(committee_client("coordinator"), EDIT, goal="500", request_cap="250", quorum="2",
                  fast_track_limit="0", is_open="y", is_default="y", name_en="Rent").status_code == 303
    _person, client = coordinator
    response = submit(client, "/committee/pools/new", is_default="y", **NEW_POOL)
    assert response.status_code == 400 and "that committee can hand it on" in response.get_data(as_text=True)
    assert run(lambda s: [p.slug for p in s.scalars(select(Pool).where(Pool.is_default.is_(True)))]) == ["mutual-aid"]


@pytest.mark.parametrize("role", ["member", "treasurer"])
def test_only_coordinators_manage_pools(run, pool, committee_client, role):
    client = committee_client(role)
    token = csrf_token_on(client.get("/pools/mutual-aid").get_data(as_text=True))
    for address in ("/committee/pools/new", EDIT):
        assert client.get(address).status_code == 403, address
    assert client.post("/committee/pools/new", data={"csrf_token": token, **NEW_POOL}).status_code == 403
    assert client.post(EDIT, data={"csrf_token": token, **CHANGES}).status_code == 403
    assert client.post(ROUNDS, data={"round-csrf_token": token, **SPRING_ROUND}).status_code == 403
    assert run(lambda s: (s.scalar(select(Pool.goal).where(Pool.slug == "mutual-aid")),
                          s.scalar(select(Pool.id).where(Pool.slug == "medical")))) == (1_000_000, None)


def test_a_stranger_is_sent_to_sign_in(client, pool):
    for address in ("/committee/pools/new", EDIT):
        response = client.get(address)
        assert response.status_code == 302 and response.location.startswith("/committee/login?next="), address
    assert client.post("/committee/pools/new", data=NEW_POOL).status_code == 401
    assert client.post(ROUNDS, data=SPRING_ROUND).status_code == 401


def test_the_authorization_matrix_walks_the_committee_pool_and_gift_pages(app):
    walked = {(rule.endpoint, method) for rule, method in guarded_routes(app)}
    for endpoint in ("pools.create_pool_page", "pools.edit_pool_page", "donations.record_offline_gift"):
        assert {(endpoint, "GET"), (endpoint, "POST")} <= walked, endpoint
    assert ("pools.add_round_page", "POST") in walked
    roles = {e: app.view_functions[e].ayni_role for e in ("pools.create_pool_page", "pools.edit_pool_page",
                                                           "pools.add_round_page", "donations.record_offline_gift")}
    assert set(roles.values()) == {"coordinator", "treasurer"} and roles["donations.record_offline_gift"] == "treasurer"


@pytest.mark.parametrize(("role", "links"), [
    ("member", set()),
    ("treasurer", {"/committee/pools/mutual-aid/offline-gifts/new"}),
    ("coordinator", {"/committee/pools/mutual-aid/offline-gifts/new", EDIT, "/committee/pools/new"}),
])
def test_the_dashboard_links_to_the_pool_pages_a_role_may_use(pool, committee_client, role, links):
    page = committee_client(role).get("/committee/").get_data(as_text=True)
    assert 'href="/pools/mutual-aid"' in page
    offered = {address for address in ("/committee/pools/mutual-aid/offline-gifts/new", EDIT, "/committee/pools/new")
               if f'href="{address}"' in page}
    assert offered == links
