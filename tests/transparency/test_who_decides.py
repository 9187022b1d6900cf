"""A committee chooses whether the public ledger names who decides: only a coordinator changes
it, both choices are hashed into the books, and the published key recomputes every commitment."""

from __future__ import annotations

import json

from sqlalchemy import select

from funds.committees import commitments
from funds.transparency import disclosure
from ledger import schema
from tests.committees.conftest import csrf_token

from .conftest import PLANTED

PAGE = "/committee/transparency"


def choose(client, publish: str):
    return client.post(PAGE, data={"publish": publish, "csrf_token": csrf_token(client, PAGE)})


def test_only_a_coordinator_publishes_who_decides_and_can_stop(client, client_of, fund, run):
    fund.gift(10_000)
    fund.supported(2_000, "food")
    ana_name = PLANTED["member names"][0]
    member = client_of(fund.people["ana"])
    assert "names nobody" in member.get(PAGE).get_data(as_text=True)
    assert choose(member, "yes").status_code == 403
    assert client.get(PAGE).status_code == 302  # strangers are sent to sign in

    coordinator = client_of(fund.people["dora"])
    assert choose(coordinator, "maybe").status_code == 400
    assert choose(coordinator, "yes").status_code == 303
    assert "names who decides" in coordinator.get(PAGE).get_data(as_text=True)
    assert f"{ana_name} approved a request" in client.get("/ledger").get_data(as_text=True)
    payout = [e for e in client.get("/api/v1/ledger/entries?limit=500").json["entries"] if e["type"] == "payout"]
    assert payout[0]["names"] == {"member": PLANTED["member names"][2]}

    assert choose(coordinator, "no").status_code == 303
    assert ana_name not in client.get("/ledger").get_data(as_text=True)
    assert client.get("/api/v1/ledger/deciders").json == {"committees": []}
    e = schema.entries.c
    recorded = [json.loads(m) for m in run(lambda s: s.scalars(select(e.meta).where(e.kind == "note")).all())]
    assert [n["what"] for n in recorded if n["what"].startswith("deciders")] == [
        "deciders-published", "deciders-unpublished"]


def test_the_published_key_recomputes_the_commitments_the_decisions_wrote(fund, run):
    fund.gift(10_000)
    fund.supported(2_000, "food")
    ours = run(lambda s: {name: disclosure.commitment(commitments.committee_salt(s, fund.committee_id), member_id)
                          for name, member_id in fund.members.items()})
    theirs = run(lambda s: {name: commitments.commitment(s, fund.member(s, name)) for name in fund.members})
    assert ours == theirs
