"""The server is killed (kill -9, master and workers) again and again while Stripe's webhooks and
committee approvals pour in: nothing answered is lost, nothing is booked twice, the books verify.

A short run of tests/bench/crash_test.py (which takes more kills and a bigger storm).
"""

from __future__ import annotations

import pytest

from funds.donations.localstripe import LocalStripe
from tests.bench import crash_test


@pytest.fixture(scope="module")
def localstripe():
    server = LocalStripe.start()
    yield server
    server.stop()


@pytest.mark.slow
def test_killing_the_server_mid_storm_loses_no_answered_gift_or_vote_and_books_none_twice(
    database_url, tmp_path, localstripe
):
    # About 200 deliveries and approvals; each kill comes 10 to 40 answers after the last restart,
    # so all three fall mid-storm on any machine. The time limit only stops a run that stalls.
    summary = crash_test.run(
        database_url, tmp_path, localstripe, kills=3, gifts=120, requests=8, seed=7, clients=4,
        time_limit=600, kill_after=(10, 40),
    )
    assert summary["kills"] == 3, summary
    assert summary["unanswered"] == 0 and summary["refused"] == [], summary
    # Every event Stripe was told we received is recorded, and its charge booked exactly once.
    assert summary["events_2xx"] == summary["unique_events"], summary
    assert summary["events_2xx_not_recorded"] == 0 and summary["charges_2xx_not_booked"] == 0, summary
    assert summary["charges_booked"] == summary["unique_charges"] == summary["gifts_paid"], summary
    assert summary["duplicates"] == 0 and summary["money_given_matches_charges"], summary
    # Every approval a member saw accepted is kept; every request with a quorum has its money set aside once.
    assert summary["votes_acknowledged_not_kept"] == 0 and summary["votes_kept"] == 16, summary
    assert summary["request_states"] == {"reserved": 8} and summary["reservations_match_reserved_requests"], summary
    assert summary["verify_exit_code"] == 0 and summary["verify"].startswith("ok:"), summary
