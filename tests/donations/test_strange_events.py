"""A correctly signed event without the fields Stripe always sends is refused (400), not a crash."""

from __future__ import annotations

import pytest

from .conftest import event

pytestmark = pytest.mark.sqlite_only


@pytest.mark.parametrize(
    "change",
    [
        {"id": None},
        {"id": ["evt_1"]},
        {"id": "x" * 300},
        {"type": ["payment_intent.succeeded"]},
        {"created": None},
        {"created": "yesterday"},
        {"created": 2**70},
    ],
)
def test_an_event_with_a_malformed_id_type_or_time_is_refused(deliver, change):
    sent = {**event("payment_intent.succeeded", {"id": "pi_1", "object": "payment_intent"}), **change}
    assert deliver(sent).status_code == 400


@pytest.mark.parametrize("found", [None, [], "pi_1", 7])
def test_an_event_whose_object_is_not_an_object_is_refused(deliver, found):
    for kind in ("payment_intent.succeeded", "charge.refunded", "charge.dispute.funds_withdrawn"):
        assert deliver(event(kind, found)).status_code == 400
