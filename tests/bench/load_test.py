"""A 60-second load test on loopback: page views, gifts, requests and approvals at once.

    .venv/bin/python tests/bench/load_test.py [--seconds 60] [--viewers 4] [--workers 2]

Prints one JSON object. The app runs under gunicorn with funds/gunicorn_conf.py (2 sync workers by
default) on a fresh SQLite file (WAL, the app's engine settings), bound to 127.0.0.1; localstripe
(started here, on loopback) stands in for Stripe. The client is Python threads, each with its own
keep-alive ``requests`` session, each stopping by itself when the time is up:

- viewers: GET /, /pools, /pools/<slug>, /ledger (newest and an older page), /impact in turn;
- a donor: charges a card at localstripe (not timed), then POSTs the signed
  ``payment_intent.succeeded`` to /stripe/webhook, shaped as Stripe sends it for our API version;
- a recipient: opens /request and sends the form (a fresh codename each time). The request and
  status rate limits are per client address, and every thread here is 127.0.0.1, so this run sets
  AYNI_REQUEST_RATE_LIMIT and AYNI_STATUS_RATE_LIMIT to 100000/hour (production keeps its own);
- two committee members: each signs in through the real forms (password, then TOTP code), reads
  the queue, opens the oldest request it has not voted on and approves it (quorum 2: the second
  approval reserves the money, or waitlists it when the pool is short).

At the end: the count of 5xx answers (must be 0), ``flask ledger verify`` on the database (must
pass), and the money invariants: no pool's available money below zero, and every account's kept
balance equal to the sum of its postings (reservations counted when settled) and its held
money equal to its open reservations.
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path

import pyotp
import requests

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

SECRET = "whsec_load_test"
ORIGIN = "load.ayni/ledger"
PASSWORD = "load test password"  # noqa: S105 - a throwaway database
SLUG = "general"
TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"')
REQUEST_LINK = re.compile(r'href="/committee/requests/(\d+)"')


def csrf(page: str) -> str:
    found = TOKEN.search(page)
    if not found:
        raise RuntimeError("no CSRF token on the page")
    return found.group(1) or found.group(2)


class Tally:
    """Answers by kind: counts, latencies and 5xx, shared by the threads."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.latency: dict[str, list[float]] = defaultdict(list)
        self.status: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))
        self.errors: list[str] = []

    def call(self, kind: str, session: requests.Session, method: str, url: str, **kwargs) -> requests.Response:
        began = time.perf_counter()
        try:
            answer = session.request(method, url, timeout=30, allow_redirects=False, **kwargs)
        except requests.RequestException as failure:
            with self.lock:
                self.status[kind][0] += 1
                self.errors.append(f"{kind} {method} {url}: {failure}")
            raise
        elapsed = (time.perf_counter() - began) * 1000
        with self.lock:
            self.latency[kind].append(elapsed)
            self.status[kind][answer.status_code] += 1
            if answer.status_code >= 500:
                self.errors.append(f"{kind} {method} {url}: {answer.status_code}")
        return answer


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def prepare(workdir: Path, localstripe) -> tuple[dict, list[dict]]:
    """A migrated database with one committee, three members who can sign in, and one pool."""
    from nacl.public import PrivateKey
    from sqlalchemy.orm import sessionmaker

    from funds.clock import now
    from funds.committees.accounts import create_account
    from funds.committees.models import Committee, Member
    from funds.config import Config
    from funds.db import in_transaction, make_engine
    from funds.migrate import upgrade
    from funds.pools.domain import create_pool

    url = f"sqlite:///{workdir / 'ayni.sqlite3'}"
    config = Config(database_url=url, password_time_cost=1, password_memory_kib=8192, password_parallelism=1)
    engine = make_engine(url)
    upgrade(engine)

    def setup(session) -> list[dict]:
        committee = Committee(name="Load committee")
        session.add(committee)
        session.flush()
        create_pool(session, committee, slug=SLUG, currency="PLN", goal=10**8, request_cap=100_000, quorum=2,
                    names={"en": ("General", "Support for anyone who asks.")})
        people = []
        for login in ("ala", "basia", "celina"):
            member = Member(committee=committee, display_name=login.title(), role="coordinator")
            member.public_key = bytes(PrivateKey.generate().public_key)
            session.add(member)
            session.flush()
            account = create_account(session, config, member, login, PASSWORD)
            account.totp_enrolled_at = now()
            people.append({"login": login, "totp": account.totp_secret})
        return people

    people = in_transaction(sessionmaker(bind=engine), setup)
    engine.dispose()
    env = {
        **os.environ, "AYNI_DATABASE_URL": url, "AYNI_SECRET_KEY": "load-test", "AYNI_LEDGER_ORIGIN": ORIGIN,
        "AYNI_LEDGER_KEY_FILE": str(workdir / "ledger.key"), "AYNI_INSTANCE_DIR": str(workdir),
        "AYNI_CODENAME_PEPPER": "load-test-pepper-0123456789abcdef0123456789",
        "AYNI_REQUEST_RATE_LIMIT": "100000 per hour", "AYNI_STATUS_RATE_LIMIT": "100000 per hour",
        "AYNI_SECURE_COOKIES": "0", "AYNI_PASSWORD_TIME_COST": "1", "AYNI_PASSWORD_MEMORY_KIB": "8192",
        "AYNI_PASSWORD_PARALLELISM": "1", "AYNI_STRIPE_API_BASE": localstripe.url,
        "AYNI_STRIPE_SECRET_KEY": "sk_test_12345", "AYNI_STRIPE_PUBLISHABLE_KEY": "pk_test_12345",
        "AYNI_STRIPE_JS_URL": localstripe.js_url, "AYNI_STRIPE_WEBHOOK_SECRET": SECRET, "FLASK_APP": "app:create_app",
    }
    return env, people


def serve(env: dict, workers: int, log) -> tuple[subprocess.Popen, str]:
    port = free_port()
    command = [sys.executable, "-m", "gunicorn", "-c", "python:funds.gunicorn_conf", "--workers", str(workers),
               "--bind", f"127.0.0.1:{port}", "--access-logfile", "/dev/null", "app:create_app()"]
    process = subprocess.Popen(command, env=env, cwd=ROOT, stdout=log, stderr=log)
    deadline = time.monotonic() + 60
    base = f"http://127.0.0.1:{port}"
    while True:
        try:
            if requests.get(f"{base}/healthz", timeout=2).status_code == 200:
                return process, base
        except requests.RequestException:
            pass
        if time.monotonic() > deadline or process.poll() is not None:
            process.terminate()
            raise RuntimeError("gunicorn did not start")
        time.sleep(0.2)


# --- the users -----------------------------------------------------------------------------------


def viewer(base: str, tally: Tally, until: float) -> None:
    session = requests.Session()
    pages = [("home", "/"), ("pools", "/pools"), ("pool_page", f"/pools/{SLUG}"), ("ledger", "/ledger"),
             ("ledger_old", "/ledger?before=20"), ("impact", "/impact")]
    turn = 0
    while time.monotonic() < until:
        kind, path = pages[turn % len(pages)]
        turn += 1
        try:
            tally.call(kind, session, "GET", base + path)
        except requests.RequestException:
            time.sleep(0.1)


def donor(base: str, tally: Tally, until: float, env: dict, sessionmaker, stripe) -> None:
    from funds.db import in_transaction
    from funds.donations.models import Gift
    from funds.pools.models import Pool
    from funds.stripe_facts import stripe_id
    from funds.stripe_gateway import API_VERSION

    session = requests.Session()
    pool_id = in_transaction(sessionmaker, lambda s: s.query(Pool.id).filter(Pool.slug == SLUG).scalar())

    def new_gift(s) -> int:
        gift = Gift(pool_id=pool_id, amount=5000, currency="PLN", source="stripe")
        s.add(gift)
        s.flush()
        return gift.id

    number = 0
    while time.monotonic() < until:
        number += 1
        gift_id = in_transaction(sessionmaker, new_gift)
        intent = stripe.client.v1.payment_intents.create(params={
            "amount": 5000, "currency": "pln", "payment_method": "pm_card_visa", "confirm": True,
            "metadata": {"ayni_gift": str(gift_id), "ayni_origin": ORIGIN}}).to_dict()
        intent.pop("charges", None)
        intent["latest_charge"] = stripe_id(intent["latest_charge"])
        body = json.dumps({"id": f"evt_load_{gift_id}", "object": "event", "api_version": API_VERSION,
                           "type": "payment_intent.succeeded", "created": int(time.time()), "livemode": False,
                           "pending_webhooks": 1, "data": {"object": intent}}).encode()
        moment = int(time.time())
        mac = hmac.new(SECRET.encode(), f"{moment}.".encode() + body, hashlib.sha256).hexdigest()
        try:
            tally.call("gift_webhook", session, "POST", f"{base}/stripe/webhook", data=body,
                       headers={"Content-Type": "application/json", "Stripe-Signature": f"t={moment},v1={mac}"})
        except requests.RequestException:
            time.sleep(0.1)


def recipient(base: str, tally: Tally, until: float) -> None:
    session = requests.Session()
    amounts = ("20", "50", "80", "120", "300")
    turn = 0
    while time.monotonic() < until:
        turn += 1
        try:
            page = tally.call("request_form", session, "GET", f"{base}/request?lang=en").text
            tally.call("request_send", session, "POST", f"{base}/request", data={
                "csrf_token": csrf(page), "lang": "en", "pool": SLUG, "amount": amounts[turn % len(amounts)],
                "category": "food", "method": "cash", "contact": "Signal +48 600 100 200", "note": ""})
        except requests.RequestException:
            time.sleep(0.1)


def sign_in(base: str, tally: Tally, person: dict) -> requests.Session:
    session = requests.Session()
    page = tally.call("sign_in", session, "GET", f"{base}/committee/login").text
    tally.call("sign_in", session, "POST", f"{base}/committee/login",
               data={"csrf_token": csrf(page), "login_name": person["login"], "password": PASSWORD})
    page = tally.call("sign_in", session, "GET", f"{base}/committee/login/code").text
    answer = tally.call("sign_in", session, "POST", f"{base}/committee/login/code",
                        data={"csrf_token": csrf(page), "code": pyotp.TOTP(person["totp"]).now()})
    if answer.status_code != 302:
        raise RuntimeError(f"{person['login']} could not sign in: {answer.status_code}")
    return session


def member(base: str, tally: Tally, until: float, person: dict) -> None:
    session = sign_in(base, tally, person)
    voted: set[int] = set()
    while time.monotonic() < until:
        try:
            queue = tally.call("queue", session, "GET", f"{base}/committee/queue").text
            waiting = [int(found) for found in REQUEST_LINK.findall(queue) if int(found) not in voted]
            if not waiting:
                time.sleep(0.2)
                continue
            request_id = waiting[0]
            page = tally.call("request_page", session, "GET", f"{base}/committee/requests/{request_id}").text
            voted.add(request_id)
            tally.call("approve", session, "POST", f"{base}/committee/requests/{request_id}/vote",
                       data={"csrf_token": csrf(page), "choice": "approve", "reason": "", "confirmed": "yes"})
        except (requests.RequestException, RuntimeError):
            time.sleep(0.1)


# --- afterwards ----------------------------------------------------------------------------------


def invariants(url: str) -> dict:
    """Money checks on the database after the run."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.connect() as connection:
        negative = connection.execute(text(
            "SELECT code, balance, held FROM ledger_accounts WHERE code LIKE :pattern AND balance - held < 0"),
            {"pattern": "pool:%:available"}).all()
        # A reservation's postings are stored with it but move money only when settled (the
        # settlement repeats them); until then they are held in the account it draws on.
        mismatched = connection.execute(text(
            "SELECT a.code, a.balance, a.held, "
            " COALESCE((SELECT SUM(p.amount) FROM ledger_postings p JOIN ledger_entries e ON e.seq = p.entry_seq"
            "           WHERE p.account_id = a.id AND e.kind != 'reserve'), 0) AS summed,"
            " COALESCE((SELECT -SUM(p.amount) FROM ledger_postings p JOIN ledger_entries e ON e.seq = p.entry_seq"
            "           WHERE p.account_id = a.id AND e.kind = 'reserve' AND p.amount < 0 AND NOT EXISTS"
            "           (SELECT 1 FROM ledger_entries later WHERE later.reservation = e.seq)), 0) AS open_held "
            "FROM ledger_accounts a"
        )).all()
        mismatched = [row for row in mismatched if (row.balance, row.held) != (row.summed, row.open_held)]
        available = connection.execute(text(
            "SELECT balance, held FROM ledger_accounts WHERE code LIKE :pattern"),
            {"pattern": "pool:%:available"}).all()
        states = dict(connection.execute(text("SELECT state, COUNT(*) FROM requests GROUP BY state")).all())
        entries = connection.scalar(text("SELECT size FROM ledger_tree_head"))
        gifts = connection.scalar(text("SELECT COUNT(*) FROM gifts WHERE status = 'paid'"))
    engine.dispose()
    return {
        "pool_available_never_negative": not negative,
        "balances_equal_posting_sums": not mismatched,
        "mismatched_accounts": [list(map(str, row)) for row in mismatched][:5],
        "pool_available": [row.balance - row.held for row in available],
        "pool_held": [row.held for row in available],
        "requests_by_state": states, "ledger_entries": entries, "gifts_paid": gifts,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--viewers", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()

    from sqlalchemy.orm import sessionmaker
    from webhook_bench import start_localstripe

    from funds.config import Config
    from funds.db import make_engine
    from funds.stripe_gateway import StripeGateway

    localstripe = start_localstripe()
    with tempfile.TemporaryDirectory(prefix="ayni-load-") as scratch:
        workdir = Path(scratch)
        env, people = prepare(workdir, localstripe)
        log = open(workdir / "gunicorn.log", "w")  # noqa: SIM115 - closed below
        server, base = serve(env, args.workers, log)
        engine = make_engine(env["AYNI_DATABASE_URL"])
        made = sessionmaker(bind=engine)
        stripe = StripeGateway(Config.from_env({k: v for k, v in env.items() if k.startswith("AYNI_")}))
        tally = Tally()
        try:
            sessions_ready = time.monotonic()
            until = sessions_ready + args.seconds
            threads = [threading.Thread(target=viewer, args=(base, tally, until)) for _ in range(args.viewers)]
            threads.append(threading.Thread(target=donor, args=(base, tally, until, env, made, stripe)))
            threads.append(threading.Thread(target=recipient, args=(base, tally, until)))
            threads += [threading.Thread(target=member, args=(base, tally, until, person)) for person in people[:2]]
            began = time.monotonic()
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=args.seconds + 60)
            elapsed = time.monotonic() - began
        finally:
            server.terminate()
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
            engine.dispose()
            localstripe.stop()
            log.close()
        flask = Path(sys.executable).parent / "flask"
        verified = subprocess.run([str(flask), "ledger", "verify"], env=env, cwd=ROOT, capture_output=True,
                                  text=True, timeout=600)
        checks = invariants(env["AYNI_DATABASE_URL"])
        log_tail = (workdir / "gunicorn.log").read_text()[-3000:] if tally.errors else ""

    kinds = {}
    for kind, times in sorted(tally.latency.items()):
        ordered = sorted(times)
        kinds[kind] = {
            "count": len(times), "per_second": round(len(times) / elapsed, 2),
            "p50_ms": round(statistics.median(ordered), 1),
            "p95_ms": round(ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))], 1),
            "statuses": dict(sorted(tally.status[kind].items())),
        }
    server_errors = sum(n for statuses in tally.status.values() for code, n in statuses.items() if code >= 500)
    report = {
        "seconds": round(elapsed, 1), "gunicorn_workers": args.workers, "database": "sqlite",
        "requests_total": sum(k["count"] for k in kinds.values()),
        "requests_per_second": round(sum(k["count"] for k in kinds.values()) / elapsed, 1),
        "by_kind": kinds, "server_errors_5xx": server_errors, "connection_errors": sum(
            s.get(0, 0) for s in tally.status.values()),
        "ledger_verify": {"passed": verified.returncode == 0, "output": verified.stdout.strip()[-400:]
                          or verified.stderr.strip()[-400:]},
        "invariants": checks, "errors": tally.errors[:10],
    }
    if log_tail:
        report["gunicorn_log_tail"] = log_tail
    ok = (server_errors == 0 and verified.returncode == 0 and checks["pool_available_never_negative"]
          and checks["balances_equal_posting_sums"])
    report["ok"] = ok
    print(json.dumps(report, indent=2))
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
