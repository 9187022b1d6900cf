"""Addresses that name nothing: a page in the reader's language, never a 500."""

from __future__ import annotations

import pytest

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


@pytest.mark.parametrize("path", ["/committee/requests/{n}", "/gifts/x/proof-{n}.json", "/api/v1/ledger/entries/{n}"])
def test_a_number_too_large_for_any_id_is_not_found_not_an_overflow(client, path):
    assert client.get(path.format(n=2**64)).status_code in (302, 400, 404)
