"""A witness anyone can run co-signs a fund's checkpoints only while they tell one history.

The logs here are trees in memory signed with a fund's key; the witness runs as the command
people would run (``python -m ledger.witness``), in processes of its own with separate state.
"""

from __future__ import annotations

import base64
import json
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from ledger.checkpoint import Checkpoint, generate_signer
from ledger.cosignature import CosignatureVerifier, cosignatures
from ledger.merkle import MemoryTree
from ledger.witness import Refused, Witness, parse_add_checkpoint

#: these run `python -m ledger.verify` / `ledger.witness` as processes: the full suite, not the fast tier
pytestmark = pytest.mark.slow

ORIGIN = "ayni.example/ledger"
FUND = generate_signer(ORIGIN)


def books(n: int, fork_at: int | None = None) -> MemoryTree:
    """``n`` entries; from ``fork_at`` on, different ones (the same key signs both histories)."""
    return MemoryTree(
        [f"entry {i}{' (rewritten)' if fork_at is not None and i >= fork_at else ''}".encode() for i in range(n)]
    )


def note(tree: MemoryTree, size: int | None = None) -> str:
    size = tree.size if size is None else size
    return FUND.sign_note(Checkpoint(ORIGIN, size, tree.root(size)))


class FakeFund:
    """The two addresses of the fund's API a witness reads, served from a tree on loopback."""

    def __init__(self):
        self.tree = books(0)
        fund = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802
                if self.path == "/api/v1/ledger/checkpoints/latest":
                    body = note(fund.tree).encode()
                else:
                    query = dict(p.split("=") for p in self.path.split("?", 1)[1].split("&"))
                    old, new = int(query["from"]), int(query["to"])
                    hashes = [h.hex() for h in fund.tree.consistency_proof(old, new)]
                    body = json.dumps({"from": old, "to": new, "hashes": hashes}).encode()
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/api/v1"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def fund():
    served = FakeFund()
    yield served
    served.close()


def witness_command(*args: str | Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "ledger.witness", *map(str, args)], capture_output=True, text=True, timeout=60
    )


def make_witness(folder: Path, name: str) -> str:
    done = witness_command("--state", folder, "--init", name, "--log-key", FUND.vkey)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_two_witnesses_cosign_a_growing_log_and_both_refuse_a_fork_keeping_the_evidence(tmp_path, fund):
    keys = {name: make_witness(tmp_path / name, f"{name}.example/witness") for name in ("alba", "bruno")}
    for size in (3, 4, 9, 9, 16, 21):
        fund.tree = books(size)
        for name, vkey in keys.items():
            done = witness_command("--state", tmp_path / name, fund.url)
            assert done.returncode == 0, done.stderr
            found = cosignatures(done.stdout, [CosignatureVerifier.from_vkey(vkey)])
            assert [c.name for c in found] == [f"{name}.example/witness"]
            assert done.stdout.startswith(f"{ORIGIN}\n{size}\n")

    fund.tree = books(30, fork_at=12)  # entries 12..29 rewritten, the fund's key signs it anyway
    for name in keys:
        done = witness_command("--state", tmp_path / name, fund.url)
        assert done.returncode == 1
        assert "REFUSED: checkpoint of size 30 is not consistent with the checkpoint of size 21" in done.stderr
        evidence = sorted((tmp_path / name / "evidence").iterdir())
        assert len(evidence) == 1 and f"evidence kept in {evidence[0]}" in done.stderr
        kept = {p.name: p.read_text() for p in evidence[0].iterdir()}
        assert kept["seen-checkpoint.txt"].startswith(f"{ORIGIN}\n21\n{base64.b64encode(books(21).root()).decode()}\n")
        assert kept["offered-checkpoint.txt"] == note(fund.tree)
        assert kept["consistency-proof.txt"].startswith("old 21\n")
        assert len(kept["consistency-proof.txt"].splitlines()) == 1 + len(fund.tree.consistency_proof(21))
        assert "not consistent" in kept["reason.txt"]
        # and it still stands by the history it saw
        assert Witness(tmp_path / name).seen(ORIGIN).checkpoint.size == 21


def test_a_witness_refuses_a_log_that_goes_back_or_changes_a_size_it_saw(tmp_path, fund):
    make_witness(tmp_path / "w", "w.example/witness")
    fund.tree = books(10)
    assert witness_command("--state", tmp_path / "w", fund.url).returncode == 0
    fund.tree = books(8)
    done = witness_command("--state", tmp_path / "w", fund.url)
    assert done.returncode == 1 and "it already showed us 10" in done.stderr
    fund.tree = books(10, fork_at=9)
    done = witness_command("--state", tmp_path / "w", fund.url)
    assert done.returncode == 1 and "two different roots for the same size 10" in done.stderr
    assert len(list((tmp_path / "w" / "evidence").iterdir())) == 2


def test_a_checkpoint_not_signed_by_the_funds_key_is_refused(tmp_path, fund):
    make_witness(tmp_path / "w", "w.example/witness")
    impostor = generate_signer(ORIGIN)
    witness = Witness(tmp_path / "w")
    with pytest.raises(Refused) as refused:
        witness.add_checkpoint(0, [], impostor.sign_note(Checkpoint(ORIGIN, 3, books(3).root())))
    assert refused.value.status == 403 and "not signed by the log's key" in refused.value.reason
    assert witness.seen(ORIGIN) is None


def test_the_witness_answers_as_the_tlog_witness_protocol_says(tmp_path):
    witness = Witness.init(tmp_path / "w", "w.example/witness", [FUND.vkey])
    tree = books(20)
    witness.add_checkpoint(0, [], note(tree, 5))
    with pytest.raises(Refused) as conflict:
        witness.add_checkpoint(0, [], note(tree, 9))
    assert (conflict.value.status, conflict.value.size) == (409, 5)
    with pytest.raises(Refused) as bad:
        witness.add_checkpoint(5, tree.consistency_proof(4, 9), note(tree, 9))
    assert bad.value.status == 422 and bad.value.evidence is not None
    with pytest.raises(Refused) as unknown:
        witness.add_checkpoint(
            0, [], generate_signer("other.example/log").sign_note(Checkpoint("other.example/log", 1, tree.root(1)))
        )
    assert unknown.value.status == 404
    with pytest.raises(Refused) as backwards:
        witness.add_checkpoint(9, [], note(tree, 5))
    assert backwards.value.status == 400
    line = witness.add_checkpoint(5, tree.consistency_proof(5, 9), note(tree, 9), now=1_750_000_000)
    assert cosignatures(note(tree, 9) + line, [witness.cosigner.verifier])[0].timestamp == 1_750_000_000


def test_an_add_checkpoint_request_is_read_line_by_line():
    tree = books(9)
    proof = tree.consistency_proof(5, 9)
    body = "old 5\n" + "".join(base64.b64encode(h).decode() + "\n" for h in proof) + "\n" + note(tree)
    assert parse_add_checkpoint(body.encode()) == (5, proof, note(tree))
    for broken in (
        b"old 05\n\n" + note(tree).encode(),
        b"old 5\nnot base64!\n\n",
        b"5\n\n",
        ("old 5\n" + base64.b64encode(b"short").decode() + "\n\n").encode(),
    ):
        with pytest.raises(Refused) as refused:
            parse_add_checkpoint(broken)
        assert refused.value.status == 400


def test_two_witnesses_serve_add_checkpoint_from_processes_of_their_own(tmp_path):
    tree = books(40)
    served = []
    try:
        for name in ("alba", "bruno"):
            make_witness(tmp_path / name, f"{name}.example/witness")
            process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "ledger.witness",
                    "--state",
                    str(tmp_path / name),
                    "--serve",
                    "--exit-after",
                    "60",
                ],
                stdout=subprocess.PIPE,
                text=True,
            )
            served.append(process)
        urls = [p.stdout.readline().split()[2] for p in served]
        keys = [CosignatureVerifier.from_vkey(Witness(tmp_path / n).vkey) for n in ("alba", "bruno")]
        old = 0
        for size in (6, 17, 40):
            proof = tree.consistency_proof(old, size) if old else []
            body = f"old {old}\n" + "".join(base64.b64encode(h).decode() + "\n" for h in proof) + "\n"
            for url, key in zip(urls, keys, strict=True):
                request = (body + note(tree, size)).encode()
                with urllib.request.urlopen(url + "/add-checkpoint", request, timeout=10) as answer:
                    lines = answer.read().decode()
                assert [c.name for c in cosignatures(note(tree, size) + lines, [key])] == [key.name]
            old = size
        stale = "old 6\n\n" + note(tree, 40)
        with pytest.raises(urllib.error.HTTPError) as conflict:
            urllib.request.urlopen(urls[0] + "/add-checkpoint", stale.encode(), timeout=10)
        assert conflict.value.code == 409 and conflict.value.read() == b"40\n"
        assert conflict.value.headers["Content-Type"] == "text/x.tlog.size"
    finally:
        for process in served:
            process.terminate()
            process.wait(timeout=10)
            process.stdout.close()
