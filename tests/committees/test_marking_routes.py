"""How other areas use the guard: public blueprints, committee-only views inside them, roles."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import Blueprint
from sqlalchemy import func, select, update

from funds.clock import now
from funds.committees.access import committee_required, current_member
from funds.committees.jobs import end_stale_sessions
from funds.committees.models import CommitteeSession
from funds.web.access import public_blueprint

from .conftest import csrf_token


def pools_like_area():
    """An area like the pools pages: public pages, plus an edit page for treasurers and up."""
    blueprint = public_blueprint(Blueprint("pools_like", __name__))

    @blueprint.get("/things")
    def list_things():
        return "everyone may look"

    @blueprint.route("/things/edit", methods=["GET", "POST"])
    @committee_required(role="treasurer")
    def edit_things():
        return f"edited by {current_member().display_name}"

    return blueprint


@pytest.mark.sqlite_only
def test_a_committee_only_view_inside_a_public_blueprint_needs_the_role(app, make_committee, make_member, sign_in):
    app.register_blueprint(pools_like_area())
    committee_id, _ = make_committee("Warsaw", "warsaw")
    assert app.test_client().get("/things").status_code == 200
    assert app.test_client().get("/things/edit").location.startswith("/committee/login")
    assert app.test_client().post("/things/edit").status_code == 401
    for role, expected in (("member", 403), ("treasurer", 200), ("coordinator", 200)):
        client = app.test_client()
        sign_in(client, make_member(committee_id, role))
        assert client.get("/things/edit").status_code == expected, role
        assert client.post("/things/edit", data={"csrf_token": csrf_token(client)}).status_code == expected, role


def test_an_unknown_role_is_a_programming_error():
    with pytest.raises(ValueError, match="unknown role"):
        committee_required(role="admin")


def test_the_nightly_job_deletes_sessions_past_their_absolute_limit(app, run, config, make_committee, make_member,
                                                                    sign_in):
    committee_id, _ = make_committee("Warsaw", "warsaw")
    old, fresh = app.test_client(), app.test_client()
    away, busy = make_member(committee_id), make_member(committee_id)
    sign_in(old, away)
    sign_in(fresh, busy)
    long_ago = now() - timedelta(hours=config.session_absolute_hours + 1)
    run(lambda s: s.execute(update(CommitteeSession).where(CommitteeSession.member_id == away.id).values(
        started_at=long_ago)))
    assert end_stale_sessions(app) == 1
    assert run(lambda s: s.scalar(select(func.count()).select_from(CommitteeSession))) == 1
    assert fresh.get("/committee/").status_code == 200
