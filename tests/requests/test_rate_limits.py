"""Abuse without surveillance: limits count an HMAC of the address under a daily in-memory key.

The day is the app's clock (``funds.ratelimit.CLOCK``), which these tests hold and move past
midnight UTC: the key, and with it every count, is replaced by the rate limits themselves.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from limits.storage import MemoryStorage

from funds import ratelimit

from .conftest import codename_in, token

SOMEWHERE = "192.0.2.10"


@pytest.fixture
def config(config):
    return config.with_overrides(request_rate_limit="2 per hour", status_rate_limit="3 per hour")


class Calendar:
    """The UTC day as the app's rate limits read it; a test turns the page."""

    def __init__(self, day: date) -> None:
        self.day = day

    def __call__(self) -> date:
        return self.day

    def next_day(self) -> None:
        self.day += timedelta(days=1)


@pytest.fixture
def calendar(app) -> Calendar:
    today = Calendar(date(2030, 5, 1))
    app.extensions[ratelimit.CLOCK] = today
    return today


def test_a_busy_connection_is_asked_to_wait_in_its_language_and_the_next_day_lets_it_in(ask, pools, calendar):
    somewhere = {"REMOTE_ADDR": SOMEWHERE}
    assert ask(environ=somewhere).status_code == 200
    assert ask(environ=somewhere).status_code == 200
    refused = ask(lang="es", environ=somewhere)
    assert refused.status_code == 429
    assert "Espera un poco, por favor" in refused.get_data(as_text=True)
    assert refused.headers["Cache-Control"].startswith("no-store")
    assert ask(environ={"REMOTE_ADDR": "192.0.2.11"}).status_code == 200  # another connection is not held back

    calendar.next_day()
    assert ask(environ=somewhere).status_code == 200


def test_at_midnight_utc_the_count_starts_afresh_and_yesterdays_counts_are_forgotten(app, ask, pools, calendar):
    key = app.extensions["ayni.rate_key"]
    somewhere = {"REMOTE_ADDR": SOMEWHERE}
    assert [ask(environ=somewhere).status_code for _ in range(3)] == [200, 200, 429]
    first_day = key.counter_name(SOMEWHERE)
    assert ask(environ=somewhere).status_code == 429  # the same day: still held back

    calendar.next_day()
    # A fresh count: the whole allowance again, then held back again.
    assert [ask(environ=somewhere).status_code for _ in range(3)] == [200, 200, 429]
    second_day = key.counter_name(SOMEWHERE)
    assert second_day != first_day

    # The counts live in this process's memory, and yesterday's went with yesterday's key.
    storage = app.extensions["ayni.limiter"].storage
    assert isinstance(storage, MemoryStorage)
    counted = list(storage.storage)
    assert any(second_day in name for name in counted) and not any(first_day in name for name in counted)


@pytest.mark.sqlite_only
def test_no_address_or_counter_name_reaches_the_disk_on_either_day(app, ask, pools, calendar, tmp_path):
    """Here the database is a file beside the test's others: every byte the deployment wrote is searchable."""
    key = app.extensions["ayni.rate_key"]
    somewhere = {"REMOTE_ADDR": SOMEWHERE}
    names = []
    for _day in range(2):
        assert [ask(environ=somewhere).status_code for _ in range(3)] == [200, 200, 429]
        names.append(key.counter_name(SOMEWHERE))
        calendar.next_day()
    written = [path for path in tmp_path.rglob("*") if path.is_file()]
    assert any(path.name.startswith("ayni.sqlite3") for path in written), written
    for path in written:
        content = path.read_bytes()
        for secret in (SOMEWHERE, *names):
            assert secret.encode() not in content, f"{secret} found in {path.name}"


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


def test_the_counter_name_changes_with_the_day_and_never_is_the_address(app, calendar):
    key = app.extensions["ayni.rate_key"]
    today = key.counter_name(SOMEWHERE)
    assert SOMEWHERE not in today and today == key.counter_name(SOMEWHERE)
    calendar.next_day()
    tomorrow = key.counter_name(SOMEWHERE)
    assert tomorrow != today and tomorrow == key.counter_name(SOMEWHERE)
    assert key.counter_name("192.0.2.11") != tomorrow


def test_a_codename_works_the_day_after_its_guesses_used_up_the_limit(client, ask, look_up, pools, calendar):
    codename = codename_in(ask())
    for n in range(3):
        client.post("/status", data={"csrf_token": token(client, "/status"), "codename": f"guess number {n} here"})
    assert look_up(codename).status_code == 429
    calendar.next_day()
    assert look_up(codename).status_code == 200
