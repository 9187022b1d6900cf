"""Witnesses co-sign the fund's checkpoints: two run as processes of their own and are asked by the
service (tlog-witness add-checkpoint), one offline runs the command against the API and a
coordinator uploads what it printed; the public checkpoint carries all three, and the verifier
counts them."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from funds.books import app_signer
from funds.scheduler import run_job
from funds.transparency.models import Witness
from ledger.cosignature import CosignatureVerifier, cosignatures
from tests.committees.conftest import csrf_token

ROOT = Path(__file__).resolve().parents[2]
PAGE = "/committee/witnesses"


def command(module: str, *args: str | Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-W", "error", "-m", module, *map(str, args)], cwd=ROOT,
                          capture_output=True, text=True, timeout=60)


def make_witness(folder: Path, name: str, log_key: str) -> str:
    done = command("ledger.witness", "--state", folder, "--init", name, "--log-key", log_key)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


@pytest.fixture
def served_witnesses(app, tmp_path):
    """Two witnesses answering add-checkpoint on loopback, each a process with its own state."""
    processes, found = [], []
    try:
        for name in ("alba", "bruno"):
            vkey = make_witness(tmp_path / name, f"{name}.example/witness", app_signer(app).vkey)
            process = subprocess.Popen([sys.executable, "-m", "ledger.witness", "--state", str(tmp_path / name),
                                        "--serve", "--exit-after", "120"], stdout=subprocess.PIPE, text=True)
            processes.append(process)
            found.append((name, vkey, process.stdout.readline().split()[2]))
        yield found
    finally:
        for process in processes:
            process.terminate()
            process.wait(timeout=10)
            process.stdout.close()


def post(client, path: str, **fields):
    return client.post(path, data={**fields, "csrf_token": csrf_token(client, PAGE)})


def test_two_witnesses_cosign_each_checkpoint_and_the_verifier_requires_them(
    app, client, client_of, fund, run, served_witnesses, tmp_path
):
    coordinator = client_of(fund.people["dora"])
    for name, vkey, url in served_witnesses:
        added = post(coordinator, PAGE, label=f"{name.title()} digital rights", vkey=vkey, url=url)
        assert added.status_code == 303, added.get_data(as_text=True)
    fund.gift(20_000)
    fund.supported(5_000, "rent")
    first = run_job(app, "sign-checkpoints")

    note = client.get("/api/v1/ledger/checkpoints/latest").get_data(as_text=True)
    keys = [CosignatureVerifier.from_vkey(vkey) for _, vkey, _ in served_witnesses]
    assert sorted(c.name for c in cosignatures(note, keys)) == ["alba.example/witness", "bruno.example/witness"]
    page = coordinator.get(PAGE).get_data(as_text=True)
    assert "Alba digital rights" in page and f"{first} entries" in page

    # the next day the books grew: each witness is asked from the size it co-signed, with a proof
    fund.gift(3_000)
    second = run_job(app, "sign-checkpoints")
    assert second > first
    grown = client.get(f"/api/v1/ledger/checkpoints/{second}").get_data(as_text=True)
    assert len(cosignatures(grown, keys)) == 2
    assert client.get(f"/api/v1/ledger/checkpoints/{first}").get_data(as_text=True) == note

    export = tmp_path / "ledger.jsonl"
    export.write_bytes(client.get("/api/v1/ledger/export.jsonl").data)
    (tmp_path / "checkpoint.txt").write_text(grown, encoding="utf-8")
    listed = client.get("/api/v1/ledger/witnesses").json["witnesses"]
    assert [w["name"] for w in listed] == ["alba.example/witness", "bruno.example/witness"]
    verify = ["ledger.verify", export, "--checkpoint", tmp_path / "checkpoint.txt",
              "--public-key", app_signer(app).vkey, *[a for w in listed for a in ("--witness", w["public_key"])]]
    two = command(*verify, "--witnesses", "2")
    assert two.returncode == 0, two.stderr
    assert "witnessed: 2 of 2 witnesses cosigned: alba.example/witness" in two.stdout
    body, signatures = grown.split("\n\n")
    (tmp_path / "checkpoint.txt").write_text(f"{body}\n\n{signatures.splitlines()[0]}\n", encoding="utf-8")
    one_short = command(*verify, "--witnesses", "1")  # the fund's own signature only
    assert one_short.returncode == 1 and "carries 0 of the 1 witness cosignatures required" in one_short.stderr


def test_an_offline_witness_checks_the_api_and_a_coordinator_uploads_its_cosignature(
    app, client, client_of, fund, live_server, run, tmp_path
):
    fund.gift(10_000)
    size = run_job(app, "sign-checkpoints")
    vkey = make_witness(tmp_path / "carla", "carla.example/witness", app_signer(app).vkey)
    coordinator = client_of(fund.people["dora"])
    assert post(coordinator, PAGE, label="Carla, on her laptop", vkey=vkey, url="").status_code == 303

    fetched = command("ledger.witness", "--state", tmp_path / "carla", live_server + "/api/v1")
    assert fetched.returncode == 0, fetched.stderr
    witness_id = run(lambda session: session.scalar(select(Witness.id)))
    uploaded = post(coordinator, f"{PAGE}/{witness_id}/cosignature", cosignature=fetched.stdout)
    assert uploaded.status_code == 303
    assert f"checkpoint of {size} entries was added" in coordinator.get(PAGE).get_data(as_text=True)
    note = client.get("/api/v1/ledger/checkpoints/latest").get_data(as_text=True)
    assert [c.name for c in cosignatures(note, [CosignatureVerifier.from_vkey(vkey)])] == ["carla.example/witness"]

    forged = fetched.stdout.replace(f"\n{size}\n", f"\n{size + 1}\n")
    refused = post(coordinator, f"{PAGE}/{witness_id}/cosignature", cosignature=forged)
    assert refused.status_code == 422 and "not one of our published checkpoints" in refused.get_data(as_text=True)
    stranger = command("ledger.witness", "--state", tmp_path / "carla", "--public-key")
    assert stranger.stdout.strip() == vkey


def test_only_a_coordinator_changes_the_witnesses_and_a_wrong_key_is_refused_with_the_reason(client, client_of, fund):
    member = client_of(fund.people["ana"])
    assert "No witnesses yet." in member.get(PAGE).get_data(as_text=True)
    assert post(member, PAGE, label="x", vkey="y", url="").status_code == 403
    assert client.get(PAGE).status_code == 302
    coordinator = client_of(fund.people["dora"])
    refused = post(coordinator, PAGE, label="Someone", vkey="not a key", url="")
    assert refused.status_code == 422
    page = refused.get_data(as_text=True)
    assert "This is not a witness&#39;s public key" in page and 'value="Someone"' in page
    fr = coordinator.get(PAGE + "?lang=fr").get_data(as_text=True)
    assert "Témoins" in fr or "témoin" in fr
