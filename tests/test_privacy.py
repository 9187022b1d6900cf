"""No trace on recipient pages: headers, no cookies, no third parties, light pages, cookie-free
form protection, and logs that cannot name anyone."""

from __future__ import annotations

import logging
import re

import pytest
from nacl.public import PrivateKey

from funds.committees.models import Committee, Member
from funds.db import in_transaction
from funds.gunicorn_conf import NoTraceLogger
from funds.logs import REDACTED, NoTrace
from funds.pools.domain import create_pool
from tests.requests.conftest import TOKEN, codename_in, token

RECIPIENT_PAGES = ("/request", "/status")


@pytest.fixture
def config(config):
    return config.with_overrides(codename_pepper="q" * 40)


@pytest.fixture
def pools(app):
    """One open pool whose committee member has a key (its private half is not needed here)."""

    def work(session):
        committee = Committee(name="Peers")
        session.add(Member(committee=committee, display_name="Ana", public_key=bytes(PrivateKey.generate().public_key)))
        create_pool(session, committee, slug="aid", currency="PLN", request_cap=10_000, names={"en": ("Aid", "")})

    in_transaction(app.extensions["ayni.sessionmaker"], work)


@pytest.fixture
def filled(client, pools):
    """Every recipient page as a person sees it: the form, the codename, the status page."""
    form = {
        "csrf_token": token(client, "/request"),
        "pool": "aid",
        "amount": "5",
        "category": "food",
        "method": "cash",
        "contact": "here",
    }
    asked = client.post("/request", data=form)
    codename = codename_in(asked)
    status = client.post("/status", data={"csrf_token": token(client, "/status"), "codename": codename})
    return {"form": client.get("/request"), "codename": asked, "status": status, "lookup": client.get("/status")}


def test_recipient_pages_are_not_cached_framed_referred_or_given_cookies(filled):
    for name, response in filled.items():
        headers = response.headers
        assert headers["Cache-Control"].startswith("no-store"), name
        assert headers["Referrer-Policy"] == "no-referrer", name
        assert "default-src 'none'" in headers["Content-Security-Policy"], name
        assert "frame-ancestors 'none'" in headers["Content-Security-Policy"], name
        assert "Set-Cookie" not in headers, name


def test_recipient_pages_load_nothing_from_elsewhere_need_no_script_and_weigh_little(filled, client):
    with client.get("/static/ayni.css") as stylesheet:
        css = stylesheet.data
    for name, response in filled.items():
        page = response.get_data(as_text=True)
        assert "<script" not in page, name
        assert not re.search(r'(src|href|action)="(https?:)?//', page), name
        assert len(response.data) + len(css) < 60_000, name


def test_a_form_sent_from_another_site_is_refused_and_an_old_browser_is_not(client, pools):
    form = {"csrf_token": token(client, "/status"), "codename": "river apple stone lamp"}
    foreign = client.post("/status", data=form, headers={"Origin": "https://evil.example"})
    assert foreign.status_code == 422
    assert "sent from another website" in foreign.get_data(as_text=True)
    cross = client.post("/status", data=form, headers={"Sec-Fetch-Site": "cross-site"})
    assert cross.status_code == 422
    same = client.post("/status", data=form, headers={"Origin": "http://localhost", "Sec-Fetch-Site": "same-origin"})
    assert same.status_code == 404  # checked, then not found: the codename is unknown
    assert client.post("/status", data=form).status_code == 404  # no Origin at all: an old phone


def test_a_form_token_is_bound_to_its_form_and_its_signature(client, pools):
    request_token = token(client, "/request")
    wrong_form = client.post("/status", data={"csrf_token": request_token, "codename": "river apple stone lamp"})
    assert wrong_form.status_code == 422
    assert "could not be checked" in wrong_form.get_data(as_text=True)
    assert TOKEN.search(client.get("/status").get_data(as_text=True))


def test_the_log_filter_blanks_addresses_agents_and_marked_codenames(app):
    record = logging.LogRecord(
        "werkzeug",
        logging.INFO,
        __file__,
        1,
        '203.0.113.9 - - [21/Nov/2026 10:00:00] "%s" %s %s',
        ("POST /status?lang=fr HTTP/1.1", "200", "-"),
        None,
    )
    NoTrace().filter(record)
    assert record.getMessage() == '"POST /status HTTP/1.1" 200 -'
    with app.test_request_context("/", environ_base={"REMOTE_ADDR": "2001:db8::7"}, headers={"User-Agent": "Agent/1"}):
        from funds.logs import never_log

        never_log("river apple stone lamp")
        record = logging.LogRecord(
            "app",
            logging.ERROR,
            __file__,
            1,
            "%s from %s by %s at 10.1.2.3 and 12:30:45",
            ("river apple stone lamp", "2001:db8::7", "Agent/1"),
            None,
        )
        NoTrace().filter(record)
    assert record.getMessage() == f"{REDACTED} from {REDACTED} by {REDACTED} at {REDACTED} and 12:30:45"


class _Config:
    """Just enough of gunicorn's config for its logger."""

    errorlog = "-"
    accesslog = "-"
    loglevel = "info"
    access_log_format = '"%(m)s %(U)s" %(s)s %(B)s %(M)sms'
    logconfig = logconfig_dict = logconfig_json = None
    syslog = False
    capture_output = False
    disable_redirect_access_to_syslog = False
    user = group = None
    umask = 0
    daemon = False
    env: dict = {}


def test_gunicorn_writes_no_line_for_recipient_routes_and_no_address_for_others(caplog):
    caplog.set_level(logging.INFO, logger="gunicorn.access")
    logger = NoTraceLogger(_Config())
    logger.cfg = _Config()
    logger.access_log.propagate = True

    class Response:
        status = "200 OK"
        sent = 512
        headers = []
        response_length = 512

    class Request:
        headers = [("USER-AGENT", "Agent/1")]
        method = "POST"

    environ = {
        "REMOTE_ADDR": "203.0.113.9",
        "REQUEST_METHOD": "POST",
        "QUERY_STRING": "lang=fr",
        "HTTP_USER_AGENT": "Agent/1",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "RAW_URI": "/status?lang=fr",
    }
    from datetime import timedelta

    logger.access(Response(), Request(), {**environ, "PATH_INFO": "/status"}, timedelta(milliseconds=3))
    logger.access(Response(), Request(), {**environ, "PATH_INFO": "/request/confirm"}, timedelta(milliseconds=3))
    assert caplog.records == []
    logger.access(Response(), Request(), {**environ, "PATH_INFO": "/ledger"}, timedelta(milliseconds=3))
    assert [r.getMessage() for r in caplog.records] == ['"POST /ledger" 200 512 3ms']
