"""How fast signed Stripe webhooks are booked, against a trivial Flask route served the same way.

    .venv/bin/python tests/bench/webhook_bench.py [--events 300] [--clients 4]

Prints one JSON object. Both apps are served the same way, by gunicorn (gthread workers) on
loopback, and hit by the same client threads (keep-alive sessions) with the same bodies:

- webhook: each request is a distinct ``payment_intent.succeeded`` for a real charge at a local
  localstripe, signed with the real Stripe scheme; the app checks the signature, reads the charge
  back from "Stripe" (fee and refunds), and books it on SQLite (WAL, synchronous=FULL) before it
  answers. Every answer must say "booked".
- bare: a Flask route that parses the JSON body and answers 200.

webhook_ingest_vs_bare_flask_route = webhooks booked per second / bare requests per second.
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

SECRET = "whsec_bench"


def bare_app():
    """The baseline: a Flask route that reads the JSON body and answers."""
    from flask import Flask, jsonify, request

    app = Flask("bare")

    @app.post("/stripe/webhook")
    def bare_route():
        request.get_json()
        return jsonify(status="ok")

    return app


def start(which: str, env: dict, workers: int) -> tuple[subprocess.Popen, str]:
    """Serve with gunicorn (the production server), the same settings for both apps."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    target = "app:create_app()" if which == "ayni" else "webhook_bench:bare_app()"
    command = [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers", str(workers),
               "--worker-class", "gthread", "--threads", "4", "--log-level", "warning",
               "--pythonpath", f"{ROOT},{Path(__file__).parent}", target]
    process = subprocess.Popen(command, env=env, cwd=ROOT)
    deadline = time.monotonic() + 30
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return process, f"http://127.0.0.1:{port}/stripe/webhook"
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def prepare(events: int, workdir: str, localstripe) -> tuple[dict, list[bytes]]:
    """A migrated SQLite file with one pool, and ``events`` charged gifts at localstripe."""
    from funds.config import Config
    from funds.db import in_transaction, make_engine
    from funds.donations.models import Gift
    from funds.migrate import upgrade
    from funds.pools.domain import create_pool
    from funds.pools.models import Committee
    from funds.stripe_gateway import StripeGateway

    url = f"sqlite:///{workdir}/bench.sqlite3"
    engine = make_engine(url)
    upgrade(engine)
    from sqlalchemy.orm import sessionmaker

    def setup(session):
        committee = Committee(name="Bench committee")
        session.add(committee)
        session.flush()
        pool = create_pool(session, committee, slug="bench", currency="PLN", request_cap=100_000,
                           names={"en": ("Bench", "")})
        gifts = [Gift(pool_id=pool.id, amount=2500, currency="PLN", source="stripe") for _ in range(events)]
        session.add_all(gifts)
        session.flush()
        return [g.id for g in gifts]

    gift_ids = in_transaction(sessionmaker(bind=engine), setup)
    engine.dispose()
    config = localstripe.configure(Config(database_url=url, ledger_origin="bench.ayni/ledger"), SECRET)
    stripe = StripeGateway(config)
    bodies = []
    for gift_id in gift_ids:
        intent = stripe.client.v1.payment_intents.create(params={
            "amount": 2500, "currency": "pln", "payment_method": "pm_card_visa", "confirm": True,
            "metadata": {"ayni_gift": str(gift_id), "ayni_origin": config.ledger_origin}}).to_dict()
        event = {"id": f"evt_bench_{gift_id}", "object": "event", "type": "payment_intent.succeeded",
                 "created": int(time.time()), "data": {"object": intent}}
        bodies.append(json.dumps(event).encode())
    env = {**os.environ, "AYNI_DATABASE_URL": url, "AYNI_LEDGER_ORIGIN": config.ledger_origin,
           "AYNI_LEDGER_KEY_FILE": f"{workdir}/ledger.key", "AYNI_STRIPE_API_BASE": localstripe.url,
           "AYNI_STRIPE_WEBHOOK_SECRET": SECRET, "AYNI_INSTANCE_DIR": workdir}
    return env, bodies


def fire(url: str, bodies: list[bytes], clients: int) -> tuple[float, list[str]]:
    """Send every body once (signed now) from ``clients`` threads; returns (seconds, answers)."""
    import requests

    sessions = [requests.Session() for _ in range(clients)]

    def send(index: int) -> str:
        body, t = bodies[index], int(time.time())
        mac = hmac.new(SECRET.encode(), f"{t}.".encode() + body, hashlib.sha256).hexdigest()
        answer = sessions[index % clients].post(url, data=body, timeout=60, headers={
            "Stripe-Signature": f"t={t},v1={mac}", "Content-Type": "application/json"})
        return answer.json()["status"]

    began = time.perf_counter()
    with ThreadPoolExecutor(max_workers=clients) as pool:
        answers = list(pool.map(send, range(len(bodies))))
    return time.perf_counter() - began, answers


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=300)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    from funds.donations.localstripe import LocalStripe

    localstripe = LocalStripe.start()
    servers = []
    try:
        with tempfile.TemporaryDirectory() as workdir:
            env, bodies = prepare(args.events, workdir, localstripe)
            for which in ("ayni", "bare"):
                servers.append(start(which, env, args.workers))
            (ayni, ayni_url), (bare, bare_url) = servers
            fire(bare_url, bodies[:20], args.clients)  # warm both up: imports, first connections
            webhook_seconds, answers = fire(ayni_url, bodies, args.clients)
            bare_seconds, _ = fire(bare_url, bodies, args.clients)
            if answers.count("booked") != len(bodies):
                raise SystemExit(f"not every webhook was booked: {sorted(set(answers))}")
    finally:
        for process, _url in servers:
            process.terminate()
            process.wait(timeout=10)
        localstripe.stop()
    webhook_rate, bare_rate = args.events / webhook_seconds, args.events / bare_seconds
    print(json.dumps({
        "webhook_ingest_vs_bare_flask_route": round(webhook_rate / bare_rate, 3),
        "webhooks_booked_per_second": round(webhook_rate, 1),
        "bare_flask_route_requests_per_second": round(bare_rate, 1),
        "events": args.events,
        "client_threads": args.clients,
        "database": "sqlite (WAL, synchronous=FULL)",
        "server": f"gunicorn gthread, {args.workers} workers x 4 threads, for each",
        "mean_body_bytes": sum(map(len, bodies)) // len(bodies),
    }, indent=2))


if __name__ == "__main__":
    main()
