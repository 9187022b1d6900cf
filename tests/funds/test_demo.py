"""The demo fund `flask dev` adds: three weeks of published books a newcomer can click through."""

from sqlalchemy import func, select

from funds.demo import data as demo
from funds.requests.models import Request
from ledger import audit


def test_the_demo_fund_has_three_weeks_of_published_books_and_two_requests_waiting(client, run, config):
    assert run(lambda session: demo.seed(session, config))
    assert not run(lambda session: demo.seed(session, config))  # once only

    ledger = client.get("/ledger").get_data(as_text=True)
    assert "Paid to a person — Rent or a place to stay (Bank transfer)" in ledger and "Approved by quorum" in ledger
    assert "Sex workers&#39; collective" in ledger
    pool = client.get("/api/v1/pools/where-most-needed").json
    assert (pool["raised"], pool["paid"], pool["people_supported"]) == (312_000, 290_000, 6)
    impact = client.get("/impact.csv").get_data(as_text=True).splitlines()
    assert [row for row in impact if row.startswith("all,PLN,all,rent,paid,")] == ["all,PLN,all,rent,paid,6,290000,"]
    # the pool page's recent lines name each kind in the reader's words, not the books' codes
    lines = client.get("/pools/where-most-needed?lang=fr").get_data(as_text=True).split("<table")[-1]
    assert "Mis de côté pour une demande acceptée" in lines and "reservation" not in lines
    waiting = run(lambda s: s.scalar(select(func.count()).select_from(Request).where(Request.state == "submitted")))
    assert waiting == 2
    run(audit.verify)
