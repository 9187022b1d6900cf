"""Requests no browser sends still get an answer, not a crash."""

from __future__ import annotations

import json

import pytest

pytestmark = pytest.mark.sqlite_only


@pytest.mark.parametrize("path", ["/request", "/request/confirm", "/status", "/status/withdraw"])
@pytest.mark.parametrize("body", [[1, 2], {"codename": 5, "lang": ["fr"]}, "text"])
def test_a_recipient_form_sent_as_json_is_refused_with_a_400(client, pools, path, body):
    response = client.post(path, data=json.dumps(body), content_type="application/json")
    assert response.status_code == 400
    assert "Something went wrong with what was sent" in response.get_data(as_text=True)


def test_a_query_named_like_part_of_the_address_leaves_the_language_links_alone(client, pools):
    response = client.get("/pools/aid?slug=elsewhere&lang=fr")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'href="/pools/aid?lang=es"' in page and "elsewhere" not in page
