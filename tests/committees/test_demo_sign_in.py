"""A newcomer signs in to the demo committee with the login `flask dev` prints."""

from __future__ import annotations

import pyotp
import pytest

from funds.demo import data as demo

from .conftest import csrf_token


@pytest.mark.sqlite_only
def test_a_newcomer_signs_in_with_the_printed_demo_login(app, run, config):
    run(lambda session: demo.seed(session, config))
    assert run(lambda session: demo.seed_logins(session, config))
    assert not run(lambda session: demo.seed_logins(session, config))  # once only
    assert demo.DEMO_PASSWORD in demo.demo_logins_text() and demo.DEMO_TOTP_SECRET in demo.demo_logins_text()
    client = app.test_client()
    client.post("/committee/login", data={"csrf_token": csrf_token(client, "/committee/login"),
                                          "login_name": "ala", "password": demo.DEMO_PASSWORD})
    client.post("/committee/login/code", data={"csrf_token": csrf_token(client, "/committee/login/code"),
                                               "code": pyotp.TOTP(demo.DEMO_TOTP_SECRET).now()})
    page = client.get("/committee/").get_data(as_text=True)
    assert "Warsaw peer committee" in page and "Where most needed" in page


@pytest.mark.sqlite_only
def test_the_dev_command_refuses_to_run_in_production(app, config):
    from app import create_app

    production = create_app(config.with_overrides(environment="production"))
    try:
        with production.app_context():
            result = production.test_cli_runner().invoke(args=["dev"])
    finally:
        production.extensions["ayni.engine"].dispose()
    assert result.exit_code != 0 and "local use" in result.output
