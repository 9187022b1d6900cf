"""Public exports: the books up to the last closed day, in JSONL, CSV and Beancount that
bean-check accepts, with closing balances of that day even while today's entries pile up."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

BIN = Path(sys.executable).parent


def bean_check(path: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(BIN / "bean-check"), str(path)], capture_output=True, text=True, timeout=60)


def test_bean_check_accepts_the_public_beancount_export_with_the_days_closing_balances(client, fund, books,
                                                                                        tmp_path):
    fund.gift(25_000, public_name="Zofia")
    fund.card_gift(10_000, 320)
    fund.supported(7_000, "rent")
    waiting = fund.ask(4_000, "food")
    fund.approve(waiting)  # set aside yesterday, paid today
    books.day = None
    fund.pay(waiting)
    fund.gift(9_900)

    answer = client.get("/api/v1/ledger/export.beancount")
    assert answer.status_code == 200 and answer.content_type.startswith("text/plain")
    path = tmp_path / "public.beancount"
    path.write_bytes(answer.data)
    done = bean_check(path)
    assert done.returncode == 0, done.stdout + done.stderr
    text = answer.get_data(as_text=True)
    pool = fund.pool_id
    # the pool held 25,000 + 9,680 - 7,000 at the end of yesterday; today's payout and gift are not in it
    assert f"balance Assets:Pool:{pool}:Available  276.80 EUR" in text
    assert f"balance Expenses:Pool:{pool}:Paid:Food  0.00 EUR" in text
    assert "99.00 EUR" not in text and "Zofia" not in text

    altered = tmp_path / "altered.beancount"
    altered.write_text(text.replace("276.80 EUR", "276.81 EUR"))
    assert bean_check(altered).returncode != 0


def test_the_jsonl_and_csv_exports_stop_at_the_same_entry_as_the_page(client, fund, books):
    fund.gift(10_000)
    fund.supported(3_000, "transport")
    books.day = None
    fund.gift(1_000)
    size = client.get("/api/v1/ledger").json["published"]["size"]

    jsonl = client.get("/api/v1/ledger/export.jsonl")
    assert jsonl.headers["Content-Disposition"] == f'attachment; filename="ayni-ledger-{size}.jsonl"'
    lines = jsonl.data.splitlines()
    header = json.loads(lines[0])
    assert header["size"] == size == len(lines) - 1 and header["origin"] == "ayni.test/transparency"
    assert json.loads(lines[-1])["seq"] == size - 1

    rows = list(csv.DictReader(io.StringIO(client.get("/api/v1/ledger/export.csv").get_data(as_text=True))))
    assert max(int(row["seq"]) for row in rows) == size - 1
    for seq in {row["seq"] for row in rows}:
        assert sum(int(row["amount_minor"] or 0) for row in rows if row["seq"] == seq) == 0
