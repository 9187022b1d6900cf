"""Addresses that name nothing: a page in the reader's language, never a 500."""

from __future__ import annotations

import pytest

from funds.donations.domain import record_offline_gift
from funds.pools.models import Pool

pytestmark = pytest.mark.sqlite_only


def test_a_page_that_does_not_exist_says_so_in_the_readers_language_and_direction(client):
    response = client.get("/pools/no-such-pool?lang=ar")
    page = response.get_data(as_text=True)
    assert response.status_code == 404
    assert '<html lang="ar" dir="rtl">' in page and "<main" in page


def test_a_method_an_address_does_not_take_gets_the_same_kind_of_page(client):
    response = client.delete("/pools?lang=fr")
    assert response.status_code == 405 and '<html lang="fr" dir="ltr">' in response.get_data(as_text=True)


def test_the_json_api_keeps_its_own_not_found(client):
    assert client.get("/api/v1/pools/no-such-pool").status_code == 404


LARGEST_ID = 2**63 - 1  #: the largest number an id column holds: the address reaches the database
TOO_LARGE = 2**64


@pytest.mark.parametrize("n", [LARGEST_ID, TOO_LARGE])
def test_a_member_asking_for_a_request_number_no_id_can_reach_gets_the_not_found_page(
    client_of, make_committee, make_member, n
):
    committee_id, _ = make_committee("Warsaw peer committee", "warsaw")
    member = client_of(make_member(committee_id))
    assert member.get("/committee/").status_code == 200  # signed in: past the sign-in page
    response = member.get(f"/committee/requests/{n}?lang=fr")
    assert response.status_code == 404
    assert '<html lang="fr" dir="ltr">' in response.get_data(as_text=True)


@pytest.mark.parametrize("n", [LARGEST_ID, TOO_LARGE])
def test_a_donor_asking_for_a_proof_in_a_tree_no_checkpoint_can_have_gets_not_found(
    client, run, make_committee, n
):
    _, pool_id = make_committee("Warsaw peer committee", "warsaw")
    gift = run(lambda s: record_offline_gift(s, s.get(Pool, pool_id), 10**6, amount_text="20.00", method="cash",
                                             public_name=None))
    assert client.get(f"/gifts/{gift.token}").status_code == 200  # the receipt is there
    response = client.get(f"/gifts/{gift.token}/proof-{n}.json")
    assert response.status_code == 404


@pytest.mark.parametrize("path", ["/api/v1/ledger/entries/{n}", "/api/v1/ledger/entries/{n}/proof"])
@pytest.mark.parametrize("n", [LARGEST_ID, TOO_LARGE])
def test_the_api_names_a_number_too_large_for_any_entry_as_a_bad_parameter(client, path, n):
    response = client.get(path.format(n=n))
    assert response.status_code == 400
    assert response.json == {
        "error": "bad_parameter", "parameter": "seq", "reason": "must be a whole number written in digits, like 42",
    }
