"""Witnesses: who co-signs our checkpoints, asking them for every new one, and what they returned.

A witness keeps the last checkpoint it co-signed and co-signs a new one only if a consistency
proof shows it extends that one, so a fund that showed two histories to two audiences would be
caught by anyone holding both. The service is the client of C2SP ``tlog-witness`` v1.0.0: it
POSTs ``old <size>``, the proof hashes, a blank line and the signed note to ``<url>/add-checkpoint``
and keeps the signature lines that verify under the witness's key. Offline witnesses (someone
running ``python -m ledger.witness`` against our API) hand their cosignature to a coordinator,
who uploads it. Either way a line is stored only once it verifies, and the public checkpoint
carries every line stored for its size.
"""

from __future__ import annotations

import base64
import logging
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from funds.committees.models import Member
from funds.db import in_transaction
from funds.horizon import Horizon, horizon
from funds.refusals import Refusal
from ledger import audit
from ledger.checkpoint import Checkpoint
from ledger.cosignature import CosignatureVerifier, cosignatures, split_note, with_lines
from ledger.errors import CheckpointError

from .checkpoints import latest_size, note_at
from .models import Cosignature, Witness

log = logging.getLogger(__name__)
#: a witness answers at once or not at all; the next run asks again
TIMEOUT_SECONDS = 10
#: an answer is a few signature lines
MAX_ANSWER = 16 * 1024


def listed(session: Session, *, with_retired: bool = False) -> list[Witness]:
    """The witnesses, oldest first (the retired ones too if asked)."""
    query = select(Witness).order_by(Witness.id)
    if not with_retired:
        query = query.where(Witness.retired_at.is_(None))
    return list(session.scalars(query))


def add(session: Session, member: Member, label: str, vkey: str, url: str, at: datetime) -> Witness:
    """Add a witness by its verifier key; ``url`` empty for an offline one."""
    label, vkey, url = label.strip(), vkey.strip(), url.strip().rstrip("/")
    if not label or len(label) > 200:
        raise Refusal(_l("Say who runs this witness (up to 200 characters)."), field="label")
    try:
        vkey = CosignatureVerifier.from_vkey(vkey).vkey
    except CheckpointError:
        raise Refusal(_l("This is not a witness's public key (name+hash+key)."), field="vkey") from None
    if url and (not url.startswith(("https://", "http://")) or len(url) > 500 or any(c.isspace() for c in url)):
        raise Refusal(_l("The address starts with https:// (leave it empty for an offline witness)."), field="url")
    if session.scalar(select(Witness.id).where(Witness.vkey == vkey)):
        raise Refusal(_l("This witness is already on the list."), field="vkey")
    witness = Witness(committee_id=member.committee_id, label=label, vkey=vkey, url=url or None, last_size=0,
                      added_at=at, added_by_id=member.id)
    session.add(witness)
    session.flush()
    return witness


def own(session: Session, member: Member, witness_id: int) -> Witness:
    """A witness the member's committee manages; any other is a 404."""
    witness = session.scalar(
        select(Witness).where(Witness.id == witness_id, Witness.committee_id == member.committee_id)
    )
    if witness is None:
        raise Refusal(_l("There is no such witness on the list."), status=404)
    return witness


def retire(session: Session, member: Member, witness_id: int, at: datetime) -> None:
    """Stop asking a witness; what it co-signed stays published."""
    witness = own(session, member, witness_id)
    if witness.retired_at is None:
        witness.retired_at = at


def public_note(session: Session, public: Horizon, size: int | None = None) -> str | None:
    """The signed checkpoint of ``size`` entries (default: the newest public one) with every
    witness cosignature stored for it."""
    note = note_at(session, public, size)
    if note is None:
        return None
    c = Cosignature
    lines = session.scalars(select(c.line).where(c.size == Checkpoint.parse(_body(note)).size).order_by(c.witness_id))
    return with_lines(note, list(lines))


def upload(session: Session, member: Member, witness_id: int, text: str, public: Horizon) -> int:
    """Store the cosignature a witness handed over: its co-signed checkpoint, or only its signature
    line(s) for our newest checkpoint. Returns the size it co-signed; refuses what does not verify."""
    witness = own(session, member, witness_id)
    text = text.replace("\r\n", "\n").strip("\n") + "\n"
    try:
        if "\n\n" in text:
            size = Checkpoint.parse(_body(text)).size
            ours = note_at(session, public, size)
            lines = split_note(text)[1]
            if ours is None or _body(ours) != _body(text):
                raise Refusal(_l("This is not one of our published checkpoints."), field="cosignature")
        else:
            size, ours, lines = latest_size(session, public), note_at(session, public), text.splitlines()
            if ours is None:
                raise Refusal(_l("There is no published checkpoint to co-sign yet."), field="cosignature")
        found = cosignatures(with_lines(ours, [line + "\n" for line in lines]), [_verifier(witness)])
    except CheckpointError:
        raise Refusal(_l("This cosignature does not verify with the witness's key."), field="cosignature") from None
    if not found:
        raise Refusal(_l("No cosignature by this witness was found in what you pasted."), field="cosignature")
    _store(session, witness, size, found[0].line, found[0].timestamp)
    return size


@dataclass(frozen=True)
class Ask:
    """One add-checkpoint request to send: to whom, and the body."""

    witness_id: int
    url: str
    size: int
    body: bytes


def asks(session: Session, public: Horizon) -> list[Ask]:
    """The requests to send: the newest public checkpoint, to each online witness that has not
    co-signed it yet, from the size it co-signed last."""
    note = note_at(session, public)
    if note is None:
        return []
    size = Checkpoint.parse(_body(note)).size
    done = set(session.scalars(select(Cosignature.witness_id).where(Cosignature.size == size)))
    return [_ask(session, w, w.last_size, size, note) for w in listed(session) if w.url and w.id not in done]


def _ask(session: Session, witness: Witness, old: int, size: int, note: str) -> Ask:
    proof = audit.prove_consistency(session, old, size) if 0 < old < size else []
    body = f"old {old}\n" + "".join(base64.b64encode(h).decode() + "\n" for h in proof) + "\n" + note
    return Ask(witness.id, witness.url, size, body.encode())


@dataclass(frozen=True)
class Answer:
    status: int
    text: str


def send(ask: Ask, post: Callable[[str, bytes], Answer] | None = None) -> Answer:
    """POST the request (no database session is held while we wait)."""
    return (post or _post)(ask.url + "/add-checkpoint", ask.body)


def _post(url: str, body: bytes) -> Answer:
    # the URL was checked to be http(s) when the witness was added
    request = urllib.request.Request(url, data=body, method="POST", headers={"Content-Type": "text/plain"})  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as answer:  # noqa: S310 (a coordinator's URL)
            return Answer(answer.status, answer.read(MAX_ANSWER).decode("utf-8", "replace"))
    except urllib.error.HTTPError as error:
        return Answer(error.code, error.read(MAX_ANSWER).decode("utf-8", "replace"))
    except (urllib.error.URLError, OSError) as error:
        return Answer(0, str(error))


def record(session: Session, ask: Ask, answer: Answer) -> bool:
    """Keep the witness's cosignature from a 200 answer if it verifies; say whether one was kept."""
    witness = session.get(Witness, ask.witness_id)
    note = _note(session, ask.size)
    if answer.status != 200 or witness is None or note is None:
        return False
    lines = [line + "\n" for line in answer.text.splitlines() if line]
    try:
        found = cosignatures(with_lines(note, lines), [_verifier(witness)])
    except CheckpointError as error:
        log.warning("witness %s answered a cosignature that does not verify: %s", witness.id, error)
        return False
    if not found:
        return False
    _store(session, witness, ask.size, found[0].line, found[0].timestamp)
    return True


def collect(factory: sessionmaker, on: date, post: Callable[[str, bytes], Answer] | None = None) -> int:
    """Ask every online witness to co-sign the newest public checkpoint; return how many did.

    Each request is built and each answer stored in a short transaction of its own: no session
    waits on a witness. A 409 names the size the witness co-signed last; we ask once more from it.
    """
    kept = 0
    for ask in in_transaction(factory, lambda session: asks(session, horizon(session, on))):
        answer = send(ask, post)
        if answer.status == 409 and answer.text.strip().isdigit() and int(answer.text) <= ask.size:
            old = int(answer.text)
            ask = in_transaction(factory, lambda s, a=ask, o=old: _ask(
                s, s.get(Witness, a.witness_id), o, a.size, _note(s, a.size)))
            answer = send(ask, post)
        if in_transaction(factory, lambda s, a=ask, r=answer: record(s, a, r)):
            kept += 1
        else:
            log.warning("witness %s did not co-sign checkpoint %s: %s %s",
                        ask.witness_id, ask.size, answer.status, answer.text[:200].strip())
    return kept


def _note(session: Session, size: int) -> str | None:
    """The checkpoint of ``size`` entries that :func:`asks` already found public."""
    return note_at(session, Horizon(size, date.max), size)


def _store(session: Session, witness: Witness, size: int, line: str, signed_at: int) -> None:
    if session.get(Cosignature, (size, witness.id)) is None:
        session.add(Cosignature(size=size, witness_id=witness.id, line=line, signed_at=signed_at))
    witness.last_size = max(witness.last_size, size)
    session.flush()


def _verifier(witness: Witness) -> CosignatureVerifier:
    return CosignatureVerifier.from_vkey(witness.vkey)


def _body(note: str) -> str:
    return note[: note.index("\n\n") + 1] if "\n\n" in note else note
