"""A fund for the fuzzer to throw requests at: one app per backend for the whole module (the
requests change the data as they go, which is what a live service sees too).

The data gives the fuzzer real values to mix into addresses: a pool slug, a receipt and a monthly
gift token, request, member and invitation ids, ledger sequence numbers and checkpoint sizes.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from flask import Flask
from itsdangerous import URLSafeTimedSerializer
from nacl.public import PrivateKey
from sqlalchemy import text

from app import create_app
from funds.books import app_signer
from funds.clock import now
from funds.committees import accounts, browser_sessions
from funds.committees.access import SEEN_KEY, TOKEN_KEY
from funds.committees.models import Committee, Member, MemberAccount
from funds.config import Config
from funds.db import in_transaction
from funds.donations.domain import attach_checkout, record_offline_gift
from funds.donations.models import Gift, MonthlyGift
from funds.donations.views.giving import MODELS
from funds.pools.domain import create_pool
from funds.requests import domain as requests_domain
from funds.stripe_gateway import gateway
from ledger import audit
from tests.donations.conftest import localstripe  # noqa: F401  (session fixture)

WEBHOOK_SECRET = "whsec_fuzz"  # noqa: S105
#: Flask-WTF keeps this in the session and expects it signed in the form
SESSION_CSRF = "fuzz-session-csrf"


@dataclass
class Target:
    """The app under fuzz, what it holds, and a way to get a signed-in committee client."""

    app: Flask
    config: Config
    member_id: int
    #: values that exist, per name of an address part
    known: dict[str, list[str]] = field(default_factory=dict)
    #: valid form tokens: the committee session's, and each recipient form's signed one
    tokens: list[str] = field(default_factory=list)

    def run(self, work):
        return in_transaction(self.app.extensions["ayni.sessionmaker"], work)

    def client(self, *, member: bool):
        client = self.app.test_client()
        if member:
            # The fuzzer may have signed this member out, paused or demoted them: undo that first.
            def work(session):
                account = session.get(MemberAccount, self.member_id)
                account.disabled_at, account.member.role = None, "coordinator"
                return browser_sessions.start(session, self.member_id, two_factor=True, moment=now())

            token = self.run(work)
            with client.session_transaction() as cookie:
                cookie[TOKEN_KEY], cookie[SEEN_KEY], cookie["csrf_token"] = token, int(time.time()), SESSION_CSRF
        return client


def _build(config: Config) -> Target:
    app = create_app(config)
    run = lambda work: in_transaction(app.extensions["ayni.sessionmaker"], work)  # noqa: E731

    def seed(session):
        committee = Committee(name="Fuzzed committee")
        session.add(committee)
        pool = create_pool(session, committee, slug="aid", currency="EUR", request_cap=100_000,
                           names={"en": ("Aid", "For anyone."), "ar": ("مساعدة", "")}, is_default=True)
        coordinator = Member(committee=committee, display_name="Coordinator", role="coordinator")
        peer = Member(committee=committee, display_name="Peer", role="member",
                      public_key=bytes(PrivateKey.generate().public_key))
        coordinator.public_key = bytes(PrivateKey.generate().public_key)
        session.add_all([coordinator, peer])
        session.flush()
        account = accounts.create_account(session, config, coordinator, "fuzz-coordinator", "a long passphrase")
        account.totp_enrolled_at = now()
        gift = record_offline_gift(session, pool, 10**9, amount_text="25", method="cash", public_name=None)
        monthly = MonthlyGift(pool=pool, amount=1_000, currency="EUR")
        waiting = Gift(pool=pool, amount=2_000, currency="EUR", source="stripe")
        session.add_all([monthly, waiting])
        asked = requests_domain.ask(session, pool=pool, amount=5_000, category="food", method="cash",
                                    contact="Signal", note="", payout="", lang="en",
                                    pepper=config.effective_codename_pepper)
        session.flush()
        return {
            "slug": ["aid"], "token": [gift.token, monthly.token, waiting.token], "request_id": [str(asked.request.id)],
            "member_id": [str(coordinator.id), str(peer.id)], "invitation_id": ["1"], "seq": ["0", "1"],
            "size": ["1", "2"], "fmt": ["json", "csv", "jsonl", "ndjson"], "filename": ["ayni.css"],
        }, coordinator.id, {"monthly": monthly.id, "gift": waiting.id}

    known, member_id, pending = run(seed)
    # The card steps of a monthly and a one-time gift, opened at (local) Stripe as the give form does
    for kind, row_id in pending.items():
        checkout = gateway(app).open_checkout(kind, row_id, email=None)
        run(lambda s, kind=kind, row_id=row_id, checkout=checkout: attach_checkout(s, MODELS[kind], row_id, checkout))
    run(lambda s: audit.checkpoint(s, app_signer(app), config.ledger_origin))
    with app.app_context():
        signed = [URLSafeTimedSerializer(app.secret_key, salt=f"ayni-form:{purpose}").dumps("form")
                  for purpose in ("AskForm", "ConfirmForm", "status")]
        session_token = URLSafeTimedSerializer(app.secret_key, salt="wtf-csrf-token").dumps(SESSION_CSRF)
    return Target(app, config, member_id, known, [session_token, *signed])


@pytest.fixture(scope="module")
def target(request, tmp_path_factory, localstripe):  # noqa: F811
    """The fuzzed app on SQLite (``request.param`` "postgresql": on the throwaway cluster)."""
    backend = getattr(request, "param", "sqlite")
    # in memory when the machine has /dev/shm: the fuzzer looks for 500s, not for durability, and
    # thousands of small commits would otherwise wait on the disk
    memory = Path("/dev/shm")  # noqa: S108
    folder = Path(tempfile.mkdtemp(prefix="ayni-fuzz-", dir=memory)) if memory.is_dir() else tmp_path_factory.mktemp(
        f"fuzz-{backend}")
    if backend == "sqlite":
        path = folder / "ayni.sqlite3"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        url = f"sqlite:///{path}"
    else:
        cluster = request.getfixturevalue("postgres_cluster")
        from sqlalchemy import create_engine

        admin = create_engine(cluster.url(), isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text("CREATE DATABASE fuzz TEMPLATE ayni_template"))
        admin.dispose()
        url = cluster.url("fuzz")
    config = localstripe.configure(
        Config(database_url=url, secret_key="fuzz-secret", ledger_key_file=str(folder / "ledger.key"), testing=True,
               password_time_cost=1, password_memory_kib=8192, password_parallelism=1, secure_cookies=False,
               codename_pepper="f" * 40, ledger_origin=f"ayni.test/fuzz-{backend}",
               request_rate_limit="100000 per hour", status_rate_limit="100000 per hour"),
        webhook_secret=WEBHOOK_SECRET,
    )
    built = _build(config)
    yield built
    built.app.extensions["ayni.engine"].dispose()
    shutil.rmtree(folder, ignore_errors=True)
