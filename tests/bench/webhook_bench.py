"""How fast signed Stripe webhooks are booked, against a trivial Flask route served the same way.

    .venv/bin/python tests/bench/webhook_bench.py [--events 300] [--rounds 3] [--clients 8]

Prints one JSON object. Both apps are served the same way, by gunicorn (gthread workers) on
loopback, and driven by the same client in the same run:

- webhook: each request is a distinct ``payment_intent.succeeded`` for a real charge at a local
  localstripe, shaped as Stripe sends it for our API version (``latest_charge`` is an id, so the
  fee is not in the event) and signed with the real Stripe scheme; the app checks the signature,
  reads the charge and its balance transaction back from "Stripe", and books gross, fee and net on
  SQLite (WAL, synchronous=FULL) before it answers. Every answer must say "booked".
- bare: a Flask route that parses the JSON body and answers 200.

localstripe finds a charge's refunds by scanning every object it holds, so reading one charge
costs it O(objects): 0.8 ms of its CPU with 50 gifts made, 7.8 ms with 1,000, on the same two
cores as the app. Stripe's own work is not on our machine, so the bench runs localstripe with an
index by kind of object (the same answers, in the same order), and the result does not depend on
how many events the bench made.

The client is a small asyncio HTTP/1.1 client on keep-alive connections (about 50 µs of CPU a
request): a heavier one (requests in threads, about 750 µs) is itself the bottleneck for the bare
route on a small machine and makes the ratio look better than it is. Both apps are warmed up
first; then each round times a fresh batch of webhooks and a batch of bare requests (at least
``--bare-requests``, so it lasts long enough to time), alternating which goes first. The ratio is
the median of the rounds' ratios. CPU seconds per request of the server, localstripe and the
client (from /proc, on Linux) say where the machine's time went.

webhook_ingest_vs_bare_flask_route = webhooks booked per second / bare requests per second.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import hmac
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

SECRET = "whsec_bench"
THREADS = 4
WARM_UP = 40


def bare_app():
    """The baseline: a Flask route that reads the JSON body and answers."""
    from flask import Flask, jsonify, request

    app = Flask("bare")

    @app.post("/stripe/webhook")
    def bare_route():
        request.get_json()
        return jsonify(status="ok")

    return app


def serve_indexed_localstripe() -> None:
    """localstripe, listing each kind of object from an index instead of scanning its whole store."""
    from localstripe import resources

    kinds: dict[str, dict] = {}
    plain_set, plain_delete = resources.Store.__setitem__, resources.Store.__delitem__

    def set_item(store, key, value):
        plain_set(store, key, value)
        kinds.setdefault(key.split(":", 1)[0], {})[key] = value

    def delete_item(store, key):
        plain_delete(store, key)
        kinds.get(key.split(":", 1)[0], {}).pop(key, None)

    def list_all(cls, url, limit=None, starting_after=None, **kwargs):
        if kwargs:
            raise resources.UserError(400, "Unexpected " + ", ".join(kwargs.keys()))
        listed = resources.List(url, limit=limit, starting_after=starting_after)
        listed._list = list(kinds.get(cls.object, {}).values())
        return listed

    resources.Store.__setitem__, resources.Store.__delitem__ = set_item, delete_item
    resources.StripeObject._api_list_all = classmethod(list_all)
    from funds.donations.localstripe import serve

    serve()


def start_localstripe():
    """Like LocalStripe.start(), with the index."""
    from funds.donations.localstripe import LocalStripe

    process = subprocess.Popen([sys.executable, __file__, "--serve-localstripe"], stdout=subprocess.PIPE, text=True)
    first_line = process.stdout.readline().strip()
    if not first_line.startswith("listening on "):
        process.kill()
        raise RuntimeError(f"localstripe did not start: {first_line!r}")
    server = LocalStripe(process, first_line.removeprefix("listening on "))
    deadline = time.monotonic() + 20
    while True:
        try:
            with urllib.request.urlopen(server.js_url, timeout=2):  # noqa: S310 (our loopback URL)
                return server
        except OSError:
            if time.monotonic() > deadline:
                server.stop()
                raise
            time.sleep(0.05)


def start(which: str, env: dict, workers: int) -> tuple[subprocess.Popen, int]:
    """Serve with gunicorn (the production server), the same settings for both apps."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    target = "app:create_app()" if which == "ayni" else "webhook_bench:bare_app()"
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--worker-class",
        "gthread",
        "--threads",
        str(THREADS),
        "--log-level",
        "warning",
        "--pythonpath",
        f"{ROOT},{Path(__file__).parent}",
        target,
    ]
    process = subprocess.Popen(command, env=env, cwd=ROOT)
    deadline = time.monotonic() + 30
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return process, port
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def prepare(events: int, workdir: str, localstripe) -> tuple[dict, list[bytes]]:
    """A migrated SQLite file with one pool, and ``events`` charged gifts at localstripe."""
    from sqlalchemy.orm import sessionmaker

    from funds.committees.models import Committee
    from funds.config import Config
    from funds.db import in_transaction, make_engine
    from funds.donations.models import Gift
    from funds.migrate import upgrade
    from funds.pools.domain import create_pool
    from funds.stripe_facts import stripe_id
    from funds.stripe_gateway import API_VERSION, StripeGateway

    url = f"sqlite:///{workdir}/bench.sqlite3"
    engine = make_engine(url)
    upgrade(engine)

    def setup(session):
        committee = Committee(name="Bench committee")
        session.add(committee)
        session.flush()
        pool = create_pool(
            session, committee, slug="bench", currency="PLN", request_cap=100_000, names={"en": ("Bench", "")}
        )
        gifts = [Gift(pool_id=pool.id, amount=2500, currency="PLN", source="stripe") for _ in range(events)]
        session.add_all(gifts)
        session.flush()
        return [g.id for g in gifts]

    gift_ids = in_transaction(sessionmaker(bind=engine), setup)
    engine.dispose()
    config = localstripe.configure(Config(database_url=url, ledger_origin="bench.ayni/ledger"), SECRET)
    stripe = StripeGateway(config)

    def charged(gift_id: int) -> bytes:
        intent = stripe.client.v1.payment_intents.create(
            params={
                "amount": 2500,
                "currency": "pln",
                "payment_method": "pm_card_visa",
                "confirm": True,
                "metadata": {"ayni_gift": str(gift_id), "ayni_origin": config.ledger_origin},
            }
        ).to_dict()
        # localstripe puts the whole charge (and the old ``charges`` list) in the event; Stripe, at
        # our API version, names the charge only, so its fee has to be read back.
        intent.pop("charges", None)
        intent["latest_charge"] = stripe_id(intent["latest_charge"])
        event = {
            "id": f"evt_bench_{gift_id}",
            "object": "event",
            "api_version": API_VERSION,
            "type": "payment_intent.succeeded",
            "created": int(time.time()),
            "livemode": False,
            "pending_webhooks": 1,
            "data": {"object": intent},
        }
        return json.dumps(event).encode()

    with ThreadPoolExecutor(max_workers=4) as threads:
        bodies = list(threads.map(charged, gift_ids))
    env = {
        **os.environ,
        "AYNI_DATABASE_URL": url,
        "AYNI_LEDGER_ORIGIN": config.ledger_origin,
        "AYNI_LEDGER_KEY_FILE": f"{workdir}/ledger.key",
        "AYNI_STRIPE_API_BASE": localstripe.url,
        "AYNI_STRIPE_WEBHOOK_SECRET": SECRET,
        "AYNI_INSTANCE_DIR": workdir,
    }
    return env, bodies


async def _fire(port: int, bodies: list[bytes], clients: int) -> list[str]:
    """Each body once, signed as it is sent, over ``clients`` keep-alive connections."""
    answers: list[str] = [""] * len(bodies)
    queue = iter(range(len(bodies)))

    async def connection() -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            for index in queue:
                body, moment = bodies[index], int(time.time())
                mac = hmac.new(SECRET.encode(), b"%d." % moment + body, hashlib.sha256).hexdigest()
                writer.write(
                    f"POST /stripe/webhook HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\n"
                    f"Stripe-Signature: t={moment},v1={mac}\r\nContent-Length: {len(body)}\r\n\r\n".encode()
                    + body
                )
                head = await reader.readuntil(b"\r\n\r\n")
                length = next(
                    int(line.split(b":", 1)[1])
                    for line in head.split(b"\r\n")
                    if line.lower().startswith(b"content-length:")
                )
                answers[index] = json.loads(await reader.readexactly(length)).get("status", "")
        finally:
            writer.close()

    await asyncio.gather(*(connection() for _ in range(clients)))
    return answers


def _cpu_seconds(pid: int) -> float:
    """User + system CPU of a process and its children (gunicorn's workers), from /proc."""
    total, pids = 0.0, [pid]
    try:
        pids += [int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        pass
    for one in pids:
        try:
            fields = Path(f"/proc/{one}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def fire(port: int, bodies: list[bytes], clients: int, watched: dict[str, int]) -> tuple[float, list[str], dict]:
    """Send every body once; returns (seconds, answers, CPU seconds per watched process and the client)."""
    before = {name: _cpu_seconds(pid) for name, pid in watched.items()}
    client_before, began = time.process_time(), time.perf_counter()
    answers = asyncio.run(_fire(port, bodies, clients))
    seconds = time.perf_counter() - began
    cpu = {name: _cpu_seconds(pid) - before[name] for name, pid in watched.items()}
    cpu["client"] = time.process_time() - client_before
    return seconds, answers, cpu


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=300, help="webhooks per round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--bare-requests", type=int, default=3000, help="at least this many bare requests a round")
    parser.add_argument("--clients", type=int, default=2 * THREADS, help="keep-alive connections")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--serve-localstripe", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_localstripe:
        return serve_indexed_localstripe()
    localstripe = start_localstripe()
    servers: list[subprocess.Popen] = []
    rounds, cpu = [], {"webhook": {}, "bare": {}}
    try:
        with tempfile.TemporaryDirectory() as workdir:
            env, bodies = prepare(WARM_UP + args.events * args.rounds, workdir, localstripe)
            (ayni, ayni_port), (bare, bare_port) = start("ayni", env, args.workers), start("bare", env, args.workers)
            servers += [ayni, bare]
            watched = {"server": ayni.pid, "localstripe": localstripe.process.pid}
            bare_bodies = (bodies * (args.bare_requests // len(bodies) + 1))[: max(args.bare_requests, args.events)]
            # Warm up both: imports, first connections, statement caches, Stripe's HTTP session.
            fire(bare_port, bare_bodies[: WARM_UP * 5], args.clients, {})
            warm = fire(ayni_port, bodies[:WARM_UP], args.clients, {})[1]
            if set(warm) != {"booked"}:
                raise SystemExit(f"not every warm-up webhook was booked: {sorted(set(warm))}")
            for number in range(args.rounds):
                batch = bodies[WARM_UP + number * args.events : WARM_UP + (number + 1) * args.events]
                order = ("webhook", "bare") if number % 2 == 0 else ("bare", "webhook")
                measured = {}
                for which in order:
                    if which == "webhook":
                        measured[which] = fire(ayni_port, batch, args.clients, watched)
                    else:
                        measured[which] = fire(bare_port, bare_bodies, args.clients, {"server": bare.pid})
                webhook_seconds, answers, webhook_cpu = measured["webhook"]
                bare_seconds, _, bare_cpu = measured["bare"]
                if answers.count("booked") != len(batch):
                    raise SystemExit(f"not every webhook was booked: {sorted(set(answers))}")
                webhook_rate, bare_rate = len(batch) / webhook_seconds, len(bare_bodies) / bare_seconds
                rounds.append(
                    {
                        "webhooks_per_second": round(webhook_rate, 1),
                        "bare_per_second": round(bare_rate, 1),
                        "ratio": round(webhook_rate / bare_rate, 3),
                    }
                )
                for name, seconds in webhook_cpu.items():
                    cpu["webhook"].setdefault(name, []).append(seconds / len(batch))
                for name, seconds in bare_cpu.items():
                    cpu["bare"].setdefault(name, []).append(seconds / len(bare_bodies))
    finally:
        for process in servers:
            process.terminate()
            process.wait(timeout=10)
        localstripe.stop()
    print(
        json.dumps(
            {
                "webhook_ingest_vs_bare_flask_route": statistics.median(r["ratio"] for r in rounds),
                "webhooks_booked_per_second": statistics.median(r["webhooks_per_second"] for r in rounds),
                "bare_flask_route_requests_per_second": statistics.median(r["bare_per_second"] for r in rounds),
                "rounds": rounds,
                "cpu_ms_per_request": {
                    app: {name: round(statistics.median(values) * 1000, 2) for name, values in by.items()}
                    for app, by in cpu.items()
                },
                "events_per_round": args.events,
                "client_connections": args.clients,
                "database": "sqlite (WAL, synchronous=FULL)",
                "server": f"gunicorn gthread, {args.workers} workers x {THREADS} threads, for each",
                "cpus": os.cpu_count(),
                "mean_body_bytes": sum(map(len, bodies)) // len(bodies),
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
