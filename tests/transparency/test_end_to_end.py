"""End to end: money comes in and goes out through every area's own functions, the job signs the
public books, and an outsider checks them with nothing but the downloads and the verifier."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from funds.books import app_signer
from funds.scheduler import JOBS, run_job
from ledger import audit
from ledger.checkpoint import Verifier, open_note
from ledger.errors import ProofError
from ledger.merkle import verify_consistency

ROOT = Path(__file__).resolve().parents[2]


def verifier(*args: str | Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-W", "error", "-m", "ledger.verify", *map(str, args)], cwd=ROOT,
                          capture_output=True, text=True, timeout=60)


def download(client, path: str, target: Path) -> Path:
    answer = client.get(path)
    assert answer.status_code == 200, path
    target.write_bytes(answer.data)
    return target


def test_an_outsider_verifies_the_public_books_a_gift_and_two_checkpoints(app, client, fund, run, tmp_path):
    _gift_id, gift_seq = fund.gift(30_000, public_name="Zofia")
    fund.card_gift(12_000, 380, charge_id="ch_e2e")
    first, second = fund.supported(8_000, "rent"), fund.supported(4_500, "food")
    fund.decline(fund.ask(9_000, "medical"))

    first_size = run_job(app, "sign-checkpoints")
    published = client.get("/api/v1/ledger").json["published"]["size"]
    assert first_size == published > gift_seq
    assert run_job(app, "sign-checkpoints") is None  # nothing new: no second signature

    export = download(client, "/api/v1/ledger/export.jsonl", tmp_path / "ledger.jsonl")
    note = download(client, "/api/v1/ledger/checkpoints/latest", tmp_path / "checkpoint.txt")
    key = download(client, "/api/v1/ledger/public-key", tmp_path / "key.txt")
    checked = verifier(export, "--checkpoint", note, "--public-key", key)
    assert checked.returncode == 0, checked.stderr
    assert f"ok: {published} entries" in checked.stdout and f"checkpoint size {first_size} verified" in checked.stdout
    assert b'"what":"payout"' in export.read_bytes() and first != second

    proof = download(client, f"/api/v1/ledger/entries/{gift_seq}/proof?size={first_size}", tmp_path / "proof.json")
    checked = verifier(proof, "--checkpoint", note, "--public-key", key)
    assert checked.returncode == 0, checked.stderr
    assert f"ok: entry {gift_seq} is in the books" in checked.stdout

    document = json.loads(proof.read_text())
    assert '"postings":[["donations:offline:eur","EUR",-30000]' in document["entry"]
    document["entry"] = document["entry"].replace("-30000", "-3000").replace("30000", "3000")
    forged = tmp_path / "forged.json"
    forged.write_text(json.dumps(document))
    refused = verifier(forged, "--checkpoint", note, "--public-key", key)
    assert refused.returncode == 1 and "FAILED" in refused.stderr

    # The fund goes on; the next run signs the grown public books, consistent with the first.
    fund.gift(5_000)
    fund.supported(2_500, "transport")
    second_size = run_job(app, "sign-checkpoints")
    assert second_size > first_size
    key_text = key.read_text().strip()
    old = open_note(note.read_text(), Verifier.from_vkey(key_text))
    new = open_note(client.get(f"/api/v1/ledger/checkpoints/{second_size}").get_data(as_text=True),
                    Verifier.from_vkey(key_text))
    proof = client.get(f"/api/v1/ledger/consistency?from={first_size}&to={second_size}").json
    assert proof["format"] == "ayni-consistency-proof/1" and proof["origin"] == "ayni.test/transparency"
    hashes = [bytes.fromhex(h) for h in proof["hashes"]]
    verify_consistency(old.size, new.size, old.root, new.root, hashes)
    try:
        verify_consistency(old.size, new.size, old.root, new.root, hashes[::-1])
    except ProofError:
        pass
    else:
        raise AssertionError("a reordered consistency proof verified")
    assert run(lambda s: audit.verify(s)).checkpoints_checked == 2


def test_the_job_signs_only_the_entries_of_closed_days(app, client, fund, books, run):
    fund.gift(10_000)
    fund.gift(2_000)
    books.day = None
    fund.supported(3_000, "food")
    # an operator signs the whole tree by hand; the public still sees only closed days
    head_note = run(lambda s: audit.checkpoint(s, app_signer(app), app.extensions["ayni.config"].ledger_origin))
    head = int(head_note.split("\n")[1])
    published = client.get("/api/v1/ledger").json["published"]["size"]
    assert run_job(app, "sign-checkpoints") == published < head
    assert run_job(app, "sign-checkpoints") is None
    note = client.get("/api/v1/ledger/checkpoints/latest").get_data(as_text=True)
    assert note.split("\n")[1] == str(published)
    assert client.get(f"/api/v1/ledger/checkpoints/{head}").status_code == 404
    assert client.get(f"/api/v1/ledger/consistency?from=1&to={head}").status_code == 400
    assert run(lambda s: audit.verify(s)).checkpoints_checked == 2

    assert JOBS["sign-checkpoints"].interval(app) == 3600  # hourly unless the deployment says otherwise
    app.extensions["ayni.config"] = app.extensions["ayni.config"].with_overrides(checkpoint_interval_minutes=15)
    assert JOBS["sign-checkpoints"].interval(app) == 900


def test_the_cli_exports_and_signs_the_same_public_books(app, client, fund, books, tmp_path):
    fund.gift(10_000)
    fund.supported(6_000, "legal")
    books.day = None
    fund.gift(1_000)  # today: in the whole books, not in the public ones
    cli = app.test_cli_runner()
    for fmt in ("jsonl", "csv", "beancount"):
        out = tmp_path / f"public.{fmt}"
        assert cli.invoke(args=["ledger", "export", "--format", fmt, "--published", "--out", str(out)]).exit_code == 0
        assert out.read_bytes() == client.get(f"/api/v1/ledger/export.{fmt}").data, fmt
    whole = tmp_path / "whole.jsonl"
    cli.invoke(args=["ledger", "export", "--out", str(whole)])
    assert len(whole.read_bytes().splitlines()) > len((tmp_path / "public.jsonl").read_bytes().splitlines())
    signed = cli.invoke(args=["ledger", "checkpoint", "--published"])
    assert signed.exit_code == 0
    assert signed.output == client.get("/api/v1/ledger/checkpoints/latest").get_data(as_text=True)
