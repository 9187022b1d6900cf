"""A seized server reveals nobody: after a request from a known address, browser and handle,
none of them (nor the codename) is in the database files, a PostgreSQL dump, the logs or the
rate-limit counters. Only a committee member's private key opens the contact."""

from __future__ import annotations

import glob
import logging
import socket
from pathlib import Path

import pytest
import requests as http
from sqlalchemy import make_url, select

from funds.logs import never_log
from funds.requests import codename as codenames
from funds.requests import sealing
from funds.requests.models import SealedDetails

from .conftest import CODENAME, TOKEN, codename_in

HANDLE = "Signal +48 600 777 123 handle-zebra-quokka"
NOTE = "note-marker-kestrel-1931"
PAYOUT = "mobile money 0700 555 999"
ADDRESS = "203.0.113.77"
FORWARDED = "198.51.100.23"
AGENT = "Mozilla/5.0 (Linux; Android 8.1; cheap-phone-ua-marker) Chrome/70"


@pytest.fixture
def config(config):
    return config.with_overrides(proxy_count=1)


def _secrets(codename: str) -> list[str]:
    return [
        HANDLE,
        NOTE,
        PAYOUT,
        ADDRESS,
        FORWARDED,
        AGENT,
        "cheap-phone-ua-marker",
        codename,
        codename.replace(" ", "-"),
        codenames.canonical(codename),
    ]


def _assert_absent(blob: bytes, secrets: list[str], where: str) -> None:
    lowered = blob.lower()
    for secret in secrets:
        raw = secret.encode("utf-8")
        for form in (raw.lower(), raw.hex().encode(), secret.encode("utf-16-le").lower()):
            assert form not in lowered, f"{secret!r} found in {where}"


def _database_bytes(request, database_url: str) -> bytes:
    if database_url.startswith("sqlite"):
        path = make_url(database_url).database
        return b"".join(Path(name).read_bytes() for name in sorted(glob.glob(path + "*")))
    cluster = request.getfixturevalue("postgres_cluster")
    return cluster.dump(make_url(database_url).database)


def test_a_seized_server_reveals_nobody(request, app, client, ask, look_up, pools, run, database_url, caplog, capfd):
    caplog.set_level(logging.DEBUG)
    who = {"environ": {"REMOTE_ADDR": ADDRESS}, "headers": {"X-Forwarded-For": FORWARDED, "User-Agent": AGENT}}
    asked = ask(contact=HANDLE, note=NOTE, payout=PAYOUT, **who)
    codename = codename_in(asked)
    confirm = {"csrf_token": TOKEN.search(asked.get_data(as_text=True)).group(1), "shown": codename, "typed": codename}
    assert (
        client.post("/request/confirm", data=confirm, environ_base=who["environ"], headers=who["headers"]).status_code
        == 200
    )
    assert look_up(codename).status_code == 200
    assert look_up(codename + " typo").status_code == 404
    # a view that marked the codename and then failed, with everything in the exception report
    with app.test_request_context("/status", method="POST", environ_base=who["environ"], headers=who["headers"]):
        never_log(codename)
        try:
            raise ValueError(f"{codename} from {ADDRESS} with {AGENT}")
        except ValueError:
            app.logger.exception("a failure while serving %s to %s", codename, FORWARDED)

    secrets = _secrets(codename)
    _assert_absent(_database_bytes(request, database_url), secrets, "the database")
    limiter = app.extensions["ayni.limiter"]
    counters = repr((limiter.storage.storage, limiter.storage.expirations, limiter.storage.events)).encode()
    assert counters.count(b"LIMITER") >= 2  # the limits did count this person
    _assert_absent(counters, secrets, "the rate-limit counters")
    logged = caplog.text + "".join(r.getMessage() + (r.exc_text or "") for r in caplog.records)
    assert "a failure while serving" in logged
    _assert_absent((logged + "".join(capfd.readouterr())).encode(), secrets, "the logs")

    copies = run(lambda s: [(d.member_id, bytes(d.sealed)) for d in s.scalars(select(SealedDetails))])
    assert len(copies) == len(pools.member_keys)
    for member_id, sealed in copies:
        assert sealing.unseal_details(pools.member_keys[member_id], sealed)["contact"] == HANDLE


@pytest.mark.sqlite_only
def test_the_web_servers_access_and_error_lines_carry_no_address_agent_or_codename(live_server, pools, caplog):
    caplog.set_level(logging.DEBUG)
    browser = http.Session()
    browser.headers.update({"User-Agent": AGENT, "X-Forwarded-For": FORWARDED})
    form = browser.get(f"{live_server}/request?lang=fr").text
    sent = browser.post(
        f"{live_server}/request",
        data={
            "csrf_token": TOKEN.search(form).group(1),
            "lang": "fr",
            "pool": "aid",
            "amount": "20",
            "category": "rent",
            "method": "voucher",
            "contact": HANDLE,
        },
    )
    codename = CODENAME.search(sent.text).group(1)
    status_form = browser.get(f"{live_server}/status").text
    assert browser.post(
        f"{live_server}/status", data={"csrf_token": TOKEN.search(status_form).group(1), "codename": codename}
    ).ok
    with socket.create_connection(("127.0.0.1", int(live_server.rsplit(":", 1)[1]))) as raw:
        raw.sendall(b"NONSENSE\r\n\r\n")  # werkzeug logs "Bad request syntax" with the peer's address
        raw.recv(1024)
    browser.close()

    # what the server wrote (the test's own HTTP client logs its URLs too: those are not the server's)
    server = [r for r in caplog.records if not r.name.startswith("urllib3")]
    lines = [r.getMessage() for r in server if r.name == "werkzeug"]
    assert any('"POST /request HTTP/1.1" 200' in line for line in lines)
    assert any('"GET /request HTTP/1.1" 200' in line for line in lines)  # no "?lang=fr" either
    assert any("Bad request" in line for line in lines)
    everything = "\n".join(r.getMessage() + (r.exc_text or "") for r in server)
    _assert_absent(everything.encode(), [*_secrets(codename), "127.0.0.1", "lang=fr"], "the logs")
