"""Abuse without surveillance: limits count an HMAC of the address under a daily in-memory key."""

from __future__ import annotations

import pytest

from .conftest import codename_in, token


@pytest.fixture
def config(config):
    return config.with_overrides(request_rate_limit="2 per hour", status_rate_limit="3 per hour")


def test_a_busy_connection_is_asked_to_wait_in_its_language_and_a_new_key_lets_it_in(app, ask, pools):
    somewhere = {"REMOTE_ADDR": "192.0.2.10"}
    assert ask(environ=somewhere).status_code == 200
    assert ask(environ=somewhere).status_code == 200
    refused = ask(lang="es", environ=somewhere)
    assert refused.status_code == 429
    assert "Espera un poco, por favor" in refused.get_data(as_text=True)
    assert refused.headers["Cache-Control"].startswith("no-store")
    assert ask(environ={"REMOTE_ADDR": "192.0.2.11"}).status_code == 200  # another connection is not held back

    app.extensions["ayni.rate_key"].rotate()
    assert ask(environ=somewhere).status_code == 200


def test_forms_refused_for_a_mistake_do_not_use_up_the_limit(ask, pools):
    for _ in range(4):
        assert ask(amount="a lot").status_code == 422
    assert ask().status_code == 200


def test_guessing_codenames_is_limited_too(client, pools):
    responses = [
        client.post("/status", data={"csrf_token": token(client, "/status"), "codename": f"guess number {n} here"})
        for n in range(4)
    ]
    assert [r.status_code for r in responses] == [404, 404, 404, 429]


def test_the_counter_name_changes_with_the_day_and_never_is_the_address(app):
    key = app.extensions["ayni.rate_key"]
    today = key.counter_name("192.0.2.10")
    assert "192.0.2.10" not in today and today == key.counter_name("192.0.2.10")
    key.rotate()
    assert key.counter_name("192.0.2.10") != today


def test_a_codename_works_after_the_limits_were_reset(app, ask, look_up, pools):
    codename = codename_in(ask())
    app.extensions["ayni.rate_key"].rotate()
    assert look_up(codename).status_code == 200
