"""A witness anyone can run: it remembers a fund's last checkpoint and co-signs only what extends it.

    python -m ledger.witness --state DIR --init NAME --log-key VKEY    # a key of its own; the log it watches
    python -m ledger.witness --state DIR https://fund.example/api/v1   # fetch, check, co-sign
    python -m ledger.witness --state DIR --serve [--listen 127.0.0.1:0] # C2SP tlog-witness add-checkpoint

A fund that signs its own checkpoints could still show two different histories to two
audiences. A witness closes that door: it keeps the last checkpoint it co-signed for each log
(``DIR/state.json``), and co-signs a new one (C2SP ``tlog-cosignature`` v1, :mod:`.cosignature`)
only when the log's signature verifies and an RFC 9162 consistency proof shows the new tree
extends the old one. Anything else is refused with the reason, and when the log's signature is
good but its history is not, both checkpoints and the failing proof are kept in
``DIR/evidence/``: they are what anyone needs to show the fund forked its books.

The state is read, checked and replaced under a lock, so two requests can never roll it back
(tlog-witness v1.0.0 asks for exactly that). Plain Python and the ledger package only.
"""

from __future__ import annotations

import argparse
import base64
import binascii
import fcntl
import json
import os
import re
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from hashlib import sha256
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from .checkpoint import Checkpoint, Verifier, open_note
from .cosignature import Cosigner, generate_cosigner
from .errors import CheckpointError, LedgerError, ProofError
from .proofs import EMPTY_ROOT, MAX_PROOF_LENGTH, verify_consistency

STATE_FORMAT = "ayni-witness/1"
#: an add-checkpoint body is a size line, at most 63 hashes and a short note: far below this
MAX_BODY = 64 * 1024
_OLD_LINE = re.compile(r"old (0|[1-9][0-9]{0,18})\Z")
_lock = threading.Lock()


class Refused(LedgerError):
    """The witness will not co-sign; ``status`` is the tlog-witness HTTP answer for it."""

    def __init__(self, status: int, reason: str, *, evidence: Path | None = None, size: int | None = None):
        super().__init__(reason)
        self.status = status
        self.reason = reason
        #: where the evidence of a fork was kept, if this refusal is one
        self.evidence = evidence
        #: for a 409: the size of the last checkpoint co-signed
        self.size = size


@dataclass(frozen=True)
class Seen:
    """The last checkpoint the witness co-signed for one log."""

    checkpoint: Checkpoint
    #: the note as the log signed it, with our cosignature added
    note: str


class Witness:
    """A witness's key, the logs it trusts, and what it last co-signed of each, in ``directory``."""

    def __init__(self, directory: str | os.PathLike):
        self.directory = Path(directory)
        self.state_file = self.directory / "state.json"
        try:
            self.cosigner = Cosigner((self.directory / "witness.key").read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise CheckpointError(f"{self.directory} holds no witness key: run --init first") from None

    @classmethod
    def init(cls, directory: str | os.PathLike, name: str, log_keys: Sequence[str]) -> Witness:
        """Make a new witness key named ``name`` in ``directory`` (refusing to replace one) and
        trust the logs whose verifier keys are ``log_keys``."""
        path = Path(directory)
        path.mkdir(parents=True, exist_ok=True)
        key_file = path / "witness.key"
        cosigner = generate_cosigner(name)
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as stream:
            stream.write(cosigner.skey + "\n")
        witness = cls(path)
        with witness._locked() as state:
            for vkey in log_keys:
                verifier = Verifier.from_vkey(vkey)
                state["logs"].setdefault(verifier.name, {"vkey": verifier.vkey, "size": 0, "note": None})
            witness._save(state)
        return witness

    @property
    def vkey(self) -> str:
        """The witness's public key, for the funds that collect its cosignatures."""
        return self.cosigner.vkey

    # -- the one rule: co-sign only what extends what was co-signed before ---------------------

    def add_checkpoint(self, old_size: int, proof: Sequence[bytes], note: str, *, now: int | None = None) -> str:
        """Check ``note`` against the last checkpoint co-signed for its log and return our
        cosignature line, or raise :class:`Refused` (status and reason as tlog-witness says)."""
        origin = note.split("\n", 1)[0]
        with self._locked() as state:
            log = state["logs"].get(origin)
            if log is None:
                raise Refused(404, f"this witness does not watch the log {origin!r}")
            try:
                checkpoint = open_note(note, Verifier.from_vkey(log["vkey"]))
            except CheckpointError as error:
                raise Refused(403, f"the checkpoint is not signed by the log's key: {error}") from None
            if old_size > checkpoint.size:
                raise Refused(400, f"old size {old_size} is larger than the checkpoint's {checkpoint.size}")
            if old_size != log["size"]:
                raise Refused(
                    409, f"the last checkpoint co-signed has size {log['size']}, not {old_size}", size=log["size"]
                )
            if checkpoint.size == 0 and checkpoint.root != EMPTY_ROOT:
                raise Refused(422, "a checkpoint of size 0 must carry the empty tree's root")
            seen = Checkpoint.parse(log["note"][: log["note"].index("\n\n") + 1]) if log["note"] else None
            reason = _inconsistency(seen, checkpoint, proof)
            if reason:
                kept = self._keep_evidence(log["note"], note, old_size, proof, reason)
                raise Refused(422, reason, evidence=kept)
            line = self.cosigner.cosign(checkpoint.body(), now or int(time.time()))
            body, _, signatures = note.partition("\n\n")
            mine = [s + "\n" for s in signatures.splitlines() if not s.startswith(f"\N{EM DASH} {self.cosigner.name} ")]
            log["size"], log["note"] = checkpoint.size, body + "\n\n" + "".join(mine) + line
            self._save(state)
            return line

    def seen(self, origin: str) -> Seen | None:
        """The last checkpoint co-signed for the log ``origin``, if any."""
        log = self._read()["logs"].get(origin)
        if not log or not log["note"]:
            return None
        return Seen(Checkpoint.parse(log["note"][: log["note"].index("\n\n") + 1]), log["note"])

    def watch(self, base_url: str, *, timeout: float = 30) -> str:
        """Fetch the log's latest checkpoint and a consistency proof from the size we last
        co-signed, check both, co-sign; return the note with our cosignature on it."""
        base = base_url.rstrip("/")
        note = _get(f"{base}/ledger/checkpoints/latest", timeout).decode("utf-8")
        origin = note.split("\n", 1)[0]
        log = self._read()["logs"].get(origin)
        if log is None:
            raise Refused(404, f"this witness does not watch the log {origin!r}")
        try:
            offered = open_note(note, Verifier.from_vkey(log["vkey"]))
        except CheckpointError as error:
            raise Refused(403, f"the checkpoint is not signed by the log's key: {error}") from None
        old = log["size"]
        if offered.size < old:
            reason = f"the log's latest checkpoint has {offered.size} entries; it already showed us {old}"
            raise Refused(422, reason, evidence=self._keep_evidence(log["note"], note, old, [], reason))
        proof: list[bytes] = []
        if 0 < old < offered.size:
            query = urllib.parse.urlencode({"from": old, "to": offered.size})
            proof = _consistency_hashes(_get(f"{base}/ledger/consistency?{query}", timeout), old, offered.size)
        line = self.add_checkpoint(old, proof, note)
        return note + line

    # -- the state file and the evidence ----------------------------------------------------------

    @contextmanager
    def _locked(self) -> Iterator[dict]:
        with _lock, open(self.directory / "state.lock", "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield self._read()
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def _read(self) -> dict:
        try:
            state = json.loads(self.state_file.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {"format": STATE_FORMAT, "logs": {}}
        if state.get("format") != STATE_FORMAT:
            raise CheckpointError(f"{self.state_file} is not an {STATE_FORMAT} state file")
        return state

    def _save(self, state: dict) -> None:
        # Written aside, flushed to disk, then renamed: a crash leaves the old state or the new one.
        temporary = self.state_file.with_suffix(".tmp")
        with open(temporary, "w", encoding="utf-8") as stream:
            json.dump(state, stream, indent=1, sort_keys=True)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, self.state_file)

    def _keep_evidence(
        self, seen: str | None, offered: str, old_size: int, proof: Sequence[bytes], reason: str
    ) -> Path:
        """Both checkpoints, the proof offered between them and the reason, in a new folder."""
        base = self.directory / "evidence" / time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
        folder, n = base, 1
        while folder.exists():
            n += 1
            folder = base.with_name(f"{base.name}-{n}")
        folder.mkdir(parents=True)
        (folder / "seen-checkpoint.txt").write_text(seen or "", encoding="utf-8")
        (folder / "offered-checkpoint.txt").write_text(offered, encoding="utf-8")
        lines = [f"old {old_size}"] + [base64.b64encode(h).decode() for h in proof]
        (folder / "consistency-proof.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
        (folder / "reason.txt").write_text(reason + "\n", encoding="utf-8")
        return folder


def _inconsistency(seen: Checkpoint | None, offered: Checkpoint, proof: Sequence[bytes]) -> str | None:
    """Why ``offered`` does not extend ``seen`` by ``proof``, or None when it does."""
    if seen is None or seen.size == 0:
        return "a first checkpoint needs no consistency proof, and this one came with one" if proof else None
    try:
        verify_consistency(seen.size, offered.size, seen.root, offered.root, list(proof))
    except ProofError as error:
        return (
            f"checkpoint of size {offered.size} is not consistent with the checkpoint of size {seen.size} "
            f"this witness co-signed before: {error}"
        )
    return None


def _get(url: str, timeout: float) -> bytes:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as answer:  # noqa: S310 (the operator's URL)
            return answer.read(MAX_BODY + 1)[:MAX_BODY]
    except urllib.error.URLError as error:
        raise CheckpointError(f"could not fetch {url}: {error}") from None


def _consistency_hashes(raw: bytes, old_size: int, new_size: int) -> list[bytes]:
    try:
        document = json.loads(raw)
        if document.get("from") != old_size or document.get("to") != new_size:
            raise ProofError(f"asked for a proof from {old_size} to {new_size}, got another")
        hashes = [bytes.fromhex(h) for h in document["hashes"]]
    except (ValueError, KeyError, TypeError, AttributeError):
        raise ProofError("the log's consistency proof is not a list of hex hashes") from None
    if len(hashes) > MAX_PROOF_LENGTH:
        raise ProofError("the log's consistency proof is longer than any real tree needs")
    return hashes


def parse_add_checkpoint(body: bytes) -> tuple[int, list[bytes], str]:
    """Read a tlog-witness add-checkpoint request: old size line, proof lines, blank line, note."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise Refused(400, "the request is not UTF-8 text") from None
    head, blank, note = text.partition("\n\n")
    lines = head.split("\n")
    match = _OLD_LINE.match(lines[0]) if blank else None
    if not match:
        raise Refused(400, "the request starts with 'old <size>', then proof lines, then a blank line")
    if len(lines) - 1 > MAX_PROOF_LENGTH - 1:
        raise Refused(400, "more than 63 consistency proof lines")
    proof = []
    for line in lines[1:]:
        try:
            raw = base64.b64decode(line, validate=True)
        except (binascii.Error, ValueError):
            raise Refused(400, f"proof line {line[:50]!r} is not base64") from None
        if len(raw) != 32:
            raise Refused(400, "every proof line is one 32-byte hash")
        proof.append(raw)
    if int(match.group(1)) == 0 and proof:
        raise Refused(422, "from old size 0 the consistency proof must be empty")
    return int(match.group(1)), proof, note


def serve(witness: Witness, host: str, port: int, exit_after: float | None = None) -> None:
    """Answer tlog-witness ``POST /add-checkpoint`` (and ``GET /<origin hash>/checkpoint``)."""

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 (http.server's name)
            if self.path.rstrip("/") != "/add-checkpoint":
                return self._answer(404, "not found\n")
            length = int(self.headers.get("Content-Length") or 0)
            if length > MAX_BODY:
                return self._answer(413, "request too large\n")
            try:
                old_size, proof, note = parse_add_checkpoint(self.rfile.read(length))
                line = witness.add_checkpoint(old_size, proof, note)
            except Refused as refusal:
                if refusal.status == 409:
                    return self._answer(409, f"{refusal.size}\n", "text/x.tlog.size")
                return self._answer(refusal.status, refusal.reason + "\n")
            return self._answer(200, line)

        def do_GET(self):  # noqa: N802
            for log in witness._read()["logs"].values():
                origin = Verifier.from_vkey(log["vkey"]).name
                if self.path == f"/{sha256(origin.encode()).hexdigest()}/checkpoint" and log["note"]:
                    return self._answer(200, log["note"])
            return self._answer(404, "no checkpoint co-signed for that log\n")

        def _answer(self, status: int, text: str, content_type: str = "text/plain; charset=utf-8"):
            body = text.encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format, *args):  # noqa: A002 - no client addresses in any log
            pass

    server = ThreadingHTTPServer((host, port), Handler)
    print(f"listening on http://{host}:{server.server_address[1]} as {witness.vkey}", flush=True)
    if exit_after:
        threading.Timer(exit_after, server.shutdown).start()
    try:
        server.serve_forever()
    finally:
        server.server_close()


def main(argv: list[str] | None = None) -> int:
    """Command line: co-sign and print the note (exit 0), or print why not (exit 1)."""
    parser = argparse.ArgumentParser(prog="python -m ledger.witness", description=__doc__.split("\n\n")[0])
    parser.add_argument("--state", required=True, help="the witness's folder: key, state, evidence")
    parser.add_argument("url", nargs="?", help="the fund's API, e.g. https://fund.example/api/v1")
    parser.add_argument("--init", metavar="NAME", help="make a new witness key named NAME")
    parser.add_argument("--log-key", action="append", default=[], help="with --init: a log's verifier key to watch")
    parser.add_argument("--public-key", action="store_true", help="print the witness's verifier key")
    parser.add_argument("--serve", action="store_true", help="answer tlog-witness add-checkpoint requests")
    parser.add_argument(
        "--listen",
        default="127.0.0.1:0",
        help="with --serve: host:port (default: a free loopback port)",
    )
    parser.add_argument("--exit-after", type=float, help="with --serve: stop after this many seconds")
    args = parser.parse_args(argv)
    try:
        if args.init:
            witness = Witness.init(args.state, args.init, args.log_key)
            print(witness.vkey)
        elif args.public_key:
            print(Witness(args.state).vkey)
        elif args.serve:
            host, _, port = args.listen.rpartition(":")
            serve(Witness(args.state), host or "127.0.0.1", int(port), args.exit_after)
        elif args.url:
            sys.stdout.write(Witness(args.state).watch(args.url))
        else:
            parser.error("give the fund's API address, or --init, --public-key or --serve")
    except Refused as refusal:
        print(f"REFUSED: {refusal.reason}", file=sys.stderr)
        if refusal.evidence:
            print(f"evidence kept in {refusal.evidence}", file=sys.stderr)
        return 1
    except (LedgerError, OSError) as error:
        print(f"FAILED: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
