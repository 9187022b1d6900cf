"""The storm of tests/bench/crash_test.py: a deployment's rows, Stripe's signed events and
committee members' approvals, and the client threads that send them until each is answered.

Clients behave as Stripe and browsers do: whatever got no answer (connection refused or reset, a
5xx) is sent again after a moment, and a 2xx is written down. A 409 to an approval means the
member's vote was kept before (they count once), by a try whose answer was lost.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import random
import secrets
import threading
import time
from collections import Counter, deque
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from tests.operations.services import service_env

WEBHOOK_SECRET = "whsec_crash_test"  # noqa: S105 (a test secret)
APP_SECRET = "crash-test-secret"  # noqa: S105
ORIGIN = "crash.ayni/ledger"
GIFT = 2_500
ASKED = 2_000


@dataclass(frozen=True)
class Delivery:
    event_id: str
    charge_id: str
    body: bytes


@dataclass(frozen=True)
class Approval:
    member: int
    request_id: int


@dataclass
class Setup:
    env: dict
    deliveries: list[Delivery]
    approvals: list[Approval]
    #: per member: (session cookie, CSRF token), made with the app's secret as a signed-in browser has them
    members: list[tuple[str, str]]
    request_ids: list[int]


def prepare(database_url: str, workdir: Path, localstripe, *, gifts: int, requests: int, seed: int) -> Setup:
    """Migrate, add a pool with two members, pending gifts charged at localstripe and requests."""
    from sqlalchemy.orm import sessionmaker

    from funds.config import Config
    from funds.db import in_transaction, make_engine
    from funds.migrate import upgrade
    from funds.stripe_gateway import StripeGateway

    engine = make_engine(database_url)
    upgrade(engine)
    config = Config(
        database_url=database_url,
        secret_key=APP_SECRET,
        ledger_origin=ORIGIN,
        ledger_key_file=str(workdir / "ledger-signing.key"),
        password_time_cost=1,
        password_memory_kib=8192,
        password_parallelism=1,
    )
    gift_ids, request_ids, tokens = in_transaction(
        sessionmaker(bind=engine), lambda s: _seed(s, config, gifts, requests)
    )
    engine.dispose()
    stripe = StripeGateway(localstripe.configure(config, WEBHOOK_SECRET))

    def charge(gift_id: int) -> dict:
        return stripe.client.v1.payment_intents.create(
            params={
                "amount": GIFT,
                "currency": "pln",
                "payment_method": "pm_card_visa",
                "confirm": True,
                "payment_method_types": ["card"],
                "metadata": {"ayni_gift": str(gift_id), "ayni_origin": ORIGIN},
            }
        ).to_dict()

    with ThreadPoolExecutor(max_workers=4) as pool:
        intents = list(pool.map(charge, gift_ids))
    deliveries = []
    for number, intent in enumerate(intents):
        charge_id = intent["latest_charge"]["id"]
        event = _event(f"evt_crash_{number}_a", intent)
        deliveries.append(Delivery(event["id"], charge_id, event))
        if number % 3 == 0:  # Stripe delivers the same event again
            deliveries.append(Delivery(event["id"], charge_id, event))
        if number % 5 == 0:  # the same charge told by a second event
            other = _event(f"evt_crash_{number}_b", intent)
            deliveries.append(Delivery(other["id"], charge_id, other))
    deliveries = [Delivery(d.event_id, d.charge_id, json.dumps(d.body).encode()) for d in deliveries]
    approvals = [Approval(member, request_id) for request_id in request_ids for member in (0, 1)]
    random.Random(seed).shuffle(deliveries)
    random.Random(seed + 1).shuffle(approvals)
    env = service_env(
        database_url,
        workdir,
        secret_key=APP_SECRET,
        ledger_origin=ORIGIN,
        stripe_api_base=localstripe.url,
        stripe_webhook_secret=WEBHOOK_SECRET,
    )
    return Setup(env, deliveries, approvals, _browser_sessions(config, tokens), request_ids)


def _event(event_id: str, intent: dict) -> dict:
    return {
        "id": event_id,
        "object": "event",
        "type": "payment_intent.succeeded",
        "api_version": "2024-06-20",
        "created": int(time.time()),
        "livemode": False,
        "data": {"object": intent},
    }


def _seed(session, config, gifts: int, requests: int):
    from nacl.public import PrivateKey

    from funds.clock import now
    from funds.committees import accounts, browser_sessions
    from funds.committees.models import Committee, Member
    from funds.donations.models import Gift
    from funds.pools.domain import create_pool
    from funds.requests.models import Request

    committee = Committee(name="Crash-test committee")
    session.add(committee)
    session.flush()
    pool = create_pool(
        session,
        committee,
        slug="storm",
        currency="PLN",
        request_cap=100_000,
        quorum=2,
        names={"en": ("Storm pool", "")},
    )
    tokens = []
    for name in ("ana", "bea"):
        member = Member(committee_id=committee.id, display_name=name.title(), role="member")
        session.add(member)
        session.flush()
        account = accounts.create_account(session, config, member, f"{name}-crash", "correct horse battery")
        account.totp_enrolled_at = now()
        tokens.append(browser_sessions.start(session, member.id, two_factor=True, moment=now()))
    pending = [Gift(pool_id=pool.id, amount=GIFT, currency="PLN", source="stripe") for _ in range(gifts)]
    asked = [
        Request(
            pool_id=pool.id,
            amount=ASKED,
            category="rent",
            method="cash",
            lang="en",
            codename_id=secrets.token_bytes(32),
            inbox_key=bytes(PrivateKey.generate().public_key),
        )
        for _ in range(requests)
    ]
    session.add_all([*pending, *asked])
    session.flush()
    return [g.id for g in pending], [r.id for r in asked], tokens


def _browser_sessions(config, tokens: list[str]) -> list[tuple[str, str]]:
    """Each member's cookie and CSRF token, as their browser holds them after signing in."""
    from flask import session
    from flask_wtf.csrf import generate_csrf

    from app import create_app
    from funds.committees.access import SEEN_KEY, TOKEN_KEY

    app = create_app(config)
    made = []
    try:
        for token in tokens:
            with app.test_request_context("/committee/queue"):
                session[TOKEN_KEY], session[SEEN_KEY] = token, int(time.time())
                csrf = generate_csrf()
                made.append((app.session_interface.get_signing_serializer(app).dumps(dict(session)), csrf))
    finally:
        app.extensions["ayni.engine"].dispose()
    return made


@dataclass
class Storm:
    """Client threads working through the deliveries and approvals until each is answered."""

    base_url: str
    setup: Setup
    clients: int
    deadline: float
    queue: deque = field(default_factory=deque)
    lock: threading.Lock = field(default_factory=threading.Lock)
    unanswered: int = 0
    sent: Counter = field(default_factory=Counter)
    answered: Counter = field(default_factory=Counter)
    #: event ids answered 2xx, and the charges they were about
    events_2xx: set = field(default_factory=set)
    charges_2xx: set = field(default_factory=set)
    votes_2xx: set = field(default_factory=set)
    votes_kept_before: set = field(default_factory=set)
    refused: list = field(default_factory=list)

    def __post_init__(self) -> None:
        self.queue.extend(self.setup.deliveries)
        self.queue.extend(self.setup.approvals)
        random.Random(len(self.queue)).shuffle(self.queue)
        self.unanswered = len(self.queue)

    def answers(self) -> int:
        """How many items have been answered so far (each once, however often it was sent)."""
        with self.lock:
            return len(self.setup.deliveries) + len(self.setup.approvals) - self.unanswered

    def run(self) -> list[threading.Thread]:
        threads = [threading.Thread(target=self._client, daemon=True) for _ in range(self.clients)]
        for thread in threads:
            thread.start()
        return threads

    def _client(self) -> None:
        import requests

        http = requests.Session()
        try:
            while time.monotonic() < self.deadline:
                with self.lock:
                    item = self.queue.popleft() if self.queue else None
                    left = self.unanswered
                if item is None:
                    if not left:
                        return
                    time.sleep(0.02)
                    continue
                try:
                    done = self._send(http, item)
                except requests.RequestException as error:
                    done = False
                    down = "refused" in str(error)
                    with self.lock:
                        self.sent["refused: server down" if down else "cut off mid-request by a kill"] += 1
                    http.close()
                    http = requests.Session()
                with self.lock:
                    if done:
                        self.unanswered -= 1
                    else:
                        self.queue.append(item)
                if not done:
                    time.sleep(0.05)  # the server is down or restarting: Stripe and browsers wait too
        finally:
            http.close()

    def _send(self, http, item) -> bool:
        if isinstance(item, Delivery):
            moment = int(time.time())
            mac = hmac.new(WEBHOOK_SECRET.encode(), f"{moment}.".encode() + item.body, hashlib.sha256).hexdigest()
            with self.lock:
                self.sent["webhook"] += 1
            answer = http.post(
                f"{self.base_url}/stripe/webhook",
                data=item.body,
                timeout=30,
                headers={"Stripe-Signature": f"t={moment},v1={mac}", "Content-Type": "application/json"},
            )
            if 200 <= answer.status_code < 300:
                with self.lock:
                    self.events_2xx.add(item.event_id)
                    self.charges_2xx.add(item.charge_id)
                    self.answered[answer.json().get("status", "")] += 1
                return True
        else:
            cookie, csrf = self.setup.members[item.member]
            with self.lock:
                self.sent["approval"] += 1
            answer = http.post(
                f"{self.base_url}/committee/requests/{item.request_id}/vote",
                timeout=30,
                data={"csrf_token": csrf, "choice": "approve", "confirmed": "yes"},
                allow_redirects=False,
                headers={"Cookie": f"ayni_session={cookie}"},
            )
            if answer.status_code in (302, 303):
                with self.lock:
                    self.votes_2xx.add(item)
                return True
            if answer.status_code == 409:  # kept before: an earlier try was committed, its answer lost
                with self.lock:
                    self.votes_kept_before.add(item)
                return True
        if answer.status_code >= 500:
            with self.lock:
                self.sent[f"answered {answer.status_code}"] += 1
            return False
        with self.lock:
            self.refused.append((type(item).__name__, answer.status_code, answer.text[:200]))
        return True
