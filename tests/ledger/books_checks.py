"""What the database must show after every step of the books' state machine.

Every entry balances, every kept balance and hold is the sum of its postings, no protected
account is below zero, every entry is the one the model booked under its key, and the tree head
is the root of a Merkle tree rebuilt here from the rows. ``snapshot`` is what a refusal must
leave exactly as it was.
"""

from __future__ import annotations

import json
from collections import defaultdict

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ledger import audit, schema, stream
from ledger.entry import canonical_bytes
from ledger.merkle import MemoryTree, leaf_hash
from tests.ledger.books_model import Model


def snapshot(session: Session) -> tuple:
    """Everything a refusal must leave alone, read in the caller's session."""
    tables = (schema.accounts, schema.entries, schema.postings, schema.tree_nodes, schema.tree_head)
    counts = tuple(session.execute(select(func.count()).select_from(t)).scalar_one() for t in tables)
    a, h = schema.accounts.c, schema.tree_head.c
    figures = sorted(session.execute(select(a.code, a.balance, a.held)).all())
    head = session.execute(select(h.size, h.frontier)).first()
    return counts, figures, tuple(head) if head else None


def check_books(session: Session, model: Model) -> None:
    """The books agree with the model and with themselves, and the tree head is the root of their rows."""
    e, p, a = schema.entries.c, schema.postings.c, schema.accounts.c
    accounts = {row.code: row for row in session.execute(select(schema.accounts))}
    assert {code: (r.currency, r.floor_zero, r.balance, r.held) for code, r in accounts.items()} == {
        code: (m.currency, m.floor_zero, m.balance, m.held) for code, m in model.accounts.items()
    }

    # Every entry balances in every currency.
    unbalanced = session.execute(
        select(p.entry_seq, a.currency, func.sum(p.amount))
        .join(schema.accounts, a.id == p.account_id)
        .group_by(p.entry_seq, a.currency)
        .having(func.sum(p.amount) != 0)
    ).all()
    assert unbalanced == []

    # Kept figures are sums of postings: moved money, and the holds of open reservations.
    moved, held = sums_of_postings(session)
    for code, row in accounts.items():
        assert row.balance == moved.get(code, 0), code
        assert row.held == held.get(code, 0), code
        assert not row.floor_zero or row.balance - row.held >= 0, code

    # The tree head is the root of a tree rebuilt here from the rows.
    lines: dict[int, list[list]] = defaultdict(list)
    for seq, code, currency, amount in session.execute(
        select(p.entry_seq, a.code, a.currency, p.amount)
        .join(schema.accounts, a.id == p.account_id)
        .order_by(p.entry_seq, p.position)
    ):
        lines[seq].append([code, currency, amount])
    tree = MemoryTree()
    rows = session.execute(select(schema.entries).order_by(e.seq)).all()
    assert [row.seq for row in rows] == list(range(model.size))
    for row in rows:
        leaf = {
            "seq": row.seq,
            "key": row.key,
            "kind": row.kind,
            "date": row.booked_on.isoformat(),
            "postings": lines.get(row.seq, []),
            "meta": json.loads(row.meta),
        }
        if row.reservation is not None:
            leaf["reservation"] = row.reservation
        asked, seq = model.booked[row.key]
        assert seq == row.seq
        assert {k: v for k, v in leaf.items() if k not in ("seq", "date")} == asked.content()
        data = canonical_bytes(leaf)
        assert leaf_hash(data) == bytes(row.leaf_hash), row.seq
        tree.append(data)
    head = stream.head(session)
    assert head is not None and head.size == tree.size
    assert head.root == tree.root()
    nodes = {(n.level, n.idx): bytes(n.hash) for n in session.execute(select(schema.tree_nodes))}
    expected_nodes = {
        (lv, ix): h
        for lv, level in enumerate(tree.levels)
        if lv >= schema.LOWEST_STORED_LEVEL
        for ix, h in enumerate(level)
    }
    assert nodes == expected_nodes
    # Every earlier root, from the stored nodes and the leaves hashed again below them.
    assert [audit.root_at_size(session, size) for size in range(tree.size + 1)] == [
        tree.root(size) for size in range(tree.size + 1)
    ]

    report = audit.verify(session)
    assert (report.size, report.root, report.accounts_checked) == (tree.size, tree.root(), len(model.accounts))


def sums_of_postings(session: Session) -> tuple[dict[str, int], dict[str, int]]:
    """Per account code, the money its postings moved and what its open reservations hold, summed
    from the rows (what the kept balances must equal)."""
    e, p, a = schema.entries.c, schema.postings.c, schema.accounts.c
    moved = dict(
        session.execute(
            select(a.code, func.sum(p.amount))
            .join(schema.postings, p.account_id == a.id)
            .join(schema.entries, e.seq == p.entry_seq)
            .where(e.kind.in_(("transfer", "settle")))
            .group_by(a.code)
        ).all()
    )
    closed = select(e.reservation).where(e.reservation.is_not(None))
    held = dict(
        session.execute(
            select(a.code, func.sum(-p.amount))
            .join(schema.postings, p.account_id == a.id)
            .join(schema.entries, e.seq == p.entry_seq)
            .where(e.kind == "reserve", p.amount < 0, e.seq.not_in(closed))
            .group_by(a.code)
        ).all()
    )
    return moved, held
