"""The server keeps members' public keys only, and seals to them what only members can open."""

from __future__ import annotations

import base64

import pytest
from nacl.public import PrivateKey, SealedBox

from funds.committees import keys
from funds.committees.models import Member

from .conftest import csrf_token


def b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


def test_a_member_saves_a_public_key_and_a_replacement_must_be_asked_for(app, run, make_committee, make_member,
                                                                          sign_in):
    committee_id, _ = make_committee("Warsaw", "warsaw")
    basia = make_member(committee_id)
    client = app.test_client()
    sign_in(client, basia)
    first, second = PrivateKey.generate(), PrivateKey.generate()
    response = client.post("/committee/key", data={"csrf_token": csrf_token(client), "public_key": b64(
        bytes(first.public_key))})
    assert response.location == "/committee/key/check"
    assert run(lambda s: s.get(Member, basia.id)).public_key == bytes(first.public_key)

    refused = client.post("/committee/key", data={"csrf_token": csrf_token(client),
                                                  "public_key": b64(bytes(second.public_key))})
    assert refused.status_code == 422 and "tick the box" in refused.get_data(as_text=True)
    client.post("/committee/key", data={"csrf_token": csrf_token(client), "replace": "y",
                                        "public_key": b64(bytes(second.public_key))})
    assert run(lambda s: s.get(Member, basia.id)).public_key == bytes(second.public_key)


@pytest.mark.sqlite_only
def test_a_malformed_public_key_is_refused(app, run, make_committee, make_member, sign_in):
    committee_id, _ = make_committee("Warsaw", "warsaw")
    basia = make_member(committee_id)
    client = app.test_client()
    sign_in(client, basia)
    for bad in ("not base64!", b64(b"too short"), b64(bytes(33))):
        response = client.post("/committee/key", data={"csrf_token": csrf_token(client), "public_key": bad})
        assert response.status_code == 422, bad
    assert run(lambda s: s.get(Member, basia.id)).public_key is None


@pytest.mark.sqlite_only
def test_the_check_page_carries_a_box_only_the_member_can_open(app, run, make_committee, make_member, sign_in):
    committee_id, _ = make_committee("Warsaw", "warsaw")
    basia = make_member(committee_id)
    private = PrivateKey.generate()
    run(lambda s: setattr(s.get(Member, basia.id), "public_key", bytes(private.public_key)))
    client = app.test_client()
    sign_in(client, basia)
    response = client.get("/committee/key/check")
    page = response.get_data(as_text=True)
    sealed = page.split('data-sealed="', 1)[1].split('"', 1)[0]
    assert b"Your key works" in SealedBox(private).decrypt(base64.b64decode(sealed))
    assert "'wasm-unsafe-eval'" in response.headers["Content-Security-Policy"]
    assert response.headers["Cache-Control"] == "no-store"


def test_the_committee_is_sealed_to_every_member_with_a_key_and_access(app, run, make_committee, make_member):
    committee_id, _ = make_committee("Warsaw", "warsaw")
    with_key, without_key, removed = (make_member(committee_id) for _ in range(3))
    private = {with_key.id: PrivateKey.generate(), removed.id: PrivateKey.generate()}

    def setup(session):
        for member_id, key in private.items():
            session.get(Member, member_id).public_key = bytes(key.public_key)
        from funds.clock import now
        from funds.committees.models import MemberAccount

        session.get(MemberAccount, removed.id).disabled_at = now()

    run(setup)
    boxes = run(lambda s: keys.seal_for_committee(s, committee_id, b"call me on Signal"))
    assert set(boxes) == {with_key.id}
    assert SealedBox(private[with_key.id]).decrypt(base64.b64decode(boxes[with_key.id])) == b"call me on Signal"
    assert without_key.id not in boxes
