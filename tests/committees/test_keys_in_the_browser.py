"""A new member, in a real browser: joins, enrols a code, makes a key; their browser opens sealed boxes.

This is the path the queue pages rely on: a box sealed in Python (PyNaCl, as recipients' details
are sealed) opens in the member's browser after they unlock their key with its passphrase.
"""

from __future__ import annotations

import base64
import json

import pyotp
import pytest
from nacl.public import PublicKey, SealedBox
from sqlalchemy import select

from funds.clock import now
from funds.committees.invitations import create_invitation
from funds.committees.models import Member

PASSPHRASE = "river stone lantern morning"


def sealed_for(public_key: bytes, plain: bytes) -> str:
    return base64.b64encode(SealedBox(PublicKey(public_key)).encrypt(plain)).decode()


@pytest.mark.sqlite_only
def test_a_new_member_makes_a_key_in_the_browser_that_opens_boxes_sealed_in_python(
    live_server, page, run, config, make_committee
):
    committee_id, _ = make_committee("Warsaw", "warsaw")
    token = run(lambda s: create_invitation(s, config, committee_id, display_name="Dorota", moment=now())[1])
    sent = []
    page.on("request", lambda request: sent.append(request.post_data or ""))

    page.goto(f"{live_server}/committee/join/{token}")
    page.fill("#login_name", "dorota")
    page.fill("#password", "a long enough password")
    page.fill("#repeat", "a long enough password")
    page.get_by_role("button", name="Join").click()
    page.wait_for_url("**/committee/two-factor")
    secret = page.inner_text("#totp-secret")
    page.fill("#code", pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Turn on two-step sign-in").click()
    page.wait_for_url("**/committee/key")

    page.fill("#key-passphrase", PASSPHRASE)
    page.fill("#key-passphrase-repeat", PASSPHRASE)
    page.get_by_role("button", name="Make my key").click()
    page.wait_for_url("**/committee/key/check", timeout=30_000)
    member = run(lambda s: s.scalar(select(Member).where(Member.display_name == "Dorota")))
    public_key = bytes(member.public_key)
    assert len(public_key) == 32
    assert not any(PASSPHRASE in body for body in sent), "the passphrase must never leave the browser"

    stored = page.evaluate(f"() => AyniKeys.storedKey({member.id})")
    assert stored["publicKey"] == base64.b64encode(public_key).decode()
    assert set(stored) >= {"kdf", "nonce", "secretKey"} and stored["kdf"]["algorithm"] == "argon2id13"

    # unlock on the check page: the server's sealed test message opens in place
    page.fill("#unlock-passphrase", PASSPHRASE)
    page.get_by_role("button", name="Unlock and read").click()
    page.wait_for_selector("#sealed-check.opened", timeout=30_000)
    assert "Your key works" in page.inner_text("#sealed-check")

    # a box sealed in Python, as a recipient's contact handle will be
    contact = "Signal +48 600 000 000 — ask for Ola ☂"
    assert page.evaluate("box => AyniKeys.openSealed(box)", sealed_for(public_key, contact.encode())) == contact
    # the requests area pads a JSON object before sealing; the queue pages read one field of it
    details = json.dumps({"contact": contact, "note": "rent", "payout": "cash"}).encode() + b"\x80"
    details += b"\x00" * (-len(details) % 256)
    opened = page.evaluate("box => AyniKeys.openSealed(box, {padding: 'iso7816', field: 'contact'})",
                           sealed_for(public_key, details))
    assert opened == contact

    # a wrong passphrase opens nothing
    page.evaluate("() => AyniKeys.lock()")
    refusal = page.evaluate(
        f"() => AyniKeys.unlock({member.id}, 'not my passphrase').then(() => 'opened', e => e.message)"
    )
    assert refusal == "wrong passphrase"
    assert page.evaluate("box => AyniKeys.openSealed(box).catch(e => e.message)", sealed_for(public_key, b"x")) == (
        "unlock your key first"
    )

    # the backup file restores the key in a browser that lost it
    backup = page.evaluate(f"() => AyniKeys.exportKey({member.id})")
    page.evaluate("() => localStorage.clear()")
    assert page.evaluate(f"() => AyniKeys.storedKey({member.id})") is None
    page.evaluate(f"text => AyniKeys.importKey({member.id}, text, '{stored['publicKey']}')", backup)
    page.evaluate(f"() => AyniKeys.unlock({member.id}, '{PASSPHRASE}')")
    assert page.evaluate("box => AyniKeys.openSealed(box)", sealed_for(public_key, b"restored")) == "restored"
