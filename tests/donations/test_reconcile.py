"""The reconciliation job books what a lost webhook missed, once."""

from __future__ import annotations

from funds.donations.models import Gift, StripeEvent
from funds.scheduler import JOBS, run_job


def test_a_gift_whose_webhook_was_lost_is_booked_by_reconciliation_once(app, client, run, charged_gift):
    gift_id, _intent = charged_gift(3000)
    assert client.get("/api/v1/pools/mutual-aid").json["raised"] == 0
    first = run_job(app, "reconcile-stripe")
    assert first["handled"] >= 1
    assert client.get("/api/v1/pools/mutual-aid").json["raised"] == 3000
    assert run(lambda s: s.get(Gift, gift_id).status) == "paid"
    again = run_job(app, "reconcile-stripe")
    assert again["handled"] == 0
    assert client.get("/api/v1/pools/mutual-aid").json["raised"] == 3000
    assert run(lambda s: s.query(StripeEvent).filter(StripeEvent.outcome == "booked").count()) == 1


def test_reconciliation_is_a_scheduled_job():
    assert JOBS["reconcile-stripe"].every == 15 * 60
