"""How much the books cost over the bare minimum, measured in one run on one machine.

    .venv/bin/python tests/bench/ledger_bench.py [--entries 100000]

Prints one JSON object. Every ratio compares the ledger with a baseline doing only the work no
implementation can avoid, on the same SQLite file and engine settings (WAL, synchronous=FULL,
BEGIN IMMEDIATE from funds.db.make_engine), each holding one connection for the whole measure,
with statements built once:

- posting_batched_vs_raw_executemany: store.post_many, 1,000 two-posting transfers a transaction,
  vs SQLAlchemy Core executemany of the same entry and posting rows into plain tables of the same
  shape (the same columns, keys, indexes and foreign keys; no triggers, hashes, tree nodes or
  balances), same batch size.
- posting_single_vs_raw_commit_per_row: store.post and a commit per entry (of a Session set up as
  the app's, expire_on_commit=False), vs the same rows inserted raw and committed one entry at a
  time on the bare connection.
- verify_vs_bare_sha256_loop: ledger.verify.verify_export on the JSONL export, vs a loop reading
  the same file and computing only the RFC 6962 leaf hashes and Merkle root with hashlib. The
  loop runs on one core; verify_export hashes in a helper process on a second core when there is
  one, so this ratio depends on that core being free.
- proof_check_vs_ed25519_plus_hashes: a donor's check of one receipt (open_note on the signed
  checkpoint, leaf hash, verify_inclusion), vs one bare Ed25519 verify of the same signature plus
  the same number of SHA-256 hashes.

Each measure is repeated in turn with its baseline and the best of each kept (the least disturbed
by the rest of the machine).
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import platform
import sqlite3
import sys
import tempfile
import time
from datetime import date
from hashlib import sha256
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey  # noqa: E402
from sqlalchemy import (  # noqa: E402
    BigInteger,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    SmallInteger,
    String,
    Table,
    Text,
    insert,
)
from sqlalchemy.orm import Session  # noqa: E402

from funds.db import make_engine  # noqa: E402
from funds.migrate import upgrade  # noqa: E402
from ledger import audit, export, schema, store  # noqa: E402
from ledger.checkpoint import generate_signer, open_note  # noqa: E402
from ledger.entry import Entry, Posting  # noqa: E402
from ledger.merkle import leaf_hash, verify_inclusion  # noqa: E402
from ledger.verify import verify_export  # noqa: E402

ORIGIN = "bench.ayni.local/ledger"
BATCH = 1000
ACCOUNTS = 16
DAY = date(2025, 1, 15)

raw = MetaData()
raw_entries = Table(
    "raw_entries",
    raw,
    Column("seq", BigInteger, primary_key=True, autoincrement=False),
    Column("key", String(200), nullable=False, unique=True),
    Column("kind", String(10), nullable=False),
    Column("booked_on", Date, nullable=False, index=True),
    Column("meta", Text, nullable=False),
    Column("reservation", BigInteger, ForeignKey("raw_entries.seq"), unique=True),
    Column("leaf_hash", LargeBinary(32), nullable=False),
)
raw_postings = Table(
    "raw_postings",
    raw,
    Column("entry_seq", BigInteger, ForeignKey("raw_entries.seq"), primary_key=True, autoincrement=False),
    Column("position", SmallInteger, primary_key=True, autoincrement=False),
    Column("account_id", Integer, ForeignKey(schema.accounts.c.id), nullable=False),
    Column("amount", BigInteger, nullable=False),
    Index("ix_raw_postings_account_id_entry_seq", "account_id", "entry_seq"),
)
INSERT_RAW_ENTRIES = insert(raw_entries)
INSERT_RAW_POSTINGS = insert(raw_postings)
NO_HASH = bytes(32)


def best(measure, baseline, repeats: int) -> tuple[float, float]:
    """The shortest of ``repeats`` timings of ``measure()`` and of ``baseline()`` (each returns
    seconds), taken in turn so that both see the same spells of a busy machine."""
    timings = [(measure(), baseline()) for _ in range(repeats)]
    return min(t for t, _ in timings), min(t for _, t in timings)


def transfer(n: int) -> Entry:
    """Gift ``n``: from the donations account into one of the pools."""
    return Entry(
        f"gift:{n}",
        "transfer",
        (
            Posting("donations:stripe", "EUR", -(1000 + n % 997)),
            Posting(f"pool:{n % ACCOUNTS}:available", "EUR", 1000 + n % 997),
        ),
        {"pool": n % ACCOUNTS},
    )


def raw_rows(n: int, seq: int) -> tuple[dict, list[dict]]:
    """The rows a raw insert writes for gift ``n`` at ``seq``: the same columns the store writes."""
    entry = {
        "seq": seq,
        "key": f"gift:{n}",
        "kind": "transfer",
        "booked_on": DAY,
        "meta": json.dumps({"pool": n % ACCOUNTS}, separators=(",", ":")),
        "reservation": None,
        "leaf_hash": NO_HASH,
    }
    amount = 1000 + n % 997
    postings = [
        {"entry_seq": seq, "position": 0, "account_id": 1, "amount": -amount},
        {"entry_seq": seq, "position": 1, "account_id": 2 + n % ACCOUNTS, "amount": amount},
    ]
    return entry, postings


class Bench:
    def __init__(self, workdir: Path, entries: int, repeats: int):
        self.workdir = workdir
        self.engine = make_engine(f"sqlite:///{workdir / 'bench.sqlite3'}")
        upgrade(self.engine)
        raw.create_all(self.engine)
        self.target = entries
        self.repeats = repeats
        self.next_gift = 0
        self.next_raw = 0
        with Session(self.engine) as session:
            store.open_account(session, "donations:stripe", "EUR", type="Income")
            for i in range(ACCOUNTS):
                store.open_account(session, f"pool:{i}:available", "EUR", floor_zero=True)
            session.commit()

    def gifts(self, count: int) -> list[Entry]:
        start, self.next_gift = self.next_gift, self.next_gift + count
        return [transfer(n) for n in range(start, start + count)]

    def raw_batch(self, count: int) -> list[tuple[dict, list[dict]]]:
        start, self.next_raw = self.next_raw, self.next_raw + count
        return [raw_rows(n, n) for n in range(start, start + count)]

    # -- posting -----------------------------------------------------------------------------------

    def posting_batched(self, batches: int) -> float:
        work = [self.gifts(BATCH) for _ in range(batches)]
        with self.engine.connect() as connection, Session(connection) as session:
            started = time.perf_counter()
            for batch in work:
                store.post_many(session, batch, on=DAY)
                session.commit()
            return time.perf_counter() - started

    def raw_batched(self, batches: int) -> float:
        work = []
        for _ in range(batches):
            rows = self.raw_batch(BATCH)
            work.append(([e for e, _ in rows], [p for _, ps in rows for p in ps]))
        with self.engine.connect() as connection:
            started = time.perf_counter()
            for entry_rows, posting_rows in work:
                connection.execute(INSERT_RAW_ENTRIES, entry_rows)
                connection.execute(INSERT_RAW_POSTINGS, posting_rows)
                connection.commit()
            return time.perf_counter() - started

    def posting_single(self, count: int) -> float:
        work = self.gifts(count)
        with self.engine.connect() as connection, Session(connection, expire_on_commit=False) as session:
            started = time.perf_counter()
            for entry in work:
                store.post(session, entry, on=DAY)
                session.commit()
            return time.perf_counter() - started

    def raw_single(self, count: int) -> float:
        work = self.raw_batch(count)
        with self.engine.connect() as connection:
            started = time.perf_counter()
            for entry_row, posting_rows in work:
                connection.execute(INSERT_RAW_ENTRIES, entry_row)
                connection.execute(INSERT_RAW_POSTINGS, posting_rows)
                connection.commit()
            return time.perf_counter() - started

    # -- verifying ---------------------------------------------------------------------------------

    def export_jsonl(self) -> tuple[Path, float]:
        path = self.workdir / "books.jsonl"
        with Session(self.engine) as session, open(path, "wb") as out:
            started = time.perf_counter()
            export.write_jsonl(session, out, ORIGIN)
            return path, time.perf_counter() - started


def bare_root(path: Path) -> bytes:
    """The least any verifier must do: hash every line as an RFC 6962 leaf and fold the root."""
    sha = sha256
    stack: list[bytes] = []
    push, pop = stack.append, stack.pop
    n = 0
    with open(path, "rb") as lines:
        lines.readline()  # the header
        for line in lines:
            h = sha(b"\x00" + line[:-1]).digest()
            k = n
            while k & 1:
                h = sha(b"\x01" + pop() + h).digest()
                k >>= 1
            push(h)
            n += 1
    h = stack[-1]
    for left in reversed(stack[:-1]):
        h = sha(b"\x01" + left + h).digest()
    return h


def timed(function, *args) -> float:
    started = time.perf_counter()
    function(*args)
    return time.perf_counter() - started


def per_call(function, calls: int) -> float:
    started = time.perf_counter()
    for _ in range(calls):
        function()
    return (time.perf_counter() - started) / calls


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--entries", type=int, default=100_000, help="entries in the verified export (>= 100000)")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--single", type=int, default=300, help="entries per single-commit measure")
    args = parser.parse_args()
    result: dict[str, object] = {
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "sqlite": sqlite3.sqlite_version,
        "cpus": os.cpu_count(),
    }

    with tempfile.TemporaryDirectory(prefix="ayni-bench-") as tmp:
        bench = Bench(Path(tmp), args.entries, args.repeats)

        # Batched posting fills the books the verifier reads: repeats x batches reach the target size.
        batches = -(-args.entries // (BATCH * args.repeats))
        posted, raw_posted = best(
            lambda: bench.posting_batched(batches), lambda: bench.raw_batched(batches), args.repeats
        )
        per_measure = batches * BATCH
        result["posting_batched_per_s"] = round(per_measure / posted)
        result["raw_executemany_per_s"] = round(per_measure / raw_posted)
        result["posting_batched_vs_raw_executemany"] = round(raw_posted / posted, 3)
        result["posting_batch_size"] = BATCH
        result["posting_batched_entries_per_measure"] = per_measure

        single, raw_single = best(
            lambda: bench.posting_single(args.single), lambda: bench.raw_single(args.single), args.repeats
        )
        result["posting_single_per_s"] = round(args.single / single)
        result["raw_commit_per_row_per_s"] = round(args.single / raw_single)
        result["posting_single_vs_raw_commit_per_row"] = round(raw_single / single, 3)
        result["posting_single_entries_per_measure"] = args.single

        path, exported = bench.export_jsonl()
        with Session(bench.engine) as session:
            signer = generate_signer(ORIGIN)
            note = audit.checkpoint(session, signer, ORIGIN)
            session.commit()
            checkpoint = open_note(note, signer.verifier)
            size = checkpoint.size
        result["export_entries_per_s"] = round(size / exported)
        result["verify_entries"] = size

        verified, bare = best(lambda: timed(verify_export, path, note, signer.vkey), lambda: timed(bare_root, path), 3)
        summary = verify_export(path, note, signer.vkey)
        assert bare_root(path) == summary.root == checkpoint.root
        result["verify_per_s"] = round(size / verified)
        result["bare_sha256_loop_per_s"] = round(size / bare)
        result["verify_vs_bare_sha256_loop"] = round(bare / verified, 3)

        # One donor's receipt: the entry's line, its audit path, the signed checkpoint.
        seq = size // 3 + 1
        with open(path, "rb") as lines:
            for _ in range(seq + 2):
                entry_line = lines.readline()
        entry_line = entry_line.rstrip(b"\n")
        with Session(bench.engine) as session:
            proof = audit.prove_inclusion(session, seq, size)
        verifier = signer.verifier

        def donor_check() -> None:
            cp = open_note(note, verifier)
            verify_inclusion(leaf_hash(entry_line), seq, cp.size, proof, cp.root)

        body = note[: note.rfind("\n\n") + 1].encode()
        signature = base64.b64decode(note.rstrip("\n").rsplit(" ", 1)[1])[4:]
        public_key = Ed25519PublicKey.from_public_bytes(verifier.public_key)  # loaded once: no parsing at all
        hashes = len(proof) + 1  # the leaf hash and one node hash per proof step

        def bare_check() -> None:
            public_key.verify(signature, body)
            h = entry_line
            for _ in range(hashes):
                h = sha256(h).digest()

        donor_check()
        calls = 2000
        donor, bare_proof = best(
            lambda: per_call(donor_check, calls), lambda: per_call(bare_check, calls), args.repeats
        )
        result["proof_check_per_s"] = round(1 / donor)
        result["ed25519_plus_hashes_per_s"] = round(1 / bare_proof)
        result["proof_check_vs_ed25519_plus_hashes"] = round(donor / bare_proof, 3)
        result["proof_hashes"] = len(proof)
        bench.engine.dispose()

    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
