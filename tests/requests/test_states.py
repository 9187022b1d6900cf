"""The request life is one transition table; everything not in it is refused by name."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import pytest

from funds.requests import states


@dataclass
class FakeRequest:
    state: str
    updated_at: datetime = datetime(2020, 1, 1, tzinfo=UTC)
    closed_at: datetime | None = None


@pytest.mark.parametrize(("state", "event"), list(states.TRANSITIONS))
def test_every_listed_transition_moves_the_request_and_closes_it_when_final(state, event):
    aid = FakeRequest(state)
    target = states.move(aid, event)
    assert aid.state == target == states.TRANSITIONS[(state, event)]
    assert (aid.closed_at is not None) == (target in states.CLOSED)


@pytest.mark.parametrize(
    ("state", "event"),
    [(s, e) for s in states.STATES for e in states.EVENTS if (s, e) not in states.TRANSITIONS],
)
def test_every_other_transition_is_refused_and_changes_nothing(state, event):
    aid = FakeRequest(state)
    with pytest.raises(states.TransitionRefusedError) as refused:
        states.move(aid, event)
    assert (refused.value.state, refused.value.event, aid.state) == (state, event, state)


def test_closed_requests_go_nowhere_and_money_held_is_not_withdrawn_by_the_recipient():
    assert not any(state in states.CLOSED for state, _ in states.TRANSITIONS)
    assert not states.can(states.RESERVED, "withdraw")
