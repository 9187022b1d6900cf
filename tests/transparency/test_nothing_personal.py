"""Nothing about people reaches the public: contacts, notes, payout details and references,
decline reasons, codenames and members' names are planted, and every public page, API answer,
export, proof and report is searched for them. Today's payouts are not there either."""

from __future__ import annotations

import json
import re

from funds.committees import membership
from funds.scheduler import run_job
from tests.committees.conftest import csrf_token

from .conftest import PLANTED


def planted_secrets(fund) -> list[str]:
    secrets = [PLANTED[k] for k in ("contact", "note", "payout details", "reference", "decline reason")]
    secrets += list(PLANTED["member names"]) + list(fund.codenames.values())
    # parts of them too: a redaction that shortened a value would still leak it
    secrets += ["+48 600 111 222", "eviction", "PL61 1090", "7Q-55", "Secretname", "Hiddenname"]
    return secrets


def everything_public(client) -> dict[str, str]:
    """Every public address an outsider can read, with what it answered."""
    index = client.get("/api/v1/ledger").json
    size, latest = index["published"]["size"], index["latest_checkpoint"]
    year = index["published"]["closed_through"][:4]
    paths = ["/", "/pools", "/pools/warsaw-rent", "/api/v1/pools", "/api/v1/pools/warsaw-rent",
             "/ledger", "/ledger/check", "/impact", "/impact.csv", "/api/v1/ledger", "/api/v1/impact",
             "/api/v1/ledger/checkpoints/latest", "/api/v1/ledger/public-key", "/api/v1/ledger/deciders",
             "/api/v1/ledger/export.jsonl", "/api/v1/ledger/export.csv", "/api/v1/ledger/export.beancount",
             "/api/v1/grants.360giving.csv", f"/report/{year}", f"/api/v1/report/{year}",
             f"/api/v1/ledger/consistency?from=1&to={size}", f"/api/v1/ledger/entries?limit={size}"]
    for seq in range(size):
        paths += [f"/ledger/entries/{seq}", f"/api/v1/ledger/entries/{seq}", f"/api/v1/ledger/entries/{seq}/proof"]
    page, seen = client.get("/ledger").get_data(as_text=True), set()
    while (older := re.search(r'rel="next" href="([^"]+)"', page)) and older.group(1) not in seen:
        seen.add(older.group(1))
        paths.append(older.group(1).replace("&amp;", "&"))
        page = client.get(paths[-1]).get_data(as_text=True)
    answers = {}
    for path in paths:
        answer = client.get(path)
        assert answer.status_code == 200, path
        answers[path] = answer.get_data(as_text=True)
    assert latest is not None
    return answers


def a_season(fund, run) -> dict[str, int]:
    """Gifts, people supported and declined, a committee change: all of it yesterday."""
    fund.gift(50_000, public_name="Zofia")
    fund.gift(20_000)
    fund.card_gift(10_000, 320)
    seqs = {"paid": fund.supported(7_000, "rent"), "also paid": fund.supported(3_000, "medical")}
    seqs["declined"] = fund.ask(2_000, "phone-data")
    fund.decline(seqs["declined"])
    run(lambda s: membership.change_role(s, fund.member(s, "dora"), fund.member(s, "bea"), "treasurer"))
    return seqs


def test_no_public_page_api_export_or_proof_carries_anything_about_a_person(app, client, fund, run):
    a_season(fund, run)
    run_job(app, "sign-checkpoints")
    answers = everything_public(client)
    assert len(answers) > 60
    for path, body in answers.items():
        for secret in planted_secrets(fund):
            assert secret not in body, f"{secret!r} is public at {path}"
    assert "Zofia" in answers["/ledger"]  # the donor chose to be thanked by name
    assert "Zofia" not in answers["/api/v1/ledger/export.jsonl"]  # the books themselves never name anyone


def test_the_books_know_a_request_by_a_random_reference_not_its_number(client, fund, run):
    a_season(fund, run)
    lines = client.get("/api/v1/ledger/export.jsonl").get_data(as_text=True).splitlines()[1:]
    entries = [json.loads(line) for line in lines]
    about_requests = [e for e in entries if "request" in e["meta"]]
    assert {e["meta"]["what"] for e in about_requests} >= {"request submitted", "reservation", "payout"}
    for entry in about_requests:
        reference = entry["meta"]["request"]
        assert isinstance(reference, str) and re.fullmatch(r"[0-9a-f]{32}", reference), entry
        assert reference in entry["key"] and not re.search(r"request:\d+(:|$)", entry["key"]), entry["key"]


def test_todays_payouts_are_not_listed_anywhere_until_the_day_closes(app, client, fund, books, run):
    fund.gift(40_000)
    waiting = [fund.ask(6_000, "rent"), fund.ask(6_500, "food")]
    for request_id in waiting:
        fund.approve(request_id)
    run_job(app, "sign-checkpoints")
    books.day = None
    for request_id in waiting:
        fund.pay(request_id)

    answers = everything_public(client)
    entries = client.get("/api/v1/ledger/entries?limit=500").json["entries"]
    assert [e["type"] for e in entries].count("reservation") == 2
    assert not [e for e in entries if e["type"] == "payout"]
    for path, body in answers.items():
        assert '"what":"payout"' not in body and "Paid to a person" not in body, path
        assert "payout:request:" not in body, path
    assert "all,EUR,all,all,paid,0,0," in answers["/impact.csv"]  # nobody was paid before today
    pool = client.get("/api/v1/pools/warsaw-rent").json
    assert (pool["paid"], pool["reserved"], pool["people_supported"]) == (0, 12_500, 0)  # as of yesterday


def test_a_committee_that_publishes_who_decides_is_named_on_the_page_never_in_the_books(
    client, fund, run, client_of
):
    a_season(fund, run)
    dora = client_of(fund.people["dora"])
    assert dora.post("/committee/transparency",
                     data={"publish": "yes", "csrf_token": csrf_token(dora, "/committee/transparency")}
                     ).status_code == 303
    ana, bea = PLANTED["member names"][:2]
    page = client.get("/ledger").get_data(as_text=True)
    assert f"{ana} approved a request" in page and f"{bea} declined a request" in page
    exported = client.get("/api/v1/ledger/export.jsonl").get_data(as_text=True)
    assert ana not in exported and bea not in exported
    [published] = client.get("/api/v1/ledger/deciders").json["committees"]
    by_name = {m["name"]: m["commitment"] for m in published["members"]}
    assert by_name[ana] in exported  # anyone can check the names against the books' commitments
