"""The scale benchmark's datasets: the same fund at 1,000 and at 1,000,000 ledger entries.

Datasets (SQLite, WAL, the app's own engine settings and migrations):

- the books are real: every entry goes through ``ledger.store.post_many`` (batches of 5,000), so
  the tree nodes, hash chain and kept balances are what the app would hold. Entries follow what
  the app books: gifts shaped as ``booking.book_charge`` books a Stripe charge (gross, fee, net),
  a ``request submitted`` note per request, and for paid requests a reservation and its
  settlement; days advance from about 400 days ago to yesterday, so all of it is public.
- requests are ``entries / 10`` rows (100 for the small dataset, 100,000 for the large) bulk
  inserted as ``funds/requests/models.py`` defines them. 40 are waiting for votes in both
  datasets (a committee's queue is what is open now, not the fund's history); the others are
  closed (paid, declined, expired), past retention and purged, so they have no sealed details,
  votes or grants. Their codename ids are random, except 5 derived from real codenames (Argon2id
  for 100,000 codenames would take an hour) that the status page is asked about.
- every gift entry has its ``gifts`` row and its ``stripe_events`` row, as the webhook leaves them.

Built once per size and kept in ``--cache-dir`` by ``scale_bench.py``.
"""

from __future__ import annotations

import json
import random
import secrets
import shutil
import sqlite3
import sys
import time
from contextlib import closing
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from sqlalchemy import insert, select  # noqa: E402
from sqlalchemy.orm import sessionmaker  # noqa: E402

from funds.config import Config  # noqa: E402
from funds.db import in_transaction, make_engine  # noqa: E402
from funds.migrate import upgrade  # noqa: E402

PEPPER = "scale-bench-pepper-not-a-secret-0123456789"
SECRET = "whsec_scale_bench"
ORIGIN = "bench.ayni/ledger"
OPEN_REQUESTS = 40
STATUS_CODENAMES = 5
BATCH = 5_000
CURRENCY = "PLN"
POOL_SLUGS = ("general", "medical", "rent-and-food")
#: bumped when the dataset's shape changes, so a stale cache is not reused
DATASET_VERSION = 3



def bench_config(url: str, workdir: Path) -> Config:
    return Config(
        database_url=url, secret_key="scale-bench", ledger_key_file=str(workdir / "ledger.key"),
        ledger_origin=ORIGIN, codename_pepper=PEPPER, testing=True,
        password_time_cost=1, password_memory_kib=8192, password_parallelism=1,
        request_rate_limit="100000 per hour", status_rate_limit="100000 per hour",
    )


def _setup(session, config) -> dict:
    """A committee with three signed-in-able members (keys enrolled) and three pools."""
    from nacl.public import PrivateKey

    from funds.clock import now
    from funds.committees.accounts import create_account
    from funds.committees.models import Committee, Member
    from funds.pools.domain import create_pool

    committee = Committee(name="Bench committee")
    session.add(committee)
    session.flush()
    members = []
    for login in ("ala", "basia", "celina"):
        member = Member(committee=committee, display_name=login.title(), role="coordinator")
        member.public_key = bytes(PrivateKey.generate().public_key)
        session.add(member)
        session.flush()
        account = create_account(session, config, member, login, "bench password")
        account.totp_enrolled_at = now()
        members.append(member.id)
    pools = {}
    for slug in POOL_SLUGS:
        pool = create_pool(session, committee, slug=slug, currency=CURRENCY, goal=10**9, request_cap=100_000,
                           quorum=2, names={"en": (slug.replace("-", " ").title(), "Support for anyone who asks.")})
        pools[slug] = pool.id
    return {"committee": committee.id, "members": members, "pools": pools}


def build(path: Path, entries: int, requests: int) -> dict:
    """Build one dataset at ``path``; returns what the measurements need to know about it."""
    from funds.donations.models import Gift, StripeEvent, new_token
    from funds.pools import accounts
    from funds.requests import codename as codenames
    from funds.requests.models import Request
    from funds.vocabulary import CATEGORIES, LANGUAGES, PAYOUT_METHODS
    from ledger import schema, store
    from ledger.entry import Entry, Posting

    began = time.perf_counter()
    path.parent.mkdir(parents=True, exist_ok=True)
    url = f"sqlite:///{path}"
    engine = make_engine(url)
    upgrade(engine)
    config = bench_config(url, path.parent)
    made = sessionmaker(bind=engine)
    first_day = datetime.now(UTC).date() - timedelta(days=400)

    # The pools' accounts are opened on the first day too: the app's books never go back in time,
    # and where the public books end depends on it (funds/horizon.py).
    with store.booking_day(first_day):
        setup = in_transaction(made, lambda session: _setup(session, config))
    pool_ids = list(setup["pools"].values())
    slug_of = {pool_id: slug for slug, pool_id in setup["pools"].items()}
    rng = random.Random(7)

    # Which requests are what: the newest OPEN_REQUESTS wait for votes; the rest are closed.
    plan = []
    for number in range(1, requests + 1):
        if number > requests - OPEN_REQUESTS:
            state = "submitted"
        else:
            state = rng.choice(("paid", "paid", "declined", "expired"))
        plan.append({"id": number, "ledger_ref": secrets.token_hex(16), "pool_id": pool_ids[number % len(pool_ids)],
                     "state": state,
                     "amount": rng.randrange(1_000, 50_000), "category": rng.choice(CATEGORIES),
                     "method": rng.choice(PAYOUT_METHODS), "lang": rng.choice(LANGUAGES)})
    # Status look-ups: real codenames for a few requests spread through the table.
    status_codenames = []
    for place in range(STATUS_CODENAMES):
        chosen = plan[min(len(plan) - 1, place * len(plan) // STATUS_CODENAMES + 3)]
        codename = codenames.generate("en")
        derived = codenames.derive(codename, config.effective_codename_pepper)
        chosen["codename_id"], chosen["inbox_key"] = derived.lookup_id, derived.inbox_public_key
        status_codenames.append(codename)

    with made() as session:
        start_size = session.scalar(select(schema.tree_head.c.size))
    gift_total = entries - start_size
    batches = max(1, -(-gift_total // BATCH))
    available = dict.fromkeys(pool_ids, 0)
    pending_settles: list[tuple[int, int, tuple]] = []  # (request number, reservation seq, postings)
    #: where in the stream each request arrives, spread evenly
    arrivals = [(i * gift_total) // max(1, requests) for i in range(requests)]
    next_request = 0
    gift_rows, event_rows = [], []
    position = 0
    batch_number = 0
    while position < gift_total:
        day = first_day + timedelta(days=(batch_number * 399) // batches)
        moment = datetime.combine(day, datetime.min.time(), tzinfo=UTC) + timedelta(hours=12)
        batch: list[Entry] = []
        reserves: list[tuple[int, int]] = []  # (index in batch, request number)
        gifts_here: list[tuple[int, int, str]] = []  # (index in batch, pool id, charge id)
        left: list[tuple[int, int, tuple]] = []
        for number, seq, postings in pending_settles:
            if position >= gift_total:
                left.append((number, seq, postings))
                continue
            request = plan[number]
            batch.append(Entry(f"payout:request:{request['ledger_ref']}", "settle", postings, {
                "what": "payout", "request": request["ledger_ref"], "pool": slug_of[request["pool_id"]],
                "member": "bench"},
                reservation=seq))
            position += 1
        pending_settles = left
        while len(batch) < BATCH and position < gift_total:
            if next_request < requests and position >= arrivals[next_request]:
                request = plan[next_request]
                next_request += 1
                slug = slug_of[request["pool_id"]]
                request["created_at"] = moment
                batch.append(Entry(f"request:{request['ledger_ref']}:submitted", "note", (), {
                    "what": "request submitted", "request": request["ledger_ref"], "pool": slug,
                    "amount": request["amount"], "category": request["category"]}))
                position += 1
                if request["state"] == "paid":
                    if available[request["pool_id"]] >= request["amount"] and position < gift_total - 1:
                        available[request["pool_id"]] -= request["amount"]
                        reserves.append((len(batch), next_request - 1))
                        batch.append(Entry(f"reserve:request:{request['ledger_ref']}", "reserve", (
                            Posting(accounts.available(request["pool_id"]), CURRENCY, -request["amount"]),
                            Posting(accounts.paid(request["pool_id"], request["category"]), CURRENCY,
                                    request["amount"]),
                        ), {"what": "reservation", "request": request["ledger_ref"], "pool": slug}))
                        position += 1
                    else:
                        request["state"] = "declined"
                continue
            pool_id = pool_ids[position % len(pool_ids)]
            gross = rng.choice((1_000, 2_500, 5_000, 10_000, 20_000))
            fee = 30 + gross * 14 // 1000
            charge = f"ch_bench{position:09d}"
            gifts_here.append((len(batch), pool_id, charge))
            available[pool_id] += gross - fee
            batch.append(Entry(f"stripe:charge:{charge}", "transfer", (
                Posting(accounts.donations("stripe", CURRENCY), CURRENCY, -gross),
                Posting(accounts.available(pool_id), CURRENCY, gross - fee),
                Posting(accounts.fees("stripe", CURRENCY), CURRENCY, fee),
            ), {"what": "gift", "source": "stripe", "pool": slug_of[pool_id], "frequency": "once",
                "fee_reported": True}))
            position += 1
        with made() as session, session.begin():
            booked = store.post_many(session, batch, on=day)
        for index, number in reserves:
            pending_settles.append((number, booked[index].seq, batch[index].postings))
        for index, pool_id, charge in gifts_here:
            entry = batch[index]
            gift_rows.append({
                "token": new_token(), "pool_id": pool_id, "amount": -entry.postings[0].amount,
                "currency": CURRENCY, "source": "stripe", "status": "paid",
                "stripe_charge_id": charge, "stripe_payment_intent_id": "pi" + charge[2:],
                "entry_seq": booked[index].seq, "created_at": moment, "paid_at": moment})
            event_rows.append({"id": "evt" + charge[2:], "type": "payment_intent.succeeded",
                               "created": int(moment.timestamp()), "outcome": "booked"})
        batch_number += 1
    # A settlement still waiting at the very end would leave a reservation open: fine for the
    # books (an approved, unpaid request), but its request must then say so.
    for number, _seq, _postings in pending_settles:
        plan[number]["state"] = "reserved_unpaid"

    now = datetime.now(UTC)
    request_rows = []
    for request in plan:
        created = request.get("created_at") or now - timedelta(hours=1)
        state = request["state"]
        if state == "reserved_unpaid":  # has no grant row here: show it as declined, unfunded
            state = "declined"
        closed = state != "submitted"
        if state == "submitted":
            created = now - timedelta(hours=rng.randrange(1, 72))
        request_rows.append({
            "id": request["id"], "ledger_ref": request["ledger_ref"], "pool_id": request["pool_id"], "state": state,
            "amount": request["amount"],
            "category": request["category"], "method": request["method"], "lang": request["lang"],
            "codename_id": request.get("codename_id") or secrets.token_bytes(32),
            "inbox_key": request.get("inbox_key") or secrets.token_bytes(32),
            "created_at": created, "updated_at": created,
            "closed_at": created + timedelta(days=2) if closed else None,
            "purged_at": created + timedelta(days=100) if closed else None,
        })
    with engine.begin() as connection:
        for table, rows in ((Request.__table__, request_rows), (Gift.__table__, gift_rows),
                            (StripeEvent.__table__, event_rows)):
            for start in range(0, len(rows), 20_000):
                connection.execute(insert(table), rows[start:start + 20_000])
    with engine.connect() as connection:
        size = connection.scalar(select(schema.tree_head.c.size))
    engine.dispose()
    # One file to copy, with the planner's statistics as a deployment that ran ANALYZE has them.
    with closing(sqlite3.connect(path)) as raw:
        raw.execute("ANALYZE")
        raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return {
        "version": DATASET_VERSION, "entries": size, "requests": requests, "gifts": len(gift_rows),
        "build_seconds": round(time.perf_counter() - began, 1), "pool_slug": POOL_SLUGS[0],
        "member_id": setup["members"][0], "status_codenames": status_codenames,
    }


def dataset(cache: Path, entries: int, requests: int) -> tuple[Path, dict]:
    """The dataset of ``entries`` from the cache, built there first if missing."""
    folder = cache / f"dataset-{entries}-{requests}"
    facts_file = folder / "facts.json"
    if facts_file.exists():
        facts = json.loads(facts_file.read_text())
        if facts.get("version") == DATASET_VERSION and (folder / "ayni.sqlite3").exists():
            facts["reused"] = True
            return folder, facts
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    facts = build(folder / "ayni.sqlite3", entries, requests)
    facts_file.write_text(json.dumps(facts))
    facts["reused"] = False
    return folder, facts


def working_copy(folder: Path, workdir: Path) -> Path:
    """A copy of the cached dataset to measure on (measuring books gifts)."""
    target = workdir / folder.name
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    shutil.copyfile(folder / "ayni.sqlite3", target / "ayni.sqlite3")
    # A cached dataset may predate migrations added since: bring the copy to the current schema.
    engine = make_engine(f"sqlite:///{target / 'ayni.sqlite3'}")
    upgrade(engine)
    engine.dispose()
    return target
