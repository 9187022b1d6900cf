"""Exports of the books: JSONL (verifiable), CSV (one posting a row) and Beancount.

Each streams entry by entry, so memory stays flat however large the books. Call with a session
whose transaction is a snapshot (SQLite read transaction; PostgreSQL REPEATABLE READ) so the
header, the entries and the closing balances describe the same moment.

``size`` exports only the first ``size`` entries (a prefix is itself a verifiable tree): the
service publishes the books up to the last closed day this way.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import timedelta
from typing import BinaryIO

import orjson
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from . import schema
from .entry import canonical_bytes
from .merkle import EMPTY_ROOT
from .stream import head, iter_leaves

FORMATS = ("jsonl", "csv", "beancount")
EXPORT_FORMAT = "ayni-ledger/1"
#: ISO 4217 currencies whose minor unit is not the cent
EXPONENTS = {
    **dict.fromkeys(("BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF", "UGX", "VND", "VUV",
                     "XAF", "XOF", "XPF"), 0),
    **dict.fromkeys(("BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"), 3),
}


def write(session: Session, fmt: str, out: BinaryIO, *, origin: str, size: int | None = None) -> int:
    """Write the books (or their first ``size`` entries) to ``out`` in ``fmt``; returns the
    number of entries written."""
    writers: dict[str, Callable[[Session, BinaryIO, str, int | None], int]] = {
        "jsonl": write_jsonl,
        "csv": write_csv,
        "beancount": write_beancount,
    }
    if fmt not in writers:
        raise ValueError(f"unknown export format {fmt!r}; choose one of {', '.join(FORMATS)}")
    return writers[fmt](session, out, origin, size)


def _head(session: Session, size: int | None = None) -> tuple[int, bytes]:
    current = head(session)
    head_size, head_root = (current.size, current.root) if current else (0, EMPTY_ROOT)
    if size is None or size == head_size:
        return head_size, head_root
    from .audit import root_at_size  # audit imports the store; only prefixes need it

    return size, root_at_size(session, size)


def write_jsonl(session: Session, out: BinaryIO, origin: str, size: int | None = None) -> int:
    """A header line, then each entry's canonical bytes: exactly what ``python -m ledger.verify`` rehashes."""
    size, root = _head(session, size)
    out.write(canonical_bytes({"format": EXPORT_FORMAT, "origin": origin, "size": size, "root": root.hex()}) + b"\n")
    for leaf in iter_leaves(session, size):
        out.write(leaf.data + b"\n")
    return size


def write_csv(session: Session, out: BinaryIO, origin: str, size: int | None = None) -> int:
    """One row per posting (one row for an entry without postings), amounts in minor units."""
    size, _root = _head(session, size)
    text = io.TextIOWrapper(out, encoding="utf-8", newline="", write_through=True)
    rows = csv.writer(text)
    rows.writerow(
        ["seq", "date", "kind", "key", "reservation", "account", "currency", "amount_minor", "meta", "leaf_hash"]
    )
    for leaf in iter_leaves(session, size):
        entry = leaf.entry
        common = [leaf.seq, leaf.booked_on.isoformat(), entry.kind, entry.key, entry.reservation or ""]
        meta = orjson.dumps(entry.meta, option=orjson.OPT_SORT_KEYS).decode()
        lines = entry.postings or [None]
        for posting in lines:
            account = [posting.account, posting.currency, posting.amount] if posting else ["", "", ""]
            rows.writerow([*common, *account, meta, leaf.stored_hash.hex()])
    text.detach()
    return size


def beancount_account(code: str, account_type: str) -> str:
    """``pool:12:available`` of type Assets -> ``Assets:Pool:12:Available`` (one-to-one for valid codes)."""
    return ":".join([account_type, *(part[0].upper() + part[1:] for part in code.split(":"))])


def beancount_amount(minor: int, currency: str) -> str:
    exponent = EXPONENTS.get(currency, 2)
    if exponent == 0:
        return f"{minor} {currency}"
    sign = "-" if minor < 0 else ""
    whole, part = divmod(abs(minor), 10**exponent)
    return f"{sign}{whole}.{part:0{exponent}d} {currency}"


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def write_beancount(session: Session, out: BinaryIO, origin: str, size: int | None = None) -> int:
    """Money entries as Beancount transactions, holds and governance records as comments,
    closing balance assertions from the kept balances, and tolerances stated, not inferred,
    so that ``bean-check`` refuses an entry or a balance that is off by one cent.

    For a prefix, the closing balances are the kept balances less what later entries moved,
    so they are still checked against the kept figures, not merely re-added from the export."""
    full_size = _head(session)[0]
    size, root = _head(session, size)
    a = schema.accounts.c
    types = dict(session.execute(select(a.code, a.type)).all())

    def line(text: str = "") -> None:
        out.write(text.encode("utf-8") + b"\n")

    line(f"; Ayni ledger {origin}: {size} entries, Merkle root {root.hex()}")
    line('option "title" ' + _quote(f"Ayni ledger {origin}"))
    # A tolerance of zero for whole-unit currencies and none inferred from precision:
    # the books balance exactly or bean-check says so.
    line('option "inferred_tolerance_default" "*:0"')
    line('option "tolerance_multiplier" "0"')
    line()
    last_day = None
    opened: set[str] = set()
    for leaf in iter_leaves(session, size):
        entry, day = leaf.entry, leaf.booked_on.isoformat()
        last_day = leaf.booked_on
        if entry.kind == "open":
            code = entry.meta["account"]
            opened.add(code)
            line(f"{day} open {beancount_account(code, types[code])} {entry.meta['currency']}")
            line(f"  seq: {leaf.seq}")
        elif entry.kind in ("transfer", "settle"):
            line(f"{day} * {_quote(entry.kind)} {_quote(entry.key)}")
            line(f"  seq: {leaf.seq}")
            line(f"  leaf: {_quote(leaf.stored_hash.hex())}")
            for posting in entry.postings:
                account = beancount_account(posting.account, types[posting.account])
                line(f"  {account}  {beancount_amount(posting.amount, posting.currency)}")
        else:
            # The key is JSON-quoted: a newline in it must not end the comment and start a directive.
            key = orjson.dumps(entry.key).decode()
            line(f"; {day} seq {leaf.seq} {entry.kind} {key} (moves no money)")
        line()
    if last_day is not None:
        closing_day = (last_day + timedelta(days=1)).isoformat()
        later = _moved_after(session, size) if size < full_size else {}
        for code, currency, kept in session.execute(select(a.code, a.currency, a.balance).order_by(a.code)):
            if size < full_size and code not in opened:
                continue  # opened after the prefix
            closing = beancount_amount(kept - later.get(code, 0), currency)
            line(f"{closing_day} balance {beancount_account(code, types[code])}  {closing}")
    return size


def _moved_after(session: Session, size: int) -> dict[str, int]:
    """What entries from ``size`` on moved in each account (holds move no balance)."""
    e, p, a = schema.entries.c, schema.postings.c, schema.accounts.c
    rows = session.execute(
        select(a.code, func.sum(p.amount))
        .join(schema.accounts, a.id == p.account_id)
        .join(schema.entries, e.seq == p.entry_seq)
        .where(p.entry_seq >= size, e.kind.in_(("transfer", "settle")))
        .group_by(a.code)
    )
    return {code: int(total) for code, total in rows}
