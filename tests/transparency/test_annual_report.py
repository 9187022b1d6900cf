"""The annual report: a year of money in, out and held, grants by category and month, how many
days decisions and payments take, the declined share and the incidents coordinators recorded,
all from the public books and with small groups hidden."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from tests.conftest import csrf_token_on

#: a year the books have closed: last year, in spring (nothing crosses a month or year)
YEAR = datetime.now(UTC).year - 1
DAY = timedelta(days=1)


@pytest.fixture
def last_spring(books):
    """The fund opens its books on 1 March last year; tests move ``books.day`` forward from there."""
    books.day = date(YEAR, 3, 1)
    return books


def report(client, year: int = YEAR) -> dict:
    answer = client.get(f"/api/v1/report/{year}")
    assert answer.status_code == 200 and answer.headers["Access-Control-Allow-Origin"] == "*"
    return answer.get_json()


def people_asked_decided_paid(fund, books, *, paid: int, declined: int = 0) -> None:
    """Everyone asks on 2 March; decisions come on 5 March and payments on 7 March."""
    books.day = date(YEAR, 3, 2)
    asked = [fund.ask(2_000, "food") for _ in range(paid + declined)]
    books.day = date(YEAR, 3, 5)
    for request_id in asked[:paid]:
        fund.approve(request_id)
    for request_id in asked[paid:]:
        fund.decline(request_id)
    books.day = date(YEAR, 3, 7)
    for request_id in asked[:paid]:
        fund.pay(request_id)


def test_a_year_shows_money_given_paid_and_held_at_its_end(client, last_spring, fund):
    fund.gift(100_000)
    fund.card_gift(10_000, 320)
    people_asked_decided_paid(fund, last_spring, paid=5)
    last_spring.day = date(YEAR, 12, 30)
    fund.approve(fund.ask(7_000, "rent"))  # set aside, not paid: still held by the fund
    last_spring.day = date(YEAR + 1, 1, 2)
    fund.gift(50_000)  # next year: not in this year's money

    shown = report(client)
    assert shown["complete"] and shown["through"] == f"{YEAR}-12-31"
    assert shown["money"] == [{"currency": "EUR", "given": 110_000, "fees": 320, "returned": 0, "paid": 10_000,
                               "held": 110_000 - 320 - 10_000}]
    assert report(client, YEAR + 1)["money"][0]["given"] == 50_000

    page = client.get(f"/report/{YEAR}").get_data(as_text=True)
    assert f"Annual report {YEAR}" in page and 'class="ledger stacked annual-money"' in page
    assert "€1,100.00" in page and "€996.80" in page and "€3.20" in page
    assert 'data-label="Held at the end"' in page


def test_grants_by_category_and_month_hide_groups_of_fewer_than_five(client, last_spring, fund):
    fund.gift(200_000)
    last_spring.day = date(YEAR, 4, 10)
    for _ in range(4):
        fund.supported(2_000, "legal")
    for _ in range(6):
        fund.supported(1_500, "food")

    grants = report(client)["grants"][0]
    assert grants["total"] == {"people": 10, "amount": 17_000}
    assert grants["by_category"]["legal"]["hidden"] and grants["by_category"]["food"]["hidden"]
    assert grants["by_month"] == {f"{YEAR}-04": {"people": 10, "amount": 17_000}}
    page = client.get(f"/report/{YEAR}").get_data(as_text=True)
    assert "€170.00" in page and "€80.00" not in page and "€90.00" not in page
    assert page.count('<span class="suppressed">hidden</span>') >= 4


def test_median_days_and_the_declined_share_count_whole_days_and_enough_people(client, last_spring, fund):
    fund.gift(100_000)
    people_asked_decided_paid(fund, last_spring, paid=5, declined=5)
    shown = report(client)
    assert shown["days_to_decision"] == {"people": 10, "days": 3.0}
    assert shown["days_to_payment"] == {"people": 5, "days": 2.0}
    assert shown["declined_percent"] == 50
    page = client.get(f"/report/{YEAR}").get_data(as_text=True)
    assert '<dd class="declined">50%</dd>' in page and '<dd class="to-payment">2.0</dd>' in page


def test_a_declined_share_over_fewer_than_five_people_is_hidden(client, last_spring, fund):
    fund.gift(100_000)
    people_asked_decided_paid(fund, last_spring, paid=6, declined=2)
    shown = report(client)
    assert shown["declined_percent"] is None and shown["days_to_decision"]["days"] == 3.0
    page = client.get(f"/report/{YEAR}").get_data(as_text=True)
    assert '<dd class="declined"><span class="suppressed">hidden</span></dd>' in page


def test_a_coordinator_records_an_incident_and_the_report_counts_it_by_kind(app, client, last_spring, fund, sign_in):
    sign_in(client, fund.people["dora"])
    form = client.get("/committee/incidents").get_data(as_text=True)
    assert 'type="radio" name="incident" value="payout-error"' in form and "<textarea" not in form
    for kind in ("payout-error", "payout-error", "complaint"):
        answer = client.post("/committee/incidents", data={"incident": kind, "csrf_token": csrf_token_on(form)})
        assert answer.status_code == 303
    assert client.post("/committee/incidents", data={"incident": "gossip", "csrf_token": csrf_token_on(form)}
                       ).status_code == 400

    outsider = app.test_client()
    shown = report(outsider)
    assert shown["incidents"]["payout-error"] == 2 and shown["incidents"]["complaint"] == 1
    assert shown["incidents"]["safety"] == 0
    ledger = outsider.get("/ledger").get_data(as_text=True)
    assert ledger.count("The committee recorded an incident: A payout went wrong") == 2


def test_only_a_coordinator_records_incidents(app, fund, sign_in):
    member = app.test_client()
    sign_in(member, fund.people["ana"])
    assert member.get("/committee/incidents").status_code in (403, 404)
    assert app.test_client().get("/committee/incidents").status_code in (302, 303, 401, 403, 404)


def test_a_year_not_yet_or_never_in_the_books_is_not_found(client, fund):
    this_year = (datetime.now(UTC) - DAY).year
    assert client.get("/report").headers["Location"].endswith(f"/report/{this_year}")
    assert client.get(f"/report/{this_year}").status_code == 200
    for year in (str(this_year + 1), "1999", "twenty"):
        assert client.get(f"/report/{year}").status_code == 404
    answer = client.get(f"/api/v1/report/{this_year + 1}")
    assert answer.status_code == 400 and answer.get_json()["parameter"] == "year"


@pytest.mark.parametrize("lang", ["fr", "es", "ar", "zh"])
def test_the_report_reads_in_the_readers_language_with_no_english_left(client, last_spring, fund, lang):
    from babel.messages.extract import extract_from_file

    from tests.test_translations import KEYWORDS, ROOT, catalogue, english_left

    fund.gift(100_000)
    people_asked_decided_paid(fund, last_spring, paid=5, declined=5)
    msgids = {message for source in ("templates/transparency/report.html", "templates/transparency/_macros.html")
              for _line, message, _comments, _context in extract_from_file("jinja2", ROOT / source, KEYWORDS)}
    catalog = catalogue(lang)
    translated = {m: catalog.get(m).string for m in msgids if catalog.get(m).string != m}
    page = client.get(f"/report/{YEAR}?lang={lang}").get_data(as_text=True)
    assert f'<html lang="{lang}" dir="{"rtl" if lang == "ar" else "ltr"}">' in page
    assert translated["Annual report %(year)s"] % {"year": YEAR} in page
    assert english_left(page, translated) == []
