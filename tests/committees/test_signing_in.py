"""A committee member signs in with a password and a code; sessions are new, short and revocable."""

from __future__ import annotations

from datetime import datetime, timedelta

import pyotp
import pytest
from sqlalchemy import update

from app import create_app
from funds.clock import now
from funds.committees.models import CommitteeSession, MemberAccount

from .conftest import csrf_token, session_token


def sign_in_with_forms(client, person, code=None):
    token = csrf_token(client, "/committee/login")
    client.post("/committee/login", data={"csrf_token": token, "login_name": person.login_name,
                                          "password": person.password})
    token = csrf_token(client, "/committee/login/code")
    return client.post("/committee/login/code", data={"csrf_token": token, "code": code or person.code()})


def test_a_member_signs_in_with_password_then_code_and_reaches_the_dashboard(client, make_committee, make_member):
    committee_id, _ = make_committee("Warsaw", "warsaw")
    ala = make_member(committee_id, "coordinator", name="Ala")
    response = sign_in_with_forms(client, ala)
    assert response.status_code == 302 and response.location == "/committee/"
    page = client.get("/committee/").get_data(as_text=True)
    assert "Signed in as Ala, coordinator" in page


def test_the_session_id_changes_at_each_step_of_signing_in(client, make_committee, make_member):
    committee_id, _ = make_committee("Warsaw", "warsaw")
    ala = make_member(committee_id)
    # An attacker who planted a session token before sign-in gains nothing from it afterwards.
    with client.session_transaction() as cookie:
        cookie["committee_session"] = "planted-by-someone-else"
    client.post("/committee/login", data={"csrf_token": csrf_token(client, "/committee/login"),
                                          "login_name": ala.login_name, "password": ala.password})
    after_password = session_token(client)
    assert after_password and after_password != "planted-by-someone-else"
    client.post("/committee/login/code", data={"csrf_token": csrf_token(client, "/committee/login/code"),
                                               "code": ala.code()})
    after_code = session_token(client)
    assert after_code and after_code != after_password
    # the half-signed-in token was ended on the server: replaying it is useless
    with client.session_transaction() as cookie:
        cookie["committee_session"] = after_password
    assert client.get("/committee/").status_code == 302


def test_a_totp_code_works_only_once(client, make_committee, make_member, account_of):
    committee_id, _ = make_committee("Warsaw", "warsaw")
    ala = make_member(committee_id)
    code = ala.code()
    assert sign_in_with_forms(client, ala, code).location == "/committee/"
    client.post("/committee/logout", data={"csrf_token": csrf_token(client)})
    replay = sign_in_with_forms(client, ala, code)
    assert replay.status_code == 200
    assert "not right" in replay.get_data(as_text=True)
    assert client.get("/committee/").status_code == 302
    assert account_of(ala).totp_last_step == pyotp.TOTP(ala.totp_secret).timecode(datetime.now())
    # the next step's code (within the allowed clock drift) is still accepted
    assert sign_in_with_forms(client, ala, ala.code(offset_steps=1)).location == "/committee/"


@pytest.mark.sqlite_only
def test_unknown_login_and_wrong_password_get_the_same_answer(client, make_committee, make_member):
    committee_id, _ = make_committee("Warsaw", "warsaw")
    ala = make_member(committee_id)
    answers = []
    for login, password in ((ala.login_name, "wrong password!"), ("nobody-at-all", ala.password)):
        response = client.post("/committee/login", data={"csrf_token": csrf_token(client, "/committee/login"),
                                                          "login_name": login, "password": password})
        answers.append((response.status_code, response.get_data(as_text=True).split("<form")[0]))
    assert answers[0] == answers[1]


def test_repeated_failures_pause_the_account_then_it_works_again(client, run, make_committee, make_member, account_of):
    committee_id, _ = make_committee("Warsaw", "warsaw")
    ala = make_member(committee_id)
    for _ in range(5):
        client.post("/committee/login", data={"csrf_token": csrf_token(client, "/committee/login"),
                                              "login_name": ala.login_name, "password": "not the password"})
    assert account_of(ala).locked_until is not None
    # even the right password is refused while the account is paused
    paused = client.post("/committee/login", data={"csrf_token": csrf_token(client, "/committee/login"),
                                                   "login_name": ala.login_name, "password": ala.password})
    assert paused.status_code == 200 and "paused" in paused.get_data(as_text=True)
    assert session_token(client) is None
    # the pause ends by itself
    run(lambda s: s.execute(update(MemberAccount).where(MemberAccount.member_id == ala.id).values(
        locked_until=now() - timedelta(seconds=1))))
    assert sign_in_with_forms(client, ala).location == "/committee/"


@pytest.mark.sqlite_only
def test_wrong_codes_count_towards_the_pause(client, make_committee, make_member, account_of):
    committee_id, _ = make_committee("Warsaw", "warsaw")
    ala = make_member(committee_id)
    for _ in range(5):
        sign_in_with_forms(client, ala, code="000000" if ala.code() != "000000" else "111111")
    assert account_of(ala).locked_until is not None
    # the right code is refused while paused
    assert sign_in_with_forms(client, ala).status_code == 200
    assert client.get("/committee/").status_code == 302


def test_the_password_is_rehashed_when_the_cost_settings_change(app, config, make_committee, make_member, account_of):
    committee_id, _ = make_committee("Warsaw", "warsaw")
    ala = make_member(committee_id)
    old_hash = account_of(ala).password_hash
    assert "t=1" in old_hash
    stronger = create_app(config.with_overrides(password_time_cost=2))
    try:
        sign_in_with_forms(stronger.test_client(), ala)
    finally:
        stronger.extensions["ayni.engine"].dispose()
    new_hash = account_of(ala).password_hash
    assert new_hash != old_hash and "t=2" in new_hash


def test_an_idle_member_is_signed_out(client, config, make_committee, make_member, sign_in):
    committee_id, _ = make_committee("Warsaw", "warsaw")
    ala = make_member(committee_id)
    sign_in(client, ala)
    assert client.get("/committee/").status_code == 200
    with client.session_transaction() as cookie:
        cookie["committee_seen"] -= config.session_idle_minutes * 60 + 1
    response = client.get("/committee/")
    assert response.status_code == 302 and response.location.startswith("/committee/login")
    assert "without activity" in client.get(response.location).get_data(as_text=True)


def test_a_session_ends_after_its_absolute_limit_however_busy(client, run, config, make_committee, make_member,
                                                              sign_in):
    committee_id, _ = make_committee("Warsaw", "warsaw")
    ala = make_member(committee_id)
    sign_in(client, ala)
    assert client.get("/committee/").status_code == 200
    long_ago = now() - timedelta(hours=config.session_absolute_hours, minutes=1)
    run(lambda s: s.execute(update(CommitteeSession).values(started_at=long_ago)))
    assert client.get("/committee/").status_code == 302


def test_signing_out_ends_the_session_on_the_server(client, make_committee, make_member, sign_in):
    committee_id, _ = make_committee("Warsaw", "warsaw")
    ala = make_member(committee_id)
    sign_in(client, ala)
    stolen = session_token(client)
    client.post("/committee/logout", data={"csrf_token": csrf_token(client)})
    with client.session_transaction() as cookie:
        cookie["committee_session"] = stolen
        cookie["committee_seen"] = 2**31
    assert client.get("/committee/").status_code == 302


@pytest.mark.sqlite_only
def test_half_signed_in_members_reach_only_the_code_page(client, make_committee, make_member):
    committee_id, _ = make_committee("Warsaw", "warsaw")
    ala = make_member(committee_id, "coordinator")
    client.post("/committee/login", data={"csrf_token": csrf_token(client, "/committee/login"),
                                          "login_name": ala.login_name, "password": ala.password})
    assert client.get("/committee/members").location == "/committee/login/code"
    assert client.post("/committee/members/invite", data={"csrf_token": csrf_token(client, "/committee/login/code")}
                       ).status_code == 401


@pytest.mark.sqlite_only
def test_session_cookies_are_secure_httponly_and_samesite(client, make_committee, make_member):
    committee_id, _ = make_committee("Warsaw", "warsaw")
    ala = make_member(committee_id)
    client.get("/committee/login")
    response = client.post("/committee/login", data={"csrf_token": csrf_token(client, "/committee/login"),
                                                     "login_name": ala.login_name, "password": ala.password})
    cookie = response.headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Expires" not in cookie  # a browser-session cookie: gone when the browser closes


@pytest.mark.sqlite_only
def test_a_form_without_its_csrf_token_is_refused(client, make_committee, make_member, sign_in):
    committee_id, _ = make_committee("Warsaw", "warsaw")
    ala = make_member(committee_id, "coordinator")
    sign_in(client, ala)
    assert client.post("/committee/members/invite", data={"role": "member"}).status_code == 400
    assert client.post("/committee/members/invite", data={"role": "member", "csrf_token": "forged"}).status_code == 400
    accepted = client.post("/committee/members/invite", data={"role": "member", "csrf_token": csrf_token(client)})
    assert accepted.status_code == 200 and "/committee/join/" in accepted.get_data(as_text=True)
    assert client.post("/committee/login", data={"login_name": "x", "password": "y"}).status_code == 400


@pytest.mark.sqlite_only
def test_sign_in_never_redirects_to_another_site(client, make_committee, make_member):
    committee_id, _ = make_committee("Warsaw", "warsaw")
    ala = make_member(committee_id)
    for step, (target, expected) in enumerate((("//evil.example/", "/committee/"),
                                                ("/committee/members", "/committee/members"))):
        client.post("/committee/login", data={"csrf_token": csrf_token(client, "/committee/login"),
                                              "login_name": ala.login_name, "password": ala.password,
                                              "next": target})
        response = client.post("/committee/login/code", data={
            "csrf_token": csrf_token(client, "/committee/login/code"), "code": ala.code(offset_steps=step)})
        assert response.location == expected
        client.post("/committee/logout", data={"csrf_token": csrf_token(client)})
