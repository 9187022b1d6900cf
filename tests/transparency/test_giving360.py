"""The grants as 360Giving data: valid against the standard's own schema (shipped in data/), one
row per paid grant, nobody named or findable, small groups left out or coarsened."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator
from referencing import Registry
from referencing.jsonschema import DRAFT202012
from sqlalchemy import select

from funds.requests.models import Request

from .conftest import PLANTED

DATA = Path(__file__).parent / "data"
JSON_URL, CSV_URL = "/api/v1/grants.360giving.json", "/api/v1/grants.360giving.csv"


def codes(name: str) -> set[str]:
    with open(DATA / name, encoding="utf-8") as listed:
        return {row["Code"] for row in csv.DictReader(listed)}


def package_validator() -> Draft202012Validator:
    """The package schema, finding the grant schema under the address it names, offline."""
    package = json.loads((DATA / "360-giving-package-schema.json").read_text(encoding="utf-8"))
    grant = DRAFT202012.create_resource(json.loads((DATA / "360-giving-schema.json").read_text(encoding="utf-8")))
    registry = Registry().with_resources(
        [(package["properties"]["grants"]["items"]["$ref"], grant), (grant.contents["$id"], grant)]
    )
    return Draft202012Validator(package, registry=registry, format_checker=Draft202012Validator.FORMAT_CHECKER)


def exported(client) -> dict:
    answer = client.get(JSON_URL)
    assert answer.status_code == 200 and answer.headers["Access-Control-Allow-Origin"] == "*"
    return answer.get_json()


def table(client) -> list[dict]:
    answer = client.get(CSV_URL)
    assert answer.status_code == 200 and answer.content_type.startswith("text/csv")
    return list(csv.DictReader(io.StringIO(answer.get_data(as_text=True))))


def test_a_funder_reads_every_paid_grant_as_valid_360giving_data(client, fund):
    fund.gift(200_000)
    for _ in range(5):
        fund.supported(3_150, "rent")
    fund.approve(fund.ask(2_000, "food"))  # approved, not paid: not a grant yet
    fund.decline(fund.ask(1_000, "legal"))

    shown = exported(client)
    errors = [error.message for error in package_validator().iter_errors(shown)]
    assert errors == []
    assert len(shown["grants"]) == 5
    yesterday = fund.books.day.isoformat()
    for grant in shown["grants"]:
        assert grant["title"] == "Emergency grant" and grant["currency"] == "EUR"
        assert grant["amountAwarded"] == 31.5 and grant["awardDate"] == yesterday
        assert grant["fundingOrganization"] == [{"id": "360G-ayni", "name": "Ayni mutual aid fund"}]
        assert grant["grantProgramme"][0]["code"] == "warsaw-rent"
        assert grant["grantProgramme"][0]["url"].endswith("/pools/warsaw-rent")
        assert grant["id"].startswith("360G-ayni-")
        assert grant["recipientIndividual"]["id"].startswith("360G-ayni-IND-")
        details = grant["toIndividualsDetails"]
        assert details == {"primaryGrantReason": "GTIR100", "grantPurpose": ["GTIP060"]}
        assert details["primaryGrantReason"] in codes("grantToIndividualsReason.csv")
        assert set(details["grantPurpose"]) <= codes("grantToIndividualsPurpose.csv")

    rows = table(client)
    assert [row["Identifier"] for row in rows] == [grant["id"] for grant in shown["grants"]]
    assert {row["Amount Awarded"] for row in rows} == {"31.5"}
    assert {row["To Individuals Details:Grant Purpose"] for row in rows} == {"GTIP060"}


def test_every_category_maps_to_a_code_of_the_standards_list():
    from funds.transparency.giving360 import PURPOSES, WITHHELD_PURPOSE
    from funds.vocabulary import CATEGORIES

    assert set(PURPOSES) == set(CATEGORIES)
    assert set(PURPOSES.values()) | {WITHHELD_PURPOSE} <= codes("grantToIndividualsPurpose.csv")


def test_the_export_names_nobody_and_tells_no_time_finer_than_a_day(client, fund, run):
    fund.gift(200_000, public_name="Generous Gosia")
    for category in ("rent", "food") * 3:
        fund.supported(2_500, category)
    refs = run(lambda s: list(s.scalars(select(Request.ledger_ref))))
    texts = [client.get(JSON_URL).get_data(as_text=True), client.get(CSV_URL).get_data(as_text=True)]

    secrets = [PLANTED[k] for k in ("contact", "note", "payout details", "reference", "decline reason")]
    secrets += [*PLANTED["member names"], "Generous Gosia", *fund.codenames.values(), *refs]
    for text in texts:
        for secret in secrets:
            assert secret not in text
        assert not re.search(r"\d{2}:\d{2}", text), "a time of day"
        assert not re.search(r"\d{4}-\d{2}-\d{2}T", text), "a date-time"
    grants = json.loads(texts[0])["grants"]
    ids = [g["id"] for g in grants] + [g["recipientIndividual"]["id"] for g in grants]
    assert len(set(ids)) == len(ids) == 12
    for identifier in ids:
        tail = identifier.rsplit("-", 1)[1]
        assert all(tail not in ref and ref not in identifier and ref[:8] not in identifier for ref in refs)
        assert all(codename.replace(" ", "") not in identifier for codename in fund.codenames.values())
    assert exported(client)["grants"] == grants, "ids are stable from one export to the next"


def test_grants_in_a_pool_and_month_with_fewer_than_five_people_are_left_out(client, fund):
    fund.gift(100_000)
    for _ in range(4):
        fund.supported(2_000, "rent")
    answer = client.get(JSON_URL)
    assert answer.status_code == 404 and answer.get_json()["error"] == "not_found"
    assert table(client) == []

    fund.supported(2_000, "rent")
    assert len(exported(client)["grants"]) == 5


def test_a_category_with_fewer_than_five_people_is_withheld_and_so_is_its_complement(client, fund):
    fund.gift(300_000)
    for _ in range(4):
        fund.supported(2_000, "legal")
    for _ in range(6):
        fund.supported(1_500, "food")
    for _ in range(7):
        fund.supported(1_000, "rent")

    grants = exported(client)["grants"]
    assert package_validator().is_valid({"grants": grants})
    purposes = [g["toIndividualsDetails"]["grantPurpose"] for g in grants]
    assert len(grants) == 17
    # legal hides (4 people); food, the smallest shown category, hides too, or the month's rows
    # less the rent and food ones would count the legal grants
    assert purposes.count(["GTIP170"]) == 0 and purposes.count(["GTIP070"]) == 0
    assert purposes.count(["GTIP060"]) == 7 and purposes.count(["GTIP010"]) == 10


def test_a_grant_paid_today_waits_for_tomorrows_export(client, fund, books):
    fund.gift(100_000)
    for _ in range(5):
        fund.supported(2_000, "medical")
    books.day = None
    fund.supported(2_000, "medical", at=datetime.now(UTC))
    assert len(exported(client)["grants"]) == 5


def test_a_fund_names_itself_and_its_reason_in_its_settings_and_a_typo_is_refused():
    from funds.config import Config

    config = Config.from_env({"AYNI_GIVING360_PREFIX": "360G-warsawfund", "AYNI_FUNDER_NAME": "Warsaw fund",
                              "AYNI_FUNDER_ID": "PL-KRS-0000123456", "AYNI_GIVING360_GRANT_REASON": "GTIR090"})
    assert (config.giving360_prefix, config.funder_name, config.effective_funder_id,
            config.giving360_grant_reason) == ("360G-warsawfund", "Warsaw fund", "PL-KRS-0000123456", "GTIR090")
    assert Config.from_env({"AYNI_GIVING360_PREFIX": "360G-warsawfund"}).effective_funder_id == "360G-warsawfund"
    for name, value in (("AYNI_GIVING360_PREFIX", "warsawfund"), ("AYNI_GIVING360_GRANT_REASON", "GTIR130")):
        with pytest.raises(RuntimeError, match=name):
            Config.from_env({name: value})
