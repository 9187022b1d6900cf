"""Deny by default, checked over every route the app has.

The matrix walks ``app.url_map``: each route not marked public is tried by a stranger (sent to sign
in, or 401) and by a coordinator of committee A with committee B's objects in the URL (403 or 404,
and nothing of B's on the page). A route added later is walked too: if it takes a parameter this
file does not know, the test fails until someone adds B's object for it below, and thinks about
scoping while doing so.
"""

from __future__ import annotations

import base64
import secrets
from dataclasses import dataclass

import pytest
from nacl.public import PrivateKey
from sqlalchemy import func, select

from funds.clock import now
from funds.committees.access import is_public
from funds.committees.invitations import create_invitation
from funds.committees.models import Invitation, Member
from funds.decisions.models import Vote
from funds.pools.models import Pool
from funds.requests.models import Request
from funds.transparency.models import Witness
from funds.web.access import public
from ledger.cosignature import generate_cosigner

from .conftest import csrf_token

SECRET = "Beta-committee-secret"
SKIPPED_METHODS = {"HEAD", "OPTIONS"}
#: fields a careless view might act on, so a missing scope shows as a change, not just a status
TEMPTING_FORM = {"role": "coordinator", "allowed": "no", "display_name": "Someone new",
                 "public_key": base64.b64encode(bytes(range(32))).decode(),
                 "choice": "fast-track", "reason": "no", "method": "cash", "reference": "ref", "code": "VOUCHER",
                 "message": "cancelled", "address": "someone@example.org"}


@dataclass
class CommitteeB:
    pool_id: int
    pool_slug: str
    member_id: int
    coordinator_id: int
    invitation_id: int
    request_id: int
    witness_id: int


#: URL parameter -> committee B's object of that kind. New parameters must be added here.
OBJECTS_OF_B = {
    "pool_id": lambda b: b.pool_id,
    "slug": lambda b: b.pool_slug,
    "member_id": lambda b: b.member_id,
    "invitation_id": lambda b: b.invitation_id,
    "request_id": lambda b: b.request_id,
    "witness_id": lambda b: b.witness_id,
}


@pytest.fixture
def committee_b(run, config, make_committee, make_member):
    committee_id, pool_id = make_committee(f"{SECRET} committee", "beta-pool")
    coordinator = make_member(committee_id, "coordinator", name=f"{SECRET} coordinator")
    member = make_member(committee_id, "member", name=f"{SECRET} member")

    def invite(session):
        invitation, _ = create_invitation(session, config, committee_id, display_name=SECRET, moment=now())
        return invitation.id

    def request_for_help(session):
        aid = Request(pool_id=pool_id, amount=1_000, category="food", method="cash", lang="en",
                      codename_id=secrets.token_bytes(32), inbox_key=bytes(PrivateKey.generate().public_key))
        session.add(aid)
        session.flush()
        return aid.id

    def witness(session):
        # Witnesses are public (GET /api/v1/ledger/witnesses lists them all): the label is no secret.
        found = Witness(committee_id=committee_id, label="Beta's witness", vkey=generate_cosigner("b.example/w").vkey,
                        url=None, last_size=0, added_at=now(), added_by_id=coordinator.id)
        session.add(found)
        session.flush()
        return found.id

    return CommitteeB(pool_id, "beta-pool", member.id, coordinator.id, run(invite), run(request_for_help),
                      run(witness))


@pytest.fixture
def coordinator_of_a(make_committee, make_member):
    committee_id, _ = make_committee("Alpha committee", "alpha-pool")
    make_member(committee_id, "member")
    return make_member(committee_id, "coordinator")


def guarded_routes(app):
    for rule in app.url_map.iter_rules():
        if is_public(app, rule.endpoint):
            continue
        for method in sorted(rule.methods - SKIPPED_METHODS):
            yield rule, method


def url_with_objects_of_b(rule, b: CommitteeB) -> str:
    unknown = sorted(set(rule.arguments) - set(OBJECTS_OF_B))
    if unknown:
        raise LookupError(f"{rule.rule} takes {', '.join(unknown)}: add committee B's object to OBJECTS_OF_B")
    return _build(rule, {name: OBJECTS_OF_B[name](b) for name in rule.arguments})


def _build(rule, values) -> str:
    _, path = rule.build(values, append_unknown=False)
    return path


def matrix_problems(app, b: CommitteeB, member, sign_in) -> list[str]:
    """Everything member (of committee A) could do to or see of committee B."""
    problems = []
    for rule, method in guarded_routes(app):
        try:
            url = url_with_objects_of_b(rule, b)
        except LookupError as unknown:
            problems.append(str(unknown))
            continue
        client = app.test_client()
        sign_in(client, member)
        form = {**TEMPTING_FORM, "request_ids": str(b.request_id), "csrf_token": csrf_token(client)}
        response = client.open(url, method=method, data=form)
        body = response.get_data(as_text=True)
        if rule.arguments and response.status_code not in (403, 404):
            problems.append(f"{method} {url} answered {response.status_code} to another committee's member")
        elif response.status_code >= 500 or SECRET in body:
            problems.append(f"{method} {url} showed committee B's data (status {response.status_code})")
    return problems


def test_a_member_of_one_committee_cannot_reach_anything_of_another(app, run, committee_b, coordinator_of_a,
                                                                    sign_in):
    assert list(guarded_routes(app)), "the matrix found no guarded route at all"
    assert matrix_problems(app, committee_b, coordinator_of_a, sign_in) == []
    member, invitation = run(lambda s: (s.get(Member, committee_b.member_id), s.get(Invitation,
                                                                                    committee_b.invitation_id)))
    assert member.role == "member" and invitation.cancelled_at is None
    assert run(lambda s: s.get(Request, committee_b.request_id).state) == "submitted"
    assert run(lambda s: s.scalar(select(func.count()).select_from(Vote))) == 0
    assert run(lambda s: s.get(Pool, committee_b.pool_id)).committee_id != coordinator_of_a.committee_id


@pytest.mark.sqlite_only
def test_a_stranger_is_sent_to_sign_in_on_every_guarded_route(app, committee_b):
    for rule, method in guarded_routes(app):
        url = url_with_objects_of_b(rule, committee_b)
        response = app.test_client().open(url, method=method)
        if method == "GET":
            assert response.status_code == 302, url
            assert response.location.startswith("/committee/login?next="), url
        else:
            assert response.status_code == 401, f"{method} {url}"


@pytest.mark.sqlite_only
def test_a_plain_member_cannot_manage_their_own_committee(app, make_committee, make_member, sign_in):
    committee_id, _ = make_committee("Alpha committee", "alpha-pool")
    basia = make_member(committee_id, "member")
    colleague = make_member(committee_id, "member")
    for rule in app.url_map.iter_rules():
        role = getattr(app.view_functions[rule.endpoint], "ayni_role", "member")
        if role == "member":
            continue
        client = app.test_client()
        sign_in(client, basia)
        url = _build(rule, {name: colleague.id for name in rule.arguments})
        assert client.post(url, data={**TEMPTING_FORM, "csrf_token": csrf_token(client)}).status_code == 403, url


@pytest.mark.sqlite_only
def test_a_route_added_without_a_rule_is_refused_and_caught_by_the_matrix(app, run, committee_b, coordinator_of_a,
                                                                          sign_in):
    from funds.db import get_session

    # Someone adds a page and forgets both the public mark and the committee scope.
    @app.get("/reports/pool/<int:pool_id>")
    def forgotten_report(pool_id):
        return get_session().get(Pool, pool_id).slug + " " + SECRET

    @app.get("/reports/<int:report_id>")
    def unknown_report(report_id):
        return "?"

    @app.get("/about-us")
    @public
    def about():
        return "open to all"

    assert app.test_client().get("/reports/pool/1").location.startswith("/committee/login")
    assert app.test_client().get("/about-us").status_code == 200
    problems = matrix_problems(app, committee_b, coordinator_of_a, sign_in)
    assert any("/reports/pool/" in p and "answered 200" in p for p in problems)
    assert any("report_id" in p and "OBJECTS_OF_B" in p for p in problems)


@pytest.mark.sqlite_only
def test_the_committee_area_opens_only_sign_in_and_invitations_to_strangers(app):
    committee_public = {r.endpoint for r in app.url_map.iter_rules()
                        if r.endpoint.startswith("committees.") and is_public(app, r.endpoint)}
    assert committee_public == {"committees.login", "committees.logout", "committees.join"}
