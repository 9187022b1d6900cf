"""A committee member signs in with a password and a code; sessions are new, short and revocable."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pyotp
import pytest
from babel.dates import format_time
from sqlalchemy import update

from app import create_app
from funds.clock import now
from funds.committees.models import CommitteeSession, MemberAccount
from funds.committees.views import signin

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


TOTP_STEP = 30  #: seconds


class SignInClock:
    """The moment the sign-in pages check codes at, held by the test: no TOTP step ends mid-test."""

    def __init__(self, moment: datetime) -> None:
        self.moment = moment

    def __call__(self) -> datetime:
        return self.moment

    def next_step(self) -> None:
        self.moment += timedelta(seconds=TOTP_STEP)


@pytest.fixture
def sign_in_clock(app) -> SignInClock:
    # Ten seconds into a step, as a member's phone and the server would both see it.
    clock = SignInClock(datetime(2026, 3, 2, 9, 0, 10, tzinfo=UTC))
    app.extensions[signin.CLOCK] = clock
    return clock


def test_a_totp_code_works_only_once(client, make_committee, make_member, account_of, sign_in_clock):
    committee_id, _ = make_committee("Warsaw", "warsaw")
    ala = make_member(committee_id)
    totp = pyotp.TOTP(ala.totp_secret)
    step = totp.timecode(sign_in_clock.moment)
    code = totp.generate_otp(step)
    assert sign_in_with_forms(client, ala, code).location == "/committee/"
    assert account_of(ala).totp_last_step == step
    client.post("/committee/logout", data={"csrf_token": csrf_token(client)})
    replay = sign_in_with_forms(client, ala, code)
    assert replay.status_code == 200
    assert "not right" in replay.get_data(as_text=True)
    assert client.get("/committee/").status_code == 302
    # the next step's code (within the allowed clock drift) is still accepted
    assert sign_in_with_forms(client, ala, totp.generate_otp(step + 1)).location == "/committee/"
    assert account_of(ala).totp_last_step == step + 1
    client.post("/committee/logout", data={"csrf_token": csrf_token(client)})
    # A step later both codes are still within the drift the server allows, and both were used.
    sign_in_clock.next_step()
    for used in (code, totp.generate_otp(step + 1)):
        assert "not right" in sign_in_with_forms(client, ala, used).get_data(as_text=True)
    assert client.get("/committee/").status_code == 302


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
def test_wrong_codes_count_towards_the_pause(client, make_committee, make_member, account_of, sign_in_clock):
    committee_id, _ = make_committee("Warsaw", "warsaw")
    ala = make_member(committee_id)
    totp = pyotp.TOTP(ala.totp_secret)
    step = totp.timecode(sign_in_clock.moment)
    accepted_now = {totp.generate_otp(near) for near in range(step - 1, step + 2)}
    wrong = next(code for code in ("000000", "111111", "222222", "333333") if code not in accepted_now)
    for _ in range(5):
        sign_in_with_forms(client, ala, code=wrong)
    assert account_of(ala).locked_until is not None
    # the right code is refused while paused
    assert sign_in_with_forms(client, ala, totp.generate_otp(step)).status_code == 200
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
def test_sign_in_never_redirects_to_another_site(client, make_committee, make_member, sign_in_clock):
    committee_id, _ = make_committee("Warsaw", "warsaw")
    ala = make_member(committee_id)
    totp = pyotp.TOTP(ala.totp_secret)
    first_step = totp.timecode(sign_in_clock.moment)
    for step, (target, expected) in enumerate((("//evil.example/", "/committee/"),
                                                ("/committee/members", "/committee/members"))):
        client.post("/committee/login", data={"csrf_token": csrf_token(client, "/committee/login"),
                                              "login_name": ala.login_name, "password": ala.password,
                                              "next": target})
        response = client.post("/committee/login/code", data={
            "csrf_token": csrf_token(client, "/committee/login/code"), "code": totp.generate_otp(first_step + step)})
        assert response.location == expected
        client.post("/committee/logout", data={"csrf_token": csrf_token(client)})


def login_page_after(client, person, password):
    return client.post("/committee/login", data={"csrf_token": csrf_token(client, "/committee/login"),
                                                 "login_name": person.login_name, "password": password})


@pytest.mark.sqlite_only
def test_each_refusal_says_what_happened_and_what_to_do(app, client, run, make_committee, make_member):
    committee_id, _ = make_committee("Warsaw", "warsaw")
    ala, bea = make_member(committee_id), make_member(committee_id)
    wrong = login_page_after(client, ala, "not the password").get_data(as_text=True)
    assert "login name or password is not right" in wrong and "5 wrong tries" in wrong and "15 minutes" in wrong
    assert "That code is not right" in sign_in_with_forms(client, ala, "000000" if ala.code() != "000000"
                                                         else "111111").get_data(as_text=True)
    run(lambda s: s.execute(update(MemberAccount).where(MemberAccount.member_id == bea.id).values(disabled_at=now())))
    removed = login_page_after(app.test_client(), bea, bea.password).get_data(as_text=True)
    assert "access to the committee has been removed" in removed
    # a wrong password for a removed account reads like any wrong password: nothing about the account leaks
    assert "login name or password is not right" in login_page_after(app.test_client(), bea, "guess").get_data(
        as_text=True)


@pytest.mark.sqlite_only
def test_a_paused_member_learns_when_the_pause_ends_and_coordinators_see_it(
    app, client, run, make_committee, make_member, client_of
):
    committee_id, _ = make_committee("Warsaw", "warsaw")
    ala, coordinator = make_member(committee_id), make_member(committee_id, "coordinator")
    until = now() + timedelta(minutes=15)
    run(lambda s: s.execute(update(MemberAccount).where(MemberAccount.member_id == ala.id).values(locked_until=until)))
    paused = login_page_after(client, ala, ala.password).get_data(as_text=True)
    shown = format_time(until, "short", locale="en")  # e.g. "2:03 AM"
    assert "paused until" in paused and shown in paused and "(UTC)" in paused
    # someone guessing the password learns nothing about the pause
    assert "paused until" not in login_page_after(app.test_client(), ala, "guess").get_data(as_text=True)
    members = client_of(coordinator).get("/committee/members").get_data(as_text=True)
    assert "paused until" in members and shown in members
