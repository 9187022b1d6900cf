"""A gift that cannot be taken is refused with the reason, never a 500, and books nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from funds.donations.models import Gift, MonthlyGift
from tests.conftest import csrf_token_on

from .conftest import ledger_size


@pytest.fixture
def books_nothing(run):
    """Counts of gifts and ledger entries before the test; compared after it."""
    count = lambda s: (s.scalar(select(func.count(Gift.id))), s.scalar(select(func.count(MonthlyGift.id))),  # noqa: E731
                       ledger_size(s))
    before = run(count)
    yield
    assert run(count) == before


def post_gift(client, slug: str = "mutual-aid", **fields):
    token = csrf_token_on(client.get("/pools/mutual-aid").get_data(as_text=True))
    form = {"csrf_token": token, "currency": "PLN", "preset": "other", "frequency": "once", **fields}
    return client.post(f"/pools/{slug}/give", data=form)


@pytest.mark.parametrize(
    ("typed", "reason"),
    [
        ("0.00", "Please write an amount above zero."),
        ("-25", "An amount cannot be negative."),
        ("10000.01", "Gifts by card go up to PLN\xa010,000.00"),
        ("0.50", "The smallest gift by card is PLN\xa01.00."),
        ("twenty", "Please write the amount in numbers, for example 250."),
    ],
)
def test_a_gift_of_a_wrong_amount_is_refused_with_the_reason(client, pool, books_nothing, typed, reason):
    response = post_gift(client, custom_amount=typed)
    assert response.status_code == 400
    assert reason in response.get_data(as_text=True)


def test_a_gift_to_a_pool_that_does_not_exist_is_not_found(client, pool, books_nothing):
    assert post_gift(client, slug="no-such-pool", custom_amount="25").status_code == 404
    assert client.get("/pools/no-such-pool").status_code == 404
    api = client.get("/api/v1/pools/no-such-pool")
    assert api.status_code == 404 and "no pool called" in api.json["error"]


@pytest.fixture
def closed_pool(make_pool):
    return make_pool("closed-pool", is_open=False)


def test_a_gift_to_a_closed_pool_is_refused(client, pool, closed_pool, books_nothing):
    response = post_gift(client, slug="closed-pool", custom_amount="25")
    assert response.status_code == 409
    assert "This pool is closed" in response.get_data(as_text=True)


def test_a_gift_in_another_currency_is_refused(client, pool, books_nothing):
    response = post_gift(client, custom_amount="25", currency="EUR")
    assert response.status_code == 400
    assert "This pool takes gifts in PLN." in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "fields",
    [
        {"frequency": "weekly", "custom_amount": "25"},
        {"custom_amount": "25", "email": "not-an-email"},
        {"custom_amount": "25", "public_name": "x" * 61},
        {"custom_amount": "9" * 40},
    ],
)
def test_garbage_in_the_give_form_is_refused(client, pool, books_nothing, fields):
    assert post_gift(client, **fields).status_code == 400


def test_a_give_form_without_its_csrf_token_is_refused(client, pool, books_nothing):
    response = client.post("/pools/mutual-aid/give", data={"currency": "PLN", "preset": "25.00", "frequency": "once"})
    assert response.status_code == 400


def test_an_unknown_receipt_or_card_page_is_not_found(client, pool):
    for address in ("/gifts/nope", "/gifts/nope/pay", "/monthly/nope", "/gifts/1", "/gifts/nope/proof-1.json"):
        assert client.get(address).status_code == 404, address
