"""In real browsers: a member signs in with a code, makes and unlocks their key, reads a
request's contact handle decrypted on the page, and approves; a second member approves; the
treasurer marks it paid on distribution day; the person's status page says it is paid."""

from __future__ import annotations

import pyotp
import pytest
from sqlalchemy import select

from funds.committees.models import Member
from funds.pools.models import Pool
from funds.requests import domain as requests_domain
from funds.requests.models import Request, SealedDetails
from tests.conftest import PASSWORD

from .conftest import CONTACT

pytestmark = [pytest.mark.sqlite_only, pytest.mark.browser]
PASSPHRASE = "orchard lantern seven rivers"


def sign_in(page, base: str, person) -> None:
    page.goto(f"{base}/committee/login")
    page.fill("#login_name", person.login_name)
    page.fill("#password", PASSWORD)
    page.get_by_role("button", name="Next").click()
    page.wait_for_url("**/committee/login/code")
    page.fill("#code", pyotp.TOTP(person.totp_secret).now())
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/committee/")


def test_two_members_approve_in_the_browser_the_treasurer_pays_and_the_person_sees_it_paid(
    live_server, browser, run, config, peers, give
):
    ana, bea, cai, pool_id = peers.ana, peers.bea, peers.cai, peers.pool_id
    # Ana has not made her key yet: she makes it in her browser below
    run(lambda session: setattr(session.get(Member, ana.id), "public_key", None))
    give(20_000)

    # Ana signs in with her code and makes her key in this browser
    ana_context = browser.new_context()
    page = ana_context.new_page()
    sign_in(page, live_server, ana)
    page.goto(f"{live_server}/committee/key")
    page.fill("#key-passphrase", PASSPHRASE)
    page.fill("#key-passphrase-repeat", PASSPHRASE)
    page.get_by_role("button", name="Make my key").click()
    page.wait_for_url("**/committee/key/check", timeout=30_000)

    # then someone asks for support: their contact handle is sealed to Ana's new key too
    def asking(session):
        asked = requests_domain.ask(
            session,
            pool=session.get(Pool, pool_id),
            amount=6_000,
            category="rent",
            method="cash",
            contact=CONTACT,
            note="three weeks behind",
            payout="",
            lang="en",
            pepper=config.effective_codename_pepper,
        )
        return asked.request.id, asked.codename

    request_id, codename = run(asking)
    sealed = run(lambda s: s.scalar(select(SealedDetails.sealed).where(SealedDetails.member_id == ana.id)))
    assert CONTACT.encode() not in bytes(sealed)

    page.goto(f"{live_server}/committee/queue")
    page.get_by_role("link", name=f"Request {request_id}").first.click()
    assert CONTACT not in page.content()
    page.fill("#unlock-passphrase", PASSPHRASE)
    page.get_by_role("button", name="Unlock and read").click()
    page.wait_for_selector("#sealed-contact.opened", timeout=30_000)
    assert page.inner_text("#sealed-contact") == CONTACT
    assert page.inner_text("#sealed-note") == "three weeks behind"
    page.click("#approve")
    # asked once more, with the amount and the pool, before the vote counts
    assert "Approve request" in page.inner_text("h1") and "Yes, approve" in page.inner_text("#confirm")
    page.click("#confirm")
    assert "Your say is counted" in page.inner_text(".flashes")
    ana_context.close()

    # Bea approves from her own browser: the quorum of two is reached and the money set aside
    bea_context = browser.new_context()
    page = bea_context.new_page()
    sign_in(page, live_server, bea)
    page.goto(f"{live_server}/committee/requests/{request_id}")
    page.click("#approve")
    page.click("#confirm")
    assert "Approved: the money is set aside." in page.inner_text(".flashes")
    bea_context.close()

    # Cai, the treasurer, marks the distribution day's payouts
    cai_context = browser.new_context()
    page = cai_context.new_page()
    sign_in(page, live_server, cai)
    page.goto(f"{live_server}/committee/payouts")
    page.check(f"#pay-{request_id}")
    page.select_option("#method", "cash")
    page.fill("#reference", "Tuesday distribution, envelope 12")
    page.click("#mark-paid")
    assert "Mark 1 request paid?" in page.inner_text("h1")
    page.click("#confirm")
    assert "1 payout recorded." in page.inner_text(".flashes")
    cai_context.close()
    assert run(lambda s: s.get(Request, request_id).state) == "paid"

    # the person checks with their codename, in a browser without JavaScript
    person = browser.new_context(java_script_enabled=False)
    page = person.new_page()
    page.goto(f"{live_server}/status")
    page.fill("#codename", codename)
    page.get_by_role("button", name="Show my request").click()
    assert "Paid" in page.inner_text(f"section[aria-labelledby='request-{request_id}'] .state")
    person.close()
