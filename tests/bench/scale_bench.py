"""Flat cost: the pages people use, the webhook, export and verify at 1,000 vs 1,000,000 entries.

    .venv/bin/python tests/bench/scale_bench.py [--cache-dir DIR] [--small 1000] [--large 1000000]
                                                [--export-small 10000] [--repeats 30]

Prints one JSON object. Building the 1M dataset takes minutes: with ``--cache-dir`` the built
SQLite files are kept there and reused by later runs (each run measures a copy, so the cache stays
as built).

Datasets: see ``scale_dataset.py`` (built once, cached with ``--cache-dir``).

Measures, with the Flask test client in this process (no network: what is timed is the app), the
median of ``--repeats`` requests after a warm-up, the two datasets taking turns request by
request (the machine is shared; a busy moment then falls on both): the pool page, the committee queue (a member
signed in through a real browser session row), the public ledger's newest page and an old page
(``?before=<seq>``, keyset by seq), the status page (POST /status with a codename: most of its
time is the Argon2id derivation, which does not depend on the data), and the webhook: a signed
``payment_intent.succeeded`` for a real charge made (untimed) at a localstripe started by this
script, shaped as Stripe sends it (``latest_charge`` an id), so each timed request reads the
charge and its balance transaction back from localstripe and books a new gift.

Peak memory: ``flask ledger export --format jsonl`` and ``python -m ledger.verify`` on the export,
each in its own subprocess, on datasets of ``--export-small`` (10,000) and ``--large`` entries;
the peak RSS is the child's maximum resident set as ``/usr/bin/time -v`` reports it.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from scale_dataset import (  # noqa: E402
    CURRENCY,
    OPEN_REQUESTS,
    ORIGIN,
    PEPPER,
    SECRET,
    bench_config,
    dataset,
    working_copy,
)
from sqlalchemy import text  # noqa: E402

from funds.db import in_transaction  # noqa: E402

# --- measuring pages -----------------------------------------------------------------------------

TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"')


def _timed(call) -> float:
    began = time.perf_counter()
    call()
    return (time.perf_counter() - began) * 1000


def _expect(response, status: int = 200, contains: str | None = None):
    if response.status_code != status:
        raise RuntimeError(f"{response.request.path}: {response.status_code}\n{response.get_data(as_text=True)[:800]}")
    if contains is not None and contains not in response.get_data(as_text=True):
        raise RuntimeError(f"{response.request.path}: no {contains!r} in the page")
    return response


def page_calls(folder: Path, facts: dict, localstripe) -> tuple[dict, object]:
    """For each page, a function that asks for it once and returns the milliseconds it took;
    and a function that releases the app."""
    from app import create_app
    from funds.clock import now
    from funds.committees import browser_sessions
    from funds.committees.access import SEEN_KEY, TOKEN_KEY
    from funds.donations.models import Gift
    from funds.stripe_facts import stripe_id
    from funds.stripe_gateway import API_VERSION, StripeGateway
    from tests.donations.conftest import signature

    url = f"sqlite:///{folder / 'ayni.sqlite3'}"
    config = localstripe.configure(bench_config(url, folder), SECRET)
    app = create_app(config)
    run = app.extensions["ayni.sessionmaker"]
    client = app.test_client()
    slug = facts["pool_slug"]
    committee = app.test_client()
    token = in_transaction(run, lambda s: browser_sessions.start(s, facts["member_id"], two_factor=True, moment=now()))
    with committee.session_transaction() as cookie:
        cookie[TOKEN_KEY], cookie[SEEN_KEY] = token, int(time.time())
    old = max(1, facts["entries"] // 10)
    page = client.get("/status").get_data(as_text=True)
    found = TOKEN.search(page)
    csrf = found.group(1) or found.group(2)
    codenames = facts["status_codenames"]
    asked = iter(range(10**9))

    # The webhook: a fresh gift and a real charge at localstripe for each call (not timed).
    stripe = StripeGateway(config)
    pool_id = in_transaction(run, lambda s: s.scalar(text("SELECT id FROM pools WHERE slug = :s"), {"s": slug}))

    def new_gift(session):
        gift = Gift(pool_id=pool_id, amount=2500, currency=CURRENCY, source="stripe")
        session.add(gift)
        session.flush()
        return gift.id

    def webhook() -> float:
        gift_id = in_transaction(run, new_gift)
        intent = stripe.client.v1.payment_intents.create(params={
            "amount": 2500, "currency": "pln", "payment_method": "pm_card_visa", "confirm": True,
            "metadata": {"ayni_gift": str(gift_id), "ayni_origin": config.ledger_origin}}).to_dict()
        intent.pop("charges", None)
        intent["latest_charge"] = stripe_id(intent["latest_charge"])
        body = json.dumps({"id": f"evt_{secrets.token_hex(12)}", "object": "event", "api_version": API_VERSION,
                           "type": "payment_intent.succeeded", "created": int(time.time()), "livemode": False,
                           "pending_webhooks": 1, "data": {"object": intent}}).encode()
        headers = {"Stripe-Signature": signature(body, SECRET)}
        began = time.perf_counter()
        answer = _expect(client.post("/stripe/webhook", data=body, headers=headers, content_type="application/json"))
        elapsed = (time.perf_counter() - began) * 1000
        if answer.get_json().get("status") != "booked":
            raise RuntimeError(f"webhook answered {answer.get_json()}")
        return elapsed

    calls = {
        "pool_page": lambda: _timed(lambda: _expect(client.get(f"/pools/{slug}"))),
        "committee_queue": lambda: _timed(lambda: _expect(committee.get("/committee/queue"))),
        "ledger_latest": lambda: _timed(lambda: _expect(client.get("/ledger"))),
        "ledger_old_page": lambda: _timed(lambda: _expect(client.get(f"/ledger?before={old}"))),
        "status_page": lambda: _timed(lambda: _expect(client.post("/status", data={
            "csrf_token": csrf, "lang": "en", "codename": codenames[next(asked) % len(codenames)]}))),
        "webhook": webhook,
    }
    return calls, lambda: app.extensions["ayni.engine"].dispose()


def measure_pages(prepared: dict[str, dict], repeats: int, warm_up: int = 3) -> dict[str, dict[str, float]]:
    """Median ms per page and dataset. The datasets take turns request by request, so a busy
    moment of the machine (other work on the same two cores) falls on both alike."""
    times: dict[str, dict[str, list[float]]] = {name: {page: [] for page in calls} for name, calls in prepared.items()}
    names = list(prepared)
    for page in next(iter(prepared.values())):
        for turn in range(warm_up + repeats):
            for name in names if turn % 2 == 0 else reversed(names):
                elapsed = prepared[name][page]()
                if turn >= warm_up:
                    times[name][page].append(elapsed)
    return {name: {page: round(statistics.median(values), 3) for page, values in pages.items()}
            for name, pages in times.items()}


# --- measuring memory ----------------------------------------------------------------------------


def peak_rss_mb(command: list[str], env: dict) -> float:
    """Run ``command``; its peak resident set (MB), as GNU time reports it.

    Not this process's own wait4(): on Linux a child's ru_maxrss starts from the memory of the
    process it was forked from (this one, with Flask and SQLAlchemy loaded), which would hide a
    small command's peak. /usr/bin/time is small, and reports the maxrss of its own child.
    """
    finished = subprocess.run(["/usr/bin/time", "-v", *command], env=env, cwd=ROOT, stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE, text=True, check=False)
    if finished.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed: {finished.stderr[-2000:]}")
    found = re.search(r"Maximum resident set size \(kbytes\): (\d+)", finished.stderr)
    return round(int(found.group(1)) / 1024, 1)


def measure_memory(folder: Path) -> dict:
    url = f"sqlite:///{folder / 'ayni.sqlite3'}"
    env = {**os.environ, "AYNI_DATABASE_URL": url, "AYNI_LEDGER_KEY_FILE": str(folder / "ledger.key"),
           "AYNI_LEDGER_ORIGIN": ORIGIN, "AYNI_CODENAME_PEPPER": PEPPER, "FLASK_APP": "app:create_app"}
    flask = [str(Path(sys.executable).parent / "flask")]
    if not Path(flask[0]).exists():
        flask = [sys.executable, "-m", "flask"]
    export = folder / "export.jsonl"
    began = time.perf_counter()
    export_mb = peak_rss_mb([*flask, "ledger", "export", "--format", "jsonl", "--out", str(export)], env)
    export_seconds = time.perf_counter() - began
    began = time.perf_counter()
    verify_mb = peak_rss_mb([sys.executable, "-m", "ledger.verify", str(export)], env)
    verify_seconds = time.perf_counter() - began
    size = export.stat().st_size
    export.unlink()
    return {"export_peak_rss_mb": export_mb, "verify_peak_rss_mb": verify_mb, "export_bytes": size,
            "export_seconds": round(export_seconds, 1), "verify_seconds": round(verify_seconds, 1)}


# --- the run -------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cache-dir", help="keep built datasets here and reuse them (default: a temp dir)")
    parser.add_argument("--small", type=int, default=1_000)
    parser.add_argument("--large", type=int, default=1_000_000)
    parser.add_argument("--export-small", type=int, default=10_000)
    parser.add_argument("--requests-per-entry", type=float, default=0.1)
    parser.add_argument("--repeats", type=int, default=30)
    parser.add_argument("--skip-memory", action="store_true", help="pages only")
    args = parser.parse_args()

    from webhook_bench import start_localstripe

    with tempfile.TemporaryDirectory(prefix="ayni-scale-") as scratch:
        workdir = Path(scratch)
        cache = Path(args.cache_dir) if args.cache_dir else workdir / "cache"
        sizes = {"small": args.small, "large": args.large, "export_small": args.export_small}
        folders, facts = {}, {}
        for name in ("small", "large") + (() if args.skip_memory else ("export_small",)):
            entries = sizes[name]
            folders[name], facts[name] = dataset(cache, entries, max(OPEN_REQUESTS + 10,
                                                                     int(entries * args.requests_per_entry)))
        servers, prepared, releases = [], {}, []
        try:
            for name in ("small", "large"):
                servers.append(start_localstripe())  # one each: its cost grows with what it holds
                prepared[name], release = page_calls(working_copy(folders[name], workdir), facts[name], servers[-1])
                releases.append(release)
            pages = measure_pages(prepared, args.repeats)
        finally:
            for release in releases:
                release()
            for server in servers:
                server.stop()
        memory = {}
        if not args.skip_memory:
            for name in ("export_small", "large"):
                memory[name] = measure_memory(working_copy(folders[name], workdir))

    report = {
        "page_latency_1m_vs_1k": {page: round(pages["large"][page] / pages["small"][page], 2)
                                  for page in pages["small"]},
    }
    if memory:
        report["export_peak_rss_1m_vs_10k"] = round(
            memory["large"]["export_peak_rss_mb"] / memory["export_small"]["export_peak_rss_mb"], 2)
        report["verify_peak_rss_1m_vs_10k"] = round(
            memory["large"]["verify_peak_rss_mb"] / memory["export_small"]["verify_peak_rss_mb"], 2)
    report["page_median_ms"] = pages
    report["peak_rss"] = memory
    report["datasets"] = {name: {k: v for k, v in f.items() if k not in ("status_codenames", "version")}
                          for name, f in facts.items()}
    report["repeats"] = args.repeats
    report["target"] = 1.5
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
