"""Committee forms are forms: a body that is not one is refused with a 400, never a 500."""

from __future__ import annotations

import json

import pytest

from .conftest import csrf_token

pytestmark = pytest.mark.sqlite_only


@pytest.fixture
def member_client(make_committee, make_member, client_of):
    committee_id, _pool = make_committee("Warsaw", "warsaw")
    return client_of(make_member(committee_id, "coordinator"))


@pytest.mark.parametrize("body", [[1, 2], {"display_name": 5, "role": ["member"]}, 7])
def test_a_form_sent_as_json_with_a_token_header_is_refused(member_client, body):
    token = csrf_token(member_client, "/committee/members")
    response = member_client.post("/committee/members/invite", data=json.dumps(body),
                                  content_type="application/json", headers={"X-CSRFToken": token})
    assert response.status_code == 400


def test_a_multipart_part_without_a_name_is_refused(member_client):
    body = b"--b\r\nContent-Disposition: form-data\r\n\r\nvalue\r\n--b--\r\n"
    response = member_client.post("/committee/members/invite", data=body,
                                  content_type="multipart/form-data; boundary=b")
    assert response.status_code == 400
