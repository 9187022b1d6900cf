"""A coordinator invites a new member with a link that works once and expires."""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta

import pyotp
import pytest
from sqlalchemy import select, update

from funds.clock import now
from funds.committees.models import Invitation, Member, MemberAccount

from .conftest import PASSWORD, csrf_token


def invite(client, role="member", name="Dorota") -> str:
    response = client.post("/committee/members/invite",
                           data={"csrf_token": csrf_token(client), "role": role, "display_name": name})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    return re.search(r'id="invitation-link">http://localhost(/committee/join/[^<]+)<', page)[1]


def join(client, link, login="dorota", password=PASSWORD, repeat=None):
    return client.post(link, data={"csrf_token": csrf_token(client, "/committee/login"), "display_name": "Dorota",
                                   "login_name": login, "password": password, "repeat": repeat or password})


def test_an_invited_member_joins_enrols_a_code_and_is_asked_for_a_key(app, run, make_committee, make_member,
                                                                       sign_in):
    committee_id, _ = make_committee("Warsaw", "warsaw")
    coordinator = make_member(committee_id, "coordinator")
    ala = app.test_client()
    sign_in(ala, coordinator)
    link = invite(ala, role="treasurer")
    token = link.rsplit("/", 1)[1]
    stored = run(lambda s: s.scalar(select(Invitation)))
    assert stored.token_hash == hashlib.sha256(token.encode()).hexdigest() and token not in stored.token_hash

    dorota = app.test_client()
    assert "You are invited as treasurer" in dorota.get(link).get_data(as_text=True)
    assert join(dorota, link).location == "/committee/two-factor"
    # no committee page before the second factor is set up
    assert dorota.get("/committee/").location == "/committee/two-factor"
    page = dorota.get("/committee/two-factor").get_data(as_text=True)
    secret = re.search(r'id="totp-secret">([A-Z2-7]+)<', page)[1]
    assert "otpauth://totp/Ayni:dorota?secret=" + secret in page and "<svg" in page
    response = dorota.post("/committee/two-factor", data={"csrf_token": csrf_token(dorota, "/committee/two-factor"),
                                                          "code": pyotp.TOTP(secret).now()})
    assert response.location == "/committee/key"
    assert dorota.get("/committee/").status_code == 200
    member = run(lambda s: s.scalar(select(Member).where(Member.display_name == "Dorota")))
    assert member.role == "treasurer" and member.committee_id == committee_id
    assert run(lambda s: s.get(MemberAccount, member.id)).enrolled


def test_an_invitation_link_works_only_once(app, make_committee, make_member, sign_in):
    committee_id, _ = make_committee("Warsaw", "warsaw")
    ala = app.test_client()
    sign_in(ala, make_member(committee_id, "coordinator"))
    link = invite(ala)
    assert join(app.test_client(), link).status_code == 302
    second = app.test_client()
    assert second.get(link).status_code == 410
    assert join(second, link, login="intruder").status_code == 410


def test_an_expired_or_cancelled_invitation_no_longer_works(app, run, make_committee, make_member, sign_in):
    committee_id, _ = make_committee("Warsaw", "warsaw")
    ala = app.test_client()
    sign_in(ala, make_member(committee_id, "coordinator"))
    expired, cancelled = invite(ala, name="Late"), invite(ala, name="Cancelled")
    run(lambda s: s.execute(update(Invitation).where(Invitation.display_name == "Late")
                            .values(expires_at=now() - timedelta(minutes=1))))
    assert app.test_client().get(expired).status_code == 410
    invitation_id = run(lambda s: s.scalar(select(Invitation.id).where(Invitation.display_name == "Cancelled")))
    ala.post(f"/committee/invitations/{invitation_id}/cancel", data={"csrf_token": csrf_token(ala)})
    assert app.test_client().get(cancelled).status_code == 410


def test_a_typo_while_joining_does_not_use_up_the_link(app, run, make_committee, make_member, sign_in):
    committee_id, _ = make_committee("Warsaw", "warsaw")
    ala = app.test_client()
    sign_in(ala, make_member(committee_id, "coordinator"))
    link = invite(ala)
    dorota = app.test_client()
    assert join(dorota, link, repeat="a different password").status_code == 422
    assert join(dorota, link, login="X").status_code == 422
    assert run(lambda s: s.scalar(select(Invitation.used_at))) is None
    assert join(dorota, link).status_code == 302


@pytest.mark.sqlite_only
def test_the_command_line_bootstraps_a_first_coordinator_and_invites(app, run):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["committee", "create-coordinator", "--committee", "Lima", "--name", "Rosa",
                                 "--login", "rosa"], input=f"{PASSWORD}\n{PASSWORD}\n")
    assert result.exit_code == 0, result.output
    rosa = run(lambda s: s.scalar(select(Member).where(Member.display_name == "Rosa")))
    assert rosa.role == "coordinator" and not run(lambda s: s.get(MemberAccount, rosa.id)).enrolled
    # her first sign-in goes straight to enrolling the code
    client = app.test_client()
    client.post("/committee/login", data={"csrf_token": csrf_token(client, "/committee/login"),
                                          "login_name": "rosa", "password": PASSWORD})
    assert client.get("/committee/").location == "/committee/two-factor"

    result = runner.invoke(args=["committee", "invite", "--committee", "Lima", "--role", "coordinator",
                                 "--base-url", "https://ayni.example.org"])
    assert result.exit_code == 0, result.output
    link = re.search(r"https://ayni\.example\.org(/committee/join/\S+)", result.output)[1]
    assert "Lima" in app.test_client().get(link).get_data(as_text=True)
    assert runner.invoke(args=["committee", "invite", "--committee", "Nowhere"]).exit_code != 0


def test_a_member_who_chose_arabic_reads_arabic_from_the_invitation_to_every_committee_page(
    app, make_committee, make_member, sign_in
):
    committee_id, _ = make_committee("Warsaw", "warsaw")
    coordinator = make_member(committee_id, "coordinator")
    ala = app.test_client()
    sign_in(ala, coordinator)
    link = invite(ala)
    dorota = app.test_client()
    assert 'lang="ar" dir="rtl"' in dorota.get(f"{link}?lang=ar").get_data(as_text=True)
    assert join(dorota, link).location == "/committee/two-factor"
    # the two-step setup after joining, with no ?lang in its address, is still Arabic
    assert 'lang="ar" dir="rtl"' in dorota.get("/committee/two-factor").get_data(as_text=True)
    # a signed-in member who picks French on one page reads French on the next, following plain links
    ala.get("/committee/members?lang=fr")
    for page in ("/committee/", "/committee/queue", "/committee/key"):
        assert '<html lang="fr" dir="ltr">' in ala.get(page).get_data(as_text=True), page


def test_choosing_a_language_outside_the_committee_pages_sets_no_cookie(client, make_committee):
    make_committee("Warsaw", "warsaw")
    for page in ("/request?lang=ar", "/status?lang=fr", "/ledger?lang=zh", "/?lang=es"):
        assert "Set-Cookie" not in client.get(page).headers, page
