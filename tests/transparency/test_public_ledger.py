"""The public ledger page and API: money by pool, category and method, decisions "by quorum",
donors' names only when chosen, entries published a day at a time, keyset pages by seq."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from funds.horizon import horizon
from ledger import schema


def published(client) -> list[dict]:
    """Every public entry, following the API's pages."""
    found, url = [], "/api/v1/ledger/entries?limit=7"
    while url:
        answer = client.get(url)
        assert answer.status_code == 200
        found += answer.json["entries"]
        url = answer.json["next"]
    return found


def by_type(entries: list[dict], kind: str) -> list[dict]:
    return [entry for entry in entries if entry["type"] == kind]


def test_a_visitor_reads_gifts_payouts_and_decisions_without_anyone_named(client, fund):
    fund.gift(20_000, public_name="Zofia from Mokotów")
    fund.gift(7_500)
    fund.card_gift(5_000, 175)
    paid = fund.supported(6_000, "rent")

    entries = published(client)
    gifts = by_type(entries, "gift")
    assert [(g["amount"], g.get("names", {}).get("donor")) for g in gifts] == [
        (20_000, "Zofia from Mokotów"), (7_500, None), (5_000, None)]
    assert gifts[2]["fee"] == 175 and gifts[2]["details"] == {
        "pool": "warsaw-rent", "source": "stripe", "frequency": "once", "fee_reported": True}
    [payout] = by_type(entries, "payout")
    assert payout["details"] == {"pool": "warsaw-rent", "method": "bank-transfer"}
    assert (payout["amount"], payout["currency"], payout["category"]) == (6_000, "EUR", "rent")
    [reservation] = by_type(entries, "reservation")
    assert payout["reservation"] == reservation["seq"]
    [approved] = by_type(entries, "approved")
    assert approved["details"] == {"pool": "warsaw-rent", "by": "quorum", "approvals": 2, "quorum": 2}
    assert len(by_type(entries, "vote-approve")) == 2
    assert all("names" not in entry for entry in entries if entry["type"] != "gift")
    assert [entry["seq"] for entry in entries] == list(range(len(entries)))

    page = client.get("/ledger").get_data(as_text=True)
    assert "Gift handed to the committee" not in page  # offline gifts say how they came
    assert "Gift in cash — from Zofia from Mokotów" in page
    assert "Paid to a person — Rent or a place to stay (Bank transfer)" in page
    assert "Approved by quorum (2 approvals, 2 needed)" in page
    assert "A member approved a request" in page
    assert f"request {paid}" not in page


def test_todays_entries_wait_for_the_day_to_close(client, fund, books, run):
    fund.gift(10_000)
    waiting = fund.ask(4_000, "food")
    fund.approve(waiting)
    size_yesterday = run(lambda s: s.execute(schema.tree_head.select()).first().size)

    books.day = None  # today: the treasurer pays
    fund.pay(waiting)
    fund.gift(3_000, public_name="Early Bird")

    entries = published(client)
    assert len(entries) == size_yesterday
    assert by_type(entries, "reservation") and not by_type(entries, "payout")
    assert "Early Bird" not in client.get("/ledger").get_data(as_text=True)
    assert client.get("/api/v1/ledger").json["published"]["size"] == size_yesterday
    # the first of today's entries reads exactly like an entry that does not exist
    today_first = client.get(f"/api/v1/ledger/entries/{size_yesterday}")
    nowhere = client.get("/api/v1/ledger/entries/99999")
    assert today_first.status_code == nowhere.status_code == 404
    assert today_first.json["reason"].replace(str(size_yesterday), "N") == nowhere.json["reason"].replace("99999", "N")
    page = client.get(f"/ledger/entries/{size_yesterday}")
    assert page.status_code == 404 and "not in the public ledger (yet)" in page.get_data(as_text=True)

    # at midnight they are all published at once
    tomorrow = datetime.now(UTC).date() + timedelta(days=1)
    everything = run(lambda s: s.execute(schema.tree_head.select()).first().size)
    assert run(lambda s: horizon(s, tomorrow)).size == everything > size_yesterday


def test_the_page_and_the_api_go_back_a_page_at_a_time_by_entry_number(client, fund):
    for amount in range(1_000, 1_000 + 60 * 10, 10):
        fund.gift(amount)
    total = client.get("/api/v1/ledger").json["published"]["size"]
    assert total > 60

    first = client.get("/api/v1/ledger/entries?after=9&limit=5").json
    assert [e["seq"] for e in first["entries"]] == [10, 11, 12, 13, 14]
    assert first["next"].endswith("/api/v1/ledger/entries?after=14&limit=5")
    last = client.get(f"/api/v1/ledger/entries?after={total - 3}&limit=5").json
    assert [e["seq"] for e in last["entries"]] == [total - 2, total - 1] and last["next"] is None
    assert len(client.get("/api/v1/ledger/entries?limit=500").json["entries"]) == min(total, 500)

    newest = client.get("/ledger").get_data(as_text=True)
    seqs = [int(s) for s in re.findall(r'<td[^>]*><a href="/ledger/entries/(\d+)', newest)]
    assert seqs == list(range(total - 1, total - 51, -1))
    older = re.search(r'href="(/ledger\?before=\d+[^"]*)" *>Older', newest) or re.search(
        r'rel="next" href="([^"]+)"', newest)
    second = client.get(older.group(1).replace("&amp;", "&")).get_data(as_text=True)
    assert [int(s) for s in re.findall(r'<td[^>]*><a href="/ledger/entries/(\d+)', second)][0] == total - 51


BAD_API_ADDRESSES = [
    "/api/v1/ledger/entries?after=-1", "/api/v1/ledger/entries?after=abc", "/api/v1/ledger/entries?limit=0",
    "/api/v1/ledger/entries?limit=501", "/api/v1/ledger/entries?limit=1e3", "/api/v1/ledger/entries?after=%00",
    "/api/v1/ledger/entries?after=99999999999999999999999", "/api/v1/ledger/entries?after=+1",
    "/api/v1/ledger/entries/x", "/api/v1/ledger/entries/0x1", "/api/v1/ledger/entries/-3/proof",
    "/api/v1/ledger/entries/0/proof?size=0", "/api/v1/ledger/entries/0/proof?size=999999",
    "/api/v1/ledger/entries/0/proof?size=%20", "/api/v1/ledger/consistency",
    "/api/v1/ledger/consistency?from=0&to=3", "/api/v1/ledger/consistency?from=5&to=4",
    "/api/v1/ledger/consistency?from=1&to=999999", "/api/v1/ledger/consistency?from=1.5",
    "/api/v1/ledger/checkpoints/abc", "/api/v1/ledger/checkpoints/%E2%80%94", "/api/v1/ledger/export.xlsx",
]
BAD_PAGE_ADDRESSES = ["/ledger?before=x", "/ledger?before=0", "/ledger/entries/abc", "/ledger/entries/-1",
                      "/ledger/entries/%F0%9F%92%A5"]


def test_bad_parameters_get_a_reason_never_a_server_error(client, fund):
    fund.gift(1_000)
    for path in BAD_API_ADDRESSES:
        answer = client.get(path)
        assert answer.status_code == 400, (path, answer.get_data(as_text=True))
        assert answer.json["error"] == "bad_parameter" and answer.json["reason"], path
    for path in BAD_PAGE_ADDRESSES:
        answer = client.get(path)
        assert answer.status_code == 400 and "<h1>" in answer.get_data(as_text=True), path


def test_a_new_fund_says_plainly_that_nothing_is_published_yet(client):
    assert client.get("/api/v1/ledger/entries").json["entries"] == []
    assert client.get("/api/v1/ledger/checkpoints/latest").status_code == 404
    assert client.get("/api/v1/ledger/consistency?from=1&to=1").status_code == 404
    assert client.get("/api/v1/ledger/entries/0/proof").status_code == 404
    assert "Nothing is published yet." in client.get("/ledger").get_data(as_text=True)
    assert "Nothing paid out yet." in client.get("/impact").get_data(as_text=True)
