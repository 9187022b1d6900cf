"""Exports of the books: JSONL that anyone re-verifies offline, CSV, and Beancount that bean-check accepts."""

from __future__ import annotations

import csv
import io
import os
import re
import subprocess
import sys
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import pytest

from ledger import export, store, stream
from ledger.entry import Entry, Posting

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


# --- a season of a small fund's books -------------------------------------------------------------


def open_books(session) -> None:
    for pool, currency in ((1, "EUR"), (2, "EUR"), (3, "PLN")):
        store.open_account(session, f"pool:{pool}:available", currency, floor_zero=True)
        store.open_account(session, f"pool:{pool}:paid", currency, type="Expenses")
    store.open_account(session, "donations:stripe", "EUR", type="Income")
    store.open_account(session, "donations:offline", "PLN", type="Income")
    store.open_account(session, "fees:stripe", "EUR", type="Expenses")
    store.open_account(session, "refunds", "EUR", type="Expenses")


def book_round(session, n: int) -> None:
    """Gifts with fees, an offline gift, approvals, a payout, a withdrawn hold, an open hold, a refund."""
    store.post_many(
        session,
        [
            Entry(
                f"gift:{n}:{i}",
                "transfer",
                (
                    Posting("donations:stripe", "EUR", -(2500 + 100 * i)),
                    Posting(f"pool:{1 + i % 2}:available", "EUR", 2500 + 100 * i - 45 - i),
                    Posting("fees:stripe", "EUR", 45 + i),
                ),
                {"pool": 1 + i % 2, "channel": "stripe"},
            )
            for i in range(6)
        ],
    )
    store.post(
        session,
        Entry(
            f"gift:{n}:offline",
            "transfer",
            (Posting("donations:offline", "PLN", -55000), Posting("pool:3:available", "PLN", 55000)),
            {"pool": 3, "channel": "offline", "note": 'cash "box" at the drop-in'},
        ),
    )
    store.record(session, f"approval:{n}:a", {"request": f"r{n}a", "decision": "approve"})
    held = store.reserve(session, f"reserve:{n}:a", payout(1, 3000), {"request": f"r{n}a"})
    store.settle(session, f"paid:{n}:a", held.seq, {"request": f"r{n}a"})
    held = store.reserve(session, f"reserve:{n}:b", payout(3, 20000, "PLN"), {"request": f"r{n}b"})
    store.void(session, f"withdrawn:{n}:b", held.seq)
    store.reserve(session, f"reserve:{n}:c", payout(2, 1500), {"request": f"r{n}c"})
    store.post(
        session,
        Entry(f"refund:{n}", "transfer", (Posting("pool:1:available", "EUR", -500), Posting("refunds", "EUR", 500))),
    )


def payout(pool: int, amount: int, currency: str = "EUR") -> tuple[Posting, ...]:
    return (Posting(f"pool:{pool}:available", currency, -amount), Posting(f"pool:{pool}:paid", currency, amount))


@pytest.fixture
def books(db_session):
    open_books(db_session)
    book_round(db_session, 1)
    book_round(db_session, 2)
    db_session.commit()
    return db_session


@pytest.fixture
def flask_cli(app, books):
    """``flask --app app ...`` on the test database, in process; returns its standard output."""
    runner = app.test_cli_runner()

    def run(*args: str) -> str:
        result = runner.invoke(args=list(args))
        assert result.exit_code == 0, result.output
        return result.stdout

    return run


def publish(flask_cli, tmp_path: Path) -> tuple[Path, Path]:
    """What a fund publishes: the signed checkpoint, its public key, the JSONL books."""
    (tmp_path / "checkpoint.txt").write_text(flask_cli("ledger", "checkpoint"))
    (tmp_path / "vkey.txt").write_text(flask_cli("ledger", "public-key"))
    flask_cli("ledger", "export", "--format", "jsonl", "--out", str(tmp_path / "books.jsonl"))
    return tmp_path / "checkpoint.txt", tmp_path / "vkey.txt"


def run_verifier(*args: str | Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "ledger.verify", *map(str, args)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )


def names_entry(output: str, seq: int) -> bool:
    return re.search(rf"\bentry {seq}\b", output) is not None


# --- JSONL: the public books --------------------------------------------------------------------


def test_a_donor_verifies_the_published_export_with_the_standalone_verifier(database_url, books, tmp_path):
    """The whole path a fund publishes, run as its operator would: the real ``flask`` command."""
    env = {
        **os.environ,
        "AYNI_DATABASE_URL": database_url,
        "AYNI_LEDGER_KEY_FILE": str(tmp_path / "signing.key"),
        "AYNI_LEDGER_ORIGIN": "fund.example.org/ledger",
    }

    def flask(*args: str) -> str:
        done = subprocess.run(
            [str(BIN / "flask"), "--app", "app", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    (tmp_path / "checkpoint.txt").write_text(flask("ledger", "checkpoint"))
    (tmp_path / "vkey.txt").write_text(flask("ledger", "public-key"))
    flask("ledger", "export", "--format", "jsonl", "--out", str(tmp_path / "books.jsonl"))

    done = run_verifier(
        tmp_path / "books.jsonl", "--checkpoint", tmp_path / "checkpoint.txt", "--public-key", tmp_path / "vkey.txt"
    )

    assert done.returncode == 0, done.stderr
    assert "ok: 38 entries" in done.stdout and "checkpoint size 38 verified" in done.stdout


def test_a_flipped_byte_in_one_entry_fails_the_verifier_and_names_the_entry(flask_cli, tmp_path):
    note, vkey = publish(flask_cli, tmp_path)
    lines = (tmp_path / "books.jsonl").read_bytes().split(b"\n")
    seq = 19  # the settled payout of the first round: line 21, after the header
    assert b'"kind":"settle"' in lines[seq + 1] and lines[seq + 1].endswith(b'"seq":19}')
    lines[seq + 1] = flip_bit(lines[seq + 1], lines[seq + 1].index(b"-3000") + 1)  # -3000 cents becomes -2000
    (tmp_path / "altered.jsonl").write_bytes(b"\n".join(lines))

    done = run_verifier(tmp_path / "altered.jsonl", "--checkpoint", note, "--public-key", vkey)

    assert done.returncode == 1
    assert "FAILED" in done.stderr and names_entry(done.stderr, seq), done.stderr


def test_a_flipped_byte_in_a_note_fails_the_verifier_against_the_signed_root(flask_cli, tmp_path):
    note, vkey = publish(flask_cli, tmp_path)
    lines = (tmp_path / "books.jsonl").read_bytes().split(b"\n")
    lines[18] = flip_bit(lines[18], lines[18].index(b"approve"))  # "approve" becomes "`pprove": still a valid note
    (tmp_path / "altered.jsonl").write_bytes(b"\n".join(lines))

    done = run_verifier(tmp_path / "altered.jsonl", "--checkpoint", note, "--public-key", vkey)

    assert done.returncode == 1
    assert "do not rebuild the root signed in the checkpoint" in done.stderr


def flip_bit(line: bytes, at: int) -> bytes:
    return line[:at] + bytes([line[at] ^ 1]) + line[at + 1 :]


def test_an_export_of_the_same_books_is_byte_identical_however_it_is_batched(books, monkeypatch):
    def jsonl() -> bytes:
        out = io.BytesIO()
        assert export.write(books, "jsonl", out, origin="fund.example.org/ledger") == 38
        return out.getvalue()

    first, second = jsonl(), jsonl()
    monkeypatch.setattr(stream, "BATCH", 7)  # many keyset pages instead of one
    paged = jsonl()

    assert first == second == paged
    assert first.count(b"\n") == 39


# --- CSV: for spreadsheets ------------------------------------------------------------------------


def test_the_csv_export_has_one_row_per_posting_and_every_entry_balances(flask_cli, books, tmp_path):
    flask_cli("ledger", "export", "--format", "csv", "--out", str(tmp_path / "books.csv"))
    with open(tmp_path / "books.csv", newline="", encoding="utf-8") as stream_:
        rows = list(csv.DictReader(stream_))

    money_rows = [r for r in rows if r["account"]]
    totals: dict[tuple[str, str], int] = defaultdict(int)
    for row in money_rows:
        totals[row["seq"], row["currency"]] += int(row["amount_minor"])
    # 2 rounds: 6 gifts x 3 postings, offline gift, payout hold + settle, PLN hold, open hold, refund x 2 each
    assert len(money_rows) == 2 * (6 * 3 + 2 + 2 + 2 + 2 + 2 + 2)
    assert set(totals.values()) == {0}
    assert {r["seq"] for r in rows} == {str(s) for s in range(38)}
    assert all(not r["account"] for r in rows if r["kind"] in ("open", "void", "note"))
    assert all(r["leaf_hash"] == rows[0]["leaf_hash"] for r in rows if r["seq"] == rows[0]["seq"])
    offline = next(r for r in rows if r["key"] == "gift:1:offline")
    assert offline["meta"] == '{"channel":"offline","note":"cash \\"box\\" at the drop-in","pool":3}'


# --- Beancount: for accountants -------------------------------------------------------------------


def bean_check(path: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(BIN / "bean-check"), str(path)], capture_output=True, text=True, timeout=60)


AMOUNT = re.compile(r"(-?\d+\.\d\d) (EUR|PLN)$")


def plus_one_cent(line: str) -> str:
    match = AMOUNT.search(line)
    assert match, line
    return line[: match.start()] + f"{Decimal(match[1]) + Decimal('0.01')} {match[2]}"


@pytest.fixture
def beancount_file(flask_cli, tmp_path) -> Path:
    path = tmp_path / "books.beancount"
    flask_cli("ledger", "export", "--format", "beancount", "--out", str(path))
    return path


def test_bean_check_accepts_the_beancount_export(beancount_file):
    done = bean_check(beancount_file)

    assert done.returncode == 0, done.stdout + done.stderr
    text = beancount_file.read_text()
    assert "balance Assets:Pool:1:Available  " in text and "open Expenses:Pool:3:Paid PLN" in text


def test_bean_check_refuses_a_posting_off_by_one_cent(beancount_file, tmp_path):
    lines = beancount_file.read_text().split("\n")
    at = lines.index("  Assets:Pool:3:Available  550.00 PLN")
    lines[at] = plus_one_cent(lines[at])
    altered = tmp_path / "altered.beancount"
    altered.write_text("\n".join(lines))

    done = bean_check(altered)

    assert done.returncode != 0
    assert "does not balance" in done.stdout + done.stderr


def test_bean_check_refuses_a_closing_balance_off_by_one_cent(beancount_file, tmp_path):
    lines = beancount_file.read_text().split("\n")
    at = next(i for i, line in enumerate(lines) if " balance Assets:Pool:1:Available " in line)
    lines[at] = plus_one_cent(lines[at])
    altered = tmp_path / "altered.beancount"
    altered.write_text("\n".join(lines))

    done = bean_check(altered)

    assert done.returncode != 0
    assert "Balance failed for 'Assets:Pool:1:Available'" in done.stdout + done.stderr


def test_an_entry_key_cannot_smuggle_a_transaction_into_the_beancount_export(db_session, tmp_path):
    open_books(db_session)
    store.post(
        db_session,
        Entry("gift", "transfer", (Posting("donations:stripe", "EUR", -100), Posting("pool:1:available", "EUR", 100))),
    )
    store.record(db_session, 'note\n2020-01-01 * "forged"\n  Assets:Pool:1:Available  1.00 EUR\n  Refunds', {})
    store.post(
        db_session,
        Entry(
            'refund "quoted" \\ key\nwith a newline',
            "transfer",
            (Posting("pool:1:available", "EUR", -40), Posting("refunds", "EUR", 40)),
        ),
    )
    db_session.commit()
    path = tmp_path / "books.beancount"
    with open(path, "wb") as out:
        export.write(db_session, "beancount", out, origin="fund.example.org/ledger")

    done = bean_check(path)

    assert done.returncode == 0, done.stdout + done.stderr
    assert "forged" not in "".join(line for line in path.read_text().split("\n") if not line.startswith(";"))
    assert "balance Assets:Pool:1:Available  0.60 EUR" in path.read_text()
