"""The impact report: people supported and money by category and month, how long decisions and
payouts take, small groups never singled out, charts without JavaScript and a CSV to download."""

from __future__ import annotations

import csv
import dataclasses
import io
import re
from datetime import UTC, datetime, timedelta

import pytest

from funds.horizon import horizon
from funds.pools.domain import create_pool
from funds.pools.models import Pool
from funds.transparency import impact

DAY = timedelta(days=1)


def report(run) -> impact.Report:
    today = datetime.now(UTC).date()
    return run(lambda s: impact.report(s, horizon(s, today).day_start))


def scope_of(shown: impact.Report, slug: str | None) -> impact.Scope:
    return next(scope for scope in shown.scopes if scope.slug == slug)


def csv_rows(client) -> list[dict]:
    answer = client.get("/impact.csv")
    assert answer.status_code == 200 and answer.content_type.startswith("text/csv")
    return list(csv.DictReader(io.StringIO(answer.get_data(as_text=True))))


@pytest.mark.parametrize("people", [4, 5])
def test_a_category_is_shown_only_once_it_counts_five_people(client, fund, run, people):
    fund.gift(100_000)
    for _ in range(people):
        fund.supported(3_100, "rent")
    rent = scope_of(report(run), "warsaw-rent").by_category["rent"]
    assert (rent.people, rent.amount) == (people, people * 3_100)
    assert rent.shown == (people >= 5)

    page = client.get("/impact").get_data(as_text=True)
    written = f"€{people * 31}.00"
    rows = [r for r in csv_rows(client) if r["category"] == "rent" and r["month"] == "all" and r["pool"] == "all"]
    if people >= 5:
        assert written in page and f"{people} people supported with {written}." in page
        assert rows[0]["people"] == str(people) and rows[0]["value"] == str(people * 3_100)
    else:
        assert written not in page and "Fewer than 5 people supported so far" in page
        assert rows[0]["people"] == rows[0]["value"] == "" and rows[0]["suppressed"] == "yes"
        assert str(people * 3_100) not in client.get("/impact.csv").get_data(as_text=True)


def test_a_hidden_category_cannot_be_worked_out_from_the_total(client, fund, run):
    fund.gift(200_000)
    for _ in range(4):
        fund.supported(2_000, "rent")
    for _ in range(6):
        fund.supported(1_500, "food")
    shown = scope_of(report(run), None)
    assert shown.total.shown and (shown.total.people, shown.total.amount) == (10, 17_000)
    assert not shown.by_category["rent"].shown
    # with the total shown, food must hide too, or 17,000 - food would give rent away
    assert not shown.by_category["food"].shown
    for month, found in shown.by_month.items():
        assert found.shown and not shown.grid[(month, "rent")].shown and not shown.grid[(month, "food")].shown
    text = client.get("/impact.csv").get_data(as_text=True)
    assert "8000" not in text and "9000" not in text and "17000" in text


def test_median_days_to_a_decision_and_to_a_payout_count_only_what_is_decided(client, fund, run):
    fund.gift(100_000)
    start = datetime.now(UTC) - 30 * DAY
    for waited, paid_after in ((1, 2), (2, 4), (3, 5), (4, 9), (10, 12)):
        request_id = fund.ask(2_000, "food", at=start)
        fund.approve(request_id, at=start + waited * DAY)
        fund.pay(request_id, at=start + paid_after * DAY)
    fund.decline(fund.ask(1_000, "other", at=start), at=start + 6 * DAY)
    fund.ask(1_000, "other", at=start)  # undecided: not in any median

    pool = scope_of(report(run), "warsaw-rent")
    assert (pool.to_decision.people, pool.to_decision.days) == (6, 3.5)
    assert (pool.to_payout.people, pool.to_payout.days) == (5, 5.0)
    page = client.get("/impact").get_data(as_text=True)
    row = re.search(r'<tr class="scope-warsaw-rent">.*?</tr>', page, re.S).group(0)
    assert re.search(r"<td [^>]*>3\.5</td><td [^>]*>5\.0</td>", row)


def test_a_median_over_fewer_than_five_people_is_hidden(fund, run):
    fund.gift(100_000)
    for _ in range(4):
        fund.supported(2_000, "food")
    pool = scope_of(report(run), "warsaw-rent")
    assert pool.to_payout.people == 4 and pool.to_payout.days is None
    assert pool.to_decision.days is None


def test_the_report_draws_svg_charts_by_category_and_month_and_counts_nothing_paid_today(client, fund, run, books):
    fund.gift(100_000)
    for _ in range(5):
        fund.supported(2_000, "medical")
    books.day = None
    fund.supported(2_000, "medical", at=datetime.now(UTC))  # today: not in the report until tomorrow

    page = client.get("/impact").get_data(as_text=True)
    charts = re.findall(r"<svg.*?</svg>", page, re.S)
    assert len(charts) == 2 and all('role="img"' in chart and "<script" not in chart for chart in charts)
    assert "Health and medicine" in charts[0] or "Medical care" in charts[0]
    assert "€100.00" in charts[0] and datetime.now(UTC).strftime("%Y") in charts[1]
    assert scope_of(report(run), None).total.people == 5
    assert 'id="impact-eur-category-title"' in page and "style=" not in page


@pytest.fixture
def zloty_fund(fund, run):
    """The same committee's złoty pool."""

    def work(session):
        committee = session.get(Pool, fund.pool_id).committee
        return create_pool(session, committee, slug="warsaw-zloty", currency="PLN", request_cap=100_000,
                           names={"en": ("Złoty pool", "")}).id

    return dataclasses.replace(fund, pool_id=run(work))


def test_an_amount_reads_the_same_in_the_tables_and_the_charts(client, zloty_fund):
    zloty_fund.gift(300_000)
    for _ in range(5):
        zloty_fund.supported(58_000, "rent")
    page = client.get("/impact").get_data(as_text=True)
    chart = re.findall(r"<svg.*?</svg>", page, re.S)[0]
    tables = re.sub(r"<svg.*?</svg>", "", page, flags=re.S)
    assert "PLN\xa02,900.00" in chart and "PLN\xa02,900.00" in tables
    assert "PLN2,900.00" not in page


def test_when_every_month_is_too_small_to_show_the_page_never_says_nothing_was_paid(client, fund):
    """Six people paid over two months: the total is shown, each month's three are hidden, and no
    sentence on the page claims that nothing was paid out."""
    fund.gift(100_000)
    now = datetime.now(UTC)
    for when in (now - 40 * DAY, now - 5 * DAY):
        for _ in range(3):
            fund.supported(2_000, "rent", at=when)
    page = client.get("/impact").get_data(as_text=True)
    assert "6 people supported with €120.00." in page
    assert "Nothing paid out" not in page and "nothing" not in page.lower().replace("nothing is sent", "")
    charts = re.findall(r"<svg.*?</svg>", page, re.S)
    assert len(charts) == 1 and "€120.00" in charts[0]  # by category; every month is hidden
    assert "2 figures counting fewer than 5 people are not shown." in page
    grid = re.search(r'<table class="ledger stacked impact-grid" id="grid-all-EUR".*?</table>', page, re.S).group(0)
    assert "Rent or a place to stay" in grid and "Food" not in grid  # only the categories paid for
    assert grid.count('<span class="suppressed">hidden</span>') == 4 and "€120.00" in grid


def test_a_fund_that_paid_nothing_says_so_once_per_pool_and_draws_no_empty_grid(client, fund, zloty_fund):
    fund.gift(10_000)
    page = client.get("/impact").get_data(as_text=True)
    assert "impact-grid" not in page and "<svg" not in page
    assert page.count("Nothing paid out from this pool yet.") == 2  # the euro pool and the złoty pool
    assert "Nothing paid out yet." in page


def test_a_pool_that_paid_nothing_beside_one_that_paid_says_so_in_its_own_section(client, fund, zloty_fund):
    for _ in range(5):
        zloty_fund.gift(10_000)
        zloty_fund.supported(1_000, "food")
    page = client.get("/impact").get_data(as_text=True)
    assert page.count("Nothing paid out from this pool yet.") == 1
    euros, zloty = (re.search(rf'<section aria-labelledby="all-{c}">.*?</section>', page, re.S).group(0)
                    for c in ("EUR", "PLN"))
    assert euros.count("Nothing paid out yet.") == 1 and "people supported" not in euros
    assert "Nothing paid out" not in zloty and "5 people supported with PLN\xa050.00." in zloty
    assert 'id="grid-warsaw-zloty"' in page and 'id="grid-warsaw-rent"' not in page


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_the_charts_run_the_way_the_page_reads(client, zloty_fund, lang):
    zloty_fund.gift(300_000)
    for _ in range(5):
        zloty_fund.supported(5_000, "rent")
    page = client.get(f"/impact?lang={lang}").get_data(as_text=True)
    charts = re.findall(r"<svg.*?</svg>", page, re.S)
    assert len(charts) == 2
    assert all(('direction="rtl"' in chart) == (lang == "ar") for chart in charts)
