"""The public pool page and its JSON: goal, raised, progress, people supported, paid by category,
recent ledger lines, and never an identity."""

from __future__ import annotations

import re

import pytest

from funds.donations.domain import record_offline_gift
from funds.pools import accounts
from funds.pools.models import Pool
from ledger import store
from ledger.entry import Entry, Posting
from tests.donations.conftest import event


@pytest.fixture
def pool_with_history(run, pool, deliver, charged_gift, close_day):
    """50.00 given by card, 150.00 in cash by a named donor, then 30.00 paid for food and 20.00 for
    rent; the day is over, so all of it is published."""
    _gift_id, intent = charged_gift(5000)
    assert deliver(event("payment_intent.succeeded", intent)).status_code == 200
    run(lambda s: record_offline_gift(s, s.get(Pool, pool), 10**9, amount_text="150", method="cash",
                                      public_name="Zofia"))
    for number, (category, amount) in enumerate((("food", 3000), ("rent", 2000))):
        run(lambda s, c=category, a=amount, n=number: store.post(s, Entry(f"test:payout:{n}", "transfer", (
            Posting(accounts.available(pool), "PLN", -a), Posting(accounts.paid(pool, c), "PLN", a),
        ), {"what": "payout", "pool": "mutual-aid"})))
    close_day()
    return pool


def test_the_pool_page_shows_goal_raised_progress_and_people_supported(client, pool_with_history):
    response = client.get("/pools/mutual-aid")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "PLN\xa0200.00 raised of a PLN\xa010,000.00 goal" in page
    assert '<progress max="100" value="2"' in page
    assert re.search(r"Times people were supported</dt><dd>2</dd>", page)
    assert re.search(r"Supporters</dt><dd>2</dd>", page)
    assert "Zofia" in page


def test_money_paid_by_category_is_an_svg_chart_readable_without_javascript(client, pool_with_history):
    page = client.get("/pools/mutual-aid").get_data(as_text=True)
    chart = re.search(r"<svg.*?</svg>", page, re.S).group(0)
    assert 'role="img"' in chart and "<script" not in chart
    assert "Food" in chart and "PLN\xa030.00" in chart and "Rent" in chart and "PLN\xa020.00" in chart
    assert "Medical care" not in chart


def test_recent_ledger_lines_name_nobody(client, pool_with_history):
    page = client.get("/pools/mutual-aid").get_data(as_text=True)
    ledger = re.search(r'<table class="ledger[^"]*">.*?</table>', page, re.S).group(0)
    assert "Paid to a person — Rent" in ledger and "Gift" in ledger
    assert "Zofia" not in ledger


def test_the_json_view_gives_the_same_figures_in_minor_units(client, pool_with_history):
    shown = client.get("/api/v1/pools/mutual-aid").json
    assert {k: shown[k] for k in ("raised", "paid", "available", "reserved", "goal", "currency", "supporters")} == {
        "raised": 20_000, "paid": 5000, "available": 15_000, "reserved": 0, "goal": 1_000_000, "currency": "PLN",
        "supporters": 2,
    }
    assert shown["people_supported"] == 2
    assert shown["paid_by_category"]["food"] == 3000
    listed = client.get("/api/v1/pools").json["pools"]
    assert [p["slug"] for p in listed] == ["mutual-aid"] and listed[0]["raised"] == 20_000


def test_gifts_count_at_once_but_payouts_and_set_asides_wait_for_the_daily_batch(client, run, pool, close_day):
    available, rent, food = accounts.available(pool), accounts.paid(pool, "rent"), accounts.paid(pool, "food")
    run(lambda s: record_offline_gift(s, s.get(Pool, pool), 10**9, amount_text="200", method="cash",
                                      public_name=None))
    run(lambda s: store.post(s, Entry("test:payout", "transfer", (
        Posting(available, "PLN", -2000), Posting(rent, "PLN", 2000)), {"what": "payout"})))
    run(lambda s: store.reserve(s, "test:hold", (Posting(available, "PLN", -3000), Posting(food, "PLN", 3000))))

    today = client.get("/api/v1/pools/mutual-aid").json
    assert {k: today[k] for k in ("raised", "paid", "reserved", "available", "people_supported")} == {
        "raised": 20_000, "paid": 0, "reserved": 0, "available": 20_000, "people_supported": 0}
    page = client.get("/pools/mutual-aid").get_data(as_text=True)
    assert "PLN\xa0200.00 raised" in page
    assert "Paid to a person" not in page and "Set aside for an approved request" not in page
    # raised PLN 200.00 today: the ledger lines wait for the day to close, and say so, not "nothing"
    assert "Nothing booked yet." not in page
    assert "first entries appear here once the day they were booked closes" in page

    close_day()
    tomorrow = client.get("/api/v1/pools/mutual-aid").json
    assert {k: tomorrow[k] for k in ("raised", "paid", "reserved", "available", "people_supported")} == {
        "raised": 20_000, "paid": 2000, "reserved": 3000, "available": 15_000, "people_supported": 1}
    assert "Paid to a person — Rent" in client.get("/pools/mutual-aid").get_data(as_text=True)


def test_a_new_pool_says_in_words_that_nothing_is_raised_paid_or_booked(client, pool):
    page = client.get("/pools/mutual-aid").get_data(as_text=True)
    assert "PLN\xa00.00 raised" in page and "Paid out</dt><dd>PLN\xa00.00</dd>" in page
    assert "Nothing has been paid out yet." in page and "Nothing booked yet." in page


def test_the_pool_list_and_the_give_shortcut_lead_to_pools(client, make_pool, run, pool):
    make_pool("medical", goal=0)
    listing = client.get("/pools").get_data(as_text=True)
    assert "Pool mutual-aid" in listing and "Pool medical" in listing
    assert client.get("/give").headers["Location"].endswith("/pools")
    run(lambda s: setattr(s.get(Pool, pool), "is_default", True))
    assert client.get("/give").headers["Location"].endswith("/pools/mutual-aid")


def test_pool_pages_allow_only_our_own_scripts(client, pool):
    policy = client.get("/pools/mutual-aid").headers["Content-Security-Policy"]
    assert "script-src 'self';" in policy and "frame-ancestors 'none'" in policy
    assert "script-src 'self';" in client.get("/api/v1/pools").headers["Content-Security-Policy"]
