"""Coordinators manage members; every change of role or access is hashed into the ledger."""

from __future__ import annotations

import json
import re

import pytest
from sqlalchemy import select

from funds.committees.commitments import commitment_of
from funds.committees.models import Member, MemberAccount
from ledger import schema

from .conftest import csrf_token


def governance_notes(run):
    rows = run(lambda s: s.execute(select(schema.entries.c.meta).where(schema.entries.c.kind == "note")).all())
    return [json.loads(row.meta) for row in rows]


def test_a_coordinator_changes_a_role_and_the_ledger_records_who_did_it(app, run, make_committee, make_member,
                                                                         sign_in):
    committee_id, _ = make_committee("Warsaw", "warsaw")
    ala, celina = make_member(committee_id, "coordinator"), make_member(committee_id, "member")
    client = app.test_client()
    sign_in(client, ala)
    client.post(f"/committee/members/{celina.id}/role", data={"csrf_token": csrf_token(client), "role": "treasurer"})
    assert run(lambda s: s.get(Member, celina.id)).role == "treasurer"
    note = [n for n in governance_notes(run) if n["what"] == "role-changed"][-1]
    celina_ref, ala_ref = run(
        lambda s: (commitment_of(s, committee_id, celina.id), commitment_of(s, committee_id, ala.id))
    )
    assert note == {"what": "role-changed", "committee": committee_id, "member": celina_ref, "by": ala_ref,
                    "old_role": "member", "role": "treasurer"}
    # The ledger names nobody, and numbers nobody: the same commitments as the members' votes.
    assert "Coordinator" not in json.dumps(governance_notes(run))
    keys = run(lambda s: s.scalars(select(schema.entries.c.key).where(schema.entries.c.key.like("committee:%"))).all())
    assert keys and all(re.fullmatch(rf"committee:{committee_id}:[a-z-]+:[0-9a-f]{{32}}", key) for key in keys)


def test_a_treasurer_cannot_change_roles(app, run, make_committee, make_member, sign_in):
    committee_id, _ = make_committee("Warsaw", "warsaw")
    treasurer, basia = make_member(committee_id, "treasurer"), make_member(committee_id, "member")
    client = app.test_client()
    sign_in(client, treasurer)
    response = client.post(f"/committee/members/{basia.id}/role",
                           data={"csrf_token": csrf_token(client), "role": "coordinator"})
    assert response.status_code == 403
    assert run(lambda s: s.get(Member, basia.id)).role == "member"


def test_the_last_coordinator_cannot_step_down(app, run, make_committee, make_member, sign_in):
    committee_id, _ = make_committee("Warsaw", "warsaw")
    ala = make_member(committee_id, "coordinator")
    client = app.test_client()
    sign_in(client, ala)
    client.post(f"/committee/members/{ala.id}/role", data={"csrf_token": csrf_token(client), "role": "member"},
                headers={"Accept-Language": "fr"})
    assert run(lambda s: s.get(Member, ala.id)).role == "coordinator"
    assert "au moins un coordinateur ou une coordinatrice" in client.get("/committee/members").get_data(as_text=True)


def test_removing_access_signs_the_member_out_everywhere(app, run, make_committee, make_member, sign_in):
    committee_id, _ = make_committee("Warsaw", "warsaw")
    ala, basia = make_member(committee_id, "coordinator"), make_member(committee_id, "member")
    coordinator, member = app.test_client(), app.test_client()
    sign_in(coordinator, ala)
    sign_in(member, basia)
    assert member.get("/committee/").status_code == 200
    removal = {"csrf_token": csrf_token(coordinator), "allowed": "no"}
    asked = coordinator.post(f"/committee/members/{basia.id}/access", data=removal)
    # first the coordinator is asked once more, and nothing changes until they say yes
    assert asked.status_code == 200 and "Yes, remove their access" in asked.get_data(as_text=True)
    assert member.get("/committee/").status_code == 200
    coordinator.post(f"/committee/members/{basia.id}/access", data={**removal, "confirmed": "yes"})
    assert member.get("/committee/").status_code == 302
    assert run(lambda s: s.get(MemberAccount, basia.id)).disabled_at is not None
    assert [n["what"] for n in governance_notes(run)][-1] == "access-removed"
    coordinator.post(f"/committee/members/{basia.id}/access", data={"csrf_token": csrf_token(coordinator),
                                                                    "allowed": "yes"})
    assert run(lambda s: s.get(MemberAccount, basia.id)).disabled_at is None


@pytest.mark.sqlite_only
def test_a_member_who_lost_their_phone_enrols_again_after_a_reset(app, run, make_committee, make_member, sign_in):
    committee_id, _ = make_committee("Warsaw", "warsaw")
    ala, basia = make_member(committee_id, "coordinator"), make_member(committee_id, "member")
    client = app.test_client()
    sign_in(client, ala)
    reset = {"csrf_token": csrf_token(client)}
    assert "Yes, reset it" in client.post(f"/committee/members/{basia.id}/two-factor-reset", data=reset).get_data(
        as_text=True)
    assert run(lambda s: s.get(MemberAccount, basia.id)).enrolled
    client.post(f"/committee/members/{basia.id}/two-factor-reset", data={**reset, "confirmed": "yes"})
    account = run(lambda s: s.get(MemberAccount, basia.id))
    assert not account.enrolled and account.totp_secret != basia.totp_secret
    phone_less = app.test_client()
    phone_less.post("/committee/login", data={"csrf_token": csrf_token(phone_less, "/committee/login"),
                                              "login_name": basia.login_name, "password": basia.password})
    assert phone_less.get("/committee/").location == "/committee/two-factor"


@pytest.mark.sqlite_only
def test_members_see_their_committee_and_nobody_else(app, make_committee, make_member, sign_in):
    warsaw, _ = make_committee("Warsaw", "warsaw")
    lima, _ = make_committee("Lima", "lima")
    make_member(warsaw, "member", name="Basia")
    make_member(lima, "member", name="Rosa")
    client = app.test_client()
    sign_in(client, make_member(warsaw, "coordinator", name="Ala"))
    page = client.get("/committee/members").get_data(as_text=True)
    assert "Basia" in page and "Rosa" not in page
    dashboard = client.get("/committee/").get_data(as_text=True)
    assert "Warsaw pool" in dashboard and "Lima pool" not in dashboard


def test_an_invitation_refused_keeps_what_was_typed_and_says_why(app, make_committee, make_member, sign_in):
    committee_id, _ = make_committee("Warsaw", "warsaw")
    client = app.test_client()
    sign_in(client, make_member(committee_id, "coordinator"))
    name = "Zuzanna " + "z" * 100
    response = client.post("/committee/members/invite", headers={"Accept-Language": "fr"},
                           data={"csrf_token": csrf_token(client), "display_name": name, "role": "member"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert f'value="{name}"' in page and 'role="alert"' in page and "100" in page


def test_a_role_that_does_not_exist_is_refused_with_the_reason(app, run, make_committee, make_member, sign_in):
    committee_id, _ = make_committee("Warsaw", "warsaw")
    ala, celina = make_member(committee_id, "coordinator"), make_member(committee_id, "member")
    client = app.test_client()
    sign_in(client, ala)
    client.post(f"/committee/members/{celina.id}/role", data={"csrf_token": csrf_token(client), "role": "king"})
    assert run(lambda s: s.get(Member, celina.id)).role == "member"
    assert "Please check the form: Not a valid choice." in client.get("/committee/members").get_data(as_text=True)
