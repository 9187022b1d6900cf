"""Crash safety: kill -9 the whole server again and again during a storm of signed Stripe webhooks
and committee approvals; afterwards the ledger verifies and every event that got a 2xx is booked
exactly once.

    .venv/bin/python tests/bench/crash_test.py [--postgres] [--kills 10] [--gifts 600] [--requests 80]

Prints one JSON object. What runs, all on loopback:

- gunicorn with the production settings (funds/gunicorn_conf.py, 2 gthread workers) on a file
  SQLite database (WAL, synchronous=FULL), or with --postgres on a throwaway PostgreSQL cluster;
- localstripe, where every gift was really charged: the webhook reads each charge's balance
  transaction back from it, as it reads Stripe's;
- client threads sending ``payment_intent.succeeded`` events signed with the real Stripe scheme
  (some delivered twice with the same event id, some told twice under two event ids, as Stripe
  does) and two committee members' approvals of every request (a quorum of two reserves money);
- a killer that waits, after each restart, until the clients have had a random number of answers
  (so every kill lands mid-storm, however fast or slow the machine), then kill -9s gunicorn's whole
  process group (master and workers at once), N times, starting it again each time.

Clients behave as Stripe and browsers do: whatever got no answer (connection reset, refused, 5xx)
is sent again, and a 2xx is written down. A 409 to an approval means the member's vote was kept
before (they count once). At the end every delivery has been answered; the checks read the
database directly and run `flask ledger verify` (a fresh app, with the service's settings).
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.operations.services import (  # noqa: E402  (after the path is set, for a script run)
    Service,
    free_port,
    healthy,
    start_gunicorn,
    wait_for,
)
from tests.operations.storm import GIFT, Setup, Storm, prepare  # noqa: E402


def run(
    database_url: str,
    workdir: Path,
    localstripe,
    *,
    kills: int,
    gifts: int,
    requests: int,
    seed: int,
    clients: int = 6,
    time_limit: float = 600,
    kill_after: tuple[int, int] = (10, 40),
    say=lambda text: None,
) -> dict:
    """Prepare, storm, kill ``kills`` times, drain, check; returns the summary.

    Each kill comes once the clients have had between ``kill_after`` answers since the server last
    started: size the storm so ``kills`` times the upper bound is well below its deliveries and
    approvals, and every kill falls while the storm is running. ``time_limit`` is a deadline for a
    run that stalls, not a budget a slow machine should reach.
    """
    began = time.monotonic()
    chance = random.Random(seed)
    setup = prepare(database_url, workdir, localstripe, gifts=gifts, requests=requests, seed=seed)
    say(f"prepared {len(setup.deliveries)} deliveries and {len(setup.approvals)} approvals")
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    starts = 0

    def start() -> Service:
        nonlocal starts
        starts += 1
        server = start_gunicorn(setup.env, workdir, port, workers=2, name=f"gunicorn-{starts}")
        try:
            wait_for(lambda: healthy(base_url) or server.process.poll() is not None, 120, "gunicorn to start")
            if server.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited: {server.errors()[-2000:]}")
        except BaseException:
            server.kill()
            raise
        return server

    server = start()
    storm = Storm(base_url, setup, clients, deadline=began + time_limit)
    done_kills = 0
    threads = storm.run()
    try:
        while done_kills < kills and storm.unanswered:
            wanted = storm.answers() + chance.randint(*kill_after)
            while storm.answers() < wanted and storm.unanswered and time.monotonic() < storm.deadline:
                time.sleep(0.01)
            if not storm.unanswered or time.monotonic() >= storm.deadline:
                break
            time.sleep(chance.uniform(0, 0.05))  # somewhere in the requests then in flight
            server.kill()
            done_kills += 1
            say(f"kill {done_kills}: {storm.unanswered} items still unanswered")
            server = start()
        for thread in threads:
            thread.join(timeout=max(1.0, began + time_limit - time.monotonic()))
        server.stop()
    finally:
        server.kill()
        storm.deadline = 0
        for thread in threads:
            thread.join(timeout=35)
    summary = {
        "backend": "postgresql" if database_url.startswith("postgresql") else "sqlite",
        "kills": done_kills,
        "deliveries": len(setup.deliveries),
        "unique_events": len({d.event_id for d in setup.deliveries}),
        "unique_charges": len({d.charge_id for d in setup.deliveries}),
        "webhooks_sent": storm.sent["webhook"],
        "events_2xx": len(storm.events_2xx),
        "webhook_answers": dict(storm.answered),
        "approvals_sent": storm.sent["approval"],
        "votes_2xx": len(storm.votes_2xx),
        "votes_409_kept_before": len(storm.votes_kept_before),
        "tries_without_2xx": {k: n for k, n in storm.sent.items() if k not in ("webhook", "approval")},
        "unanswered": storm.unanswered,
        "refused": storm.refused[:5],
    }
    summary.update(check(database_url, setup, storm))
    # Committed, but the answer died with the server: Stripe's retry was then told "already handled".
    summary["charges_committed_but_answer_lost"] = summary["charges_booked"] - storm.answered["booked"]
    summary["seconds"] = round(time.monotonic() - began, 1)
    return summary


def check(database_url: str, setup: Setup, storm: Storm) -> dict:
    """What the books say, against what the clients were told."""
    from sqlalchemy import text

    from funds.db import make_engine

    verified = ledger_verify(database_url, setup)
    engine = make_engine(database_url)
    try:
        with engine.connect() as db:
            events = {row[0] for row in db.execute(text("SELECT id FROM stripe_events"))}
            charge_entries = Counter(
                row[0].removeprefix("stripe:charge:")
                for row in db.execute(text("SELECT key FROM ledger_entries WHERE key LIKE 'stripe:charge:%'"))
            )
            movements = Counter(
                row[0] for row in db.execute(text("SELECT id FROM stripe_movements WHERE kind = 'charge'"))
            )
            paid_gifts = db.execute(text("SELECT count(*) FROM gifts WHERE status = 'paid'")).scalar()
            given = -db.execute(
                text("SELECT balance FROM ledger_accounts WHERE code = 'donations:stripe:pln'")
            ).scalar()
            votes = {(row[0], row[1]) for row in db.execute(text("SELECT member_id, request_id FROM request_votes"))}
            member_ids = [row[0] for row in db.execute(text("SELECT id FROM committee_members ORDER BY id"))]
            reservations = Counter(
                row[0] for row in db.execute(text("SELECT key FROM ledger_entries WHERE key LIKE 'reserve:request:%'"))
            )
            states = Counter(row[0] for row in db.execute(text("SELECT state FROM requests")))
    finally:
        engine.dispose()
    acknowledged_votes = {(member_ids[v.member], v.request_id) for v in storm.votes_2xx | storm.votes_kept_before}
    return {
        "events_2xx_not_recorded": len(storm.events_2xx - events),
        "charges_booked": len(charge_entries),
        "charges_2xx_not_booked": len(storm.charges_2xx - set(charge_entries)),
        "charges_booked_without_2xx": len(set(charge_entries) - storm.charges_2xx),
        "duplicates": sum(n - 1 for n in charge_entries.values())
        + sum(n - 1 for n in movements.values())
        + sum(n - 1 for n in reservations.values()),
        "gifts_paid": paid_gifts,
        "money_given_matches_charges": given == GIFT * len(charge_entries),
        "votes_acknowledged_not_kept": len(acknowledged_votes - votes),
        "votes_kept": len(votes),
        "request_states": dict(states),
        "reservations": len(reservations),
        "reservations_match_reserved_requests": len(reservations) == states.get("reserved", 0),
        "verify_exit_code": verified.exit_code,
        "verify": verified.output.strip(),
    }


def ledger_verify(database_url: str, setup: Setup):
    """`flask ledger verify` with the service's settings, from a fresh app on the same database."""
    from app import create_app
    from funds.config import Config

    app = create_app(Config.from_env(setup.env))
    try:
        return app.test_cli_runner().invoke(args=["ledger", "verify"])
    finally:
        app.extensions["ayni.engine"].dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--postgres", action="store_true", help="run on a throwaway PostgreSQL cluster")
    parser.add_argument("--kills", type=int, default=10)
    parser.add_argument("--gifts", type=int, default=600)
    parser.add_argument("--requests", type=int, default=80)
    parser.add_argument("--clients", type=int, default=6)
    parser.add_argument("--seed", type=int, default=int(time.time()))
    args = parser.parse_args()
    from funds.donations.localstripe import LocalStripe

    def say(text: str) -> None:
        print(text, file=sys.stderr, flush=True)

    cluster = None
    localstripe = LocalStripe.start()
    try:
        with tempfile.TemporaryDirectory(prefix="ayni-crash-") as folder:
            workdir = Path(folder)
            if args.postgres:
                from sqlalchemy import create_engine, text

                from tests.postgres import Cluster

                cluster = Cluster().start()
                admin = create_engine(cluster.url(), isolation_level="AUTOCOMMIT")
                with admin.connect() as connection:
                    connection.execute(text("CREATE DATABASE crash"))
                admin.dispose()
                url = cluster.url("crash")
            else:
                url = f"sqlite:///{workdir / 'crash.sqlite3'}"
            summary = run(
                url,
                workdir,
                localstripe,
                kills=args.kills,
                gifts=args.gifts,
                requests=args.requests,
                seed=args.seed,
                clients=args.clients,
                say=say,
            )
    finally:
        localstripe.stop()
        if cluster is not None:
            cluster.stop()
    summary["seed"] = args.seed
    print(json.dumps(summary, indent=2))
    ok = (
        summary["verify_exit_code"] == 0
        and summary["duplicates"] == 0
        and summary["unanswered"] == 0
        and summary["charges_2xx_not_booked"] == 0
        and summary["events_2xx_not_recorded"] == 0
        and summary["votes_acknowledged_not_kept"] == 0
        and summary["money_given_matches_charges"]
    )
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
