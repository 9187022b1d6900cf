"""Auditing the stored books: verify, signed checkpoints, proofs, and edits made behind the triggers' back."""

from __future__ import annotations

import io
import json
import re
from contextlib import contextmanager

import pytest
from sqlalchemy import func, select, text, update

from ledger import audit, export, schema, store
from ledger.checkpoint import generate_signer, open_note
from ledger.entry import Entry, Posting, canonical_bytes, leaf_object
from ledger.errors import CheckpointError, ProofError, TamperDetected
from ledger.merkle import Frontier, leaf_hash, verify_consistency, verify_inclusion

ORIGIN = "ayni.test/ledger"


# --- a season of a small fund's books -------------------------------------------------------------


def open_books(session) -> None:
    """Two euro pools, a złoty pool, and where gifts come from and fees and refunds go."""
    for pool, currency in ((1, "EUR"), (2, "EUR"), (3, "PLN")):
        store.open_account(session, f"pool:{pool}:available", currency, floor_zero=True)
        store.open_account(session, f"pool:{pool}:paid", currency, type="Expenses")
    store.open_account(session, "donations:stripe", "EUR", type="Income")
    store.open_account(session, "donations:offline", "PLN", type="Income")
    store.open_account(session, "fees:stripe", "EUR", type="Expenses")
    store.open_account(session, "refunds", "EUR", type="Expenses")


def gift(key: str, pool: int, gross: int, fee: int) -> Entry:
    return Entry(
        key,
        "transfer",
        (
            Posting("donations:stripe", "EUR", -gross),
            Posting(f"pool:{pool}:available", "EUR", gross - fee),
            Posting("fees:stripe", "EUR", fee),
        ),
        {"pool": pool, "channel": "stripe"},
    )


def payout(pool: int, amount: int, currency: str = "EUR") -> tuple[Posting, ...]:
    return (Posting(f"pool:{pool}:available", currency, -amount), Posting(f"pool:{pool}:paid", currency, amount))


def book_round(session, n: int) -> dict[str, int]:
    """One round of a fund's life; returns the seq of a few entries the tests tamper with."""
    seqs: dict[str, int] = {}
    gifts = store.post_many(session, [gift(f"gift:{n}:{i}", 1 + i % 2, 2500 + 100 * i, 45 + i) for i in range(6)])
    seqs["gift"] = gifts[2].seq
    store.post(
        session,
        Entry(
            f"gift:{n}:offline",
            "transfer",
            (Posting("donations:offline", "PLN", -55000), Posting("pool:3:available", "PLN", 55000)),
            {"pool": 3, "channel": "offline"},
        ),
    )
    store.record(session, f"approval:{n}:a", {"request": f"r{n}a", "decision": "approve", "peer": "p1"})
    store.record(session, f"approval:{n}:b", {"request": f"r{n}a", "decision": "approve", "peer": "p2"})
    held = store.reserve(session, f"reserve:{n}:a", payout(1, 3000), {"request": f"r{n}a"})
    seqs["settle"] = store.settle(session, f"paid:{n}:a", held.seq, {"request": f"r{n}a", "method": "transfer"}).seq
    held = store.reserve(session, f"reserve:{n}:b", payout(3, 20000, "PLN"), {"request": f"r{n}b"})
    store.void(session, f"withdrawn:{n}:b", held.seq, {"request": f"r{n}b"})
    store.reserve(session, f"reserve:{n}:c", payout(2, 1500), {"request": f"r{n}c"})  # left open
    seqs["note"] = store.record(session, f"decline:{n}:d", {"request": f"r{n}d", "decision": "decline"}).seq
    refund = Entry(
        f"refund:{n}", "transfer", (Posting("pool:1:available", "EUR", -500), Posting("refunds", "EUR", 500))
    )
    seqs["refund"] = store.post(session, refund).seq
    return seqs


@pytest.fixture
def books(db_session):
    """The books after a first round, committed; returns the seqs to tamper with."""
    open_books(db_session)
    seqs = book_round(db_session, 1)
    db_session.commit()
    return seqs


@pytest.fixture
def signer():
    return generate_signer(ORIGIN)


def exported_lines(session) -> list[bytes]:
    out = io.BytesIO()
    export.write_jsonl(session, out, ORIGIN)
    return out.getvalue().split(b"\n")[1:-1]


@contextmanager
def behind_the_triggers(session):
    """What someone with the database password could do: switch the append-only triggers off."""
    dialect = session.get_bind().dialect.name
    if dialect == "sqlite":
        for table in schema.APPEND_ONLY_TABLES:
            for operation in ("update", "delete"):
                session.execute(text(f"DROP TRIGGER {table}_no_{operation}"))
    else:
        session.execute(text("SET session_replication_role = replica"))
    yield
    if dialect == "sqlite":
        for statement in schema.append_only_ddl("sqlite"):
            session.execute(text(statement))
    else:
        session.execute(text("RESET session_replication_role"))
    session.commit()


def nudge_posting(session, seq: int, cents: int, position: int = 1) -> None:
    p = schema.postings.c
    with behind_the_triggers(session):
        session.execute(
            update(schema.postings).where(p.entry_seq == seq, p.position == position).values(amount=p.amount + cents)
        )


def rewrite_leaf(session, seq: int, cents: int) -> None:
    """Move ``cents`` between the two postings of a transfer and rehash its leaf to match."""
    p, e = schema.postings.c, schema.entries.c
    row = session.execute(select(schema.entries).where(e.seq == seq)).one()
    with behind_the_triggers(session):
        for position, change in ((0, -cents), (1, cents)):
            session.execute(
                update(schema.postings)
                .where(p.entry_seq == seq, p.position == position)
                .values(amount=p.amount + change)
            )
        postings = tuple(
            Posting(code, currency, amount)
            for code, currency, amount in session.execute(
                select(schema.accounts.c.code, schema.accounts.c.currency, p.amount)
                .join(schema.accounts, schema.accounts.c.id == p.account_id)
                .where(p.entry_seq == seq)
                .order_by(p.position)
            )
        )
        entry = Entry(row.key, row.kind, postings, json.loads(row.meta), row.reservation)
        session.execute(
            update(schema.entries)
            .where(e.seq == seq)
            .values(leaf_hash=leaf_hash(canonical_bytes(leaf_object(seq, row.booked_on, entry))))
        )


def rebuild_tree(session) -> None:
    """Recompute every stored node and the head from the (edited) leaf hashes, as a careful forger would."""
    e = schema.entries.c
    frontier, nodes = Frontier(), []
    for (leaf,) in session.execute(select(e.leaf_hash).order_by(e.seq)):
        appended = frontier.append(bytes(leaf))
        nodes.extend({"level": lv, "idx": ix, "hash": h} for lv, ix, h in appended if lv >= schema.LOWEST_STORED_LEVEL)
    with behind_the_triggers(session):
        session.execute(schema.tree_nodes.delete())
        session.execute(schema.tree_nodes.insert(), nodes)
        session.execute(
            update(schema.tree_head).values(size=frontier.size, frontier=frontier.to_bytes())
        )


def names_entry(output: str, seq: int) -> bool:
    return re.search(rf"\bentry {seq}\b", output) is not None


# --- honest books -------------------------------------------------------------------------------


def test_a_season_of_gifts_payouts_and_decisions_verifies(db_session, books):
    report = audit.verify(db_session)

    assert report.size == len(exported_lines(db_session)) == 26
    assert report.accounts_checked == 10
    assert store.balance(db_session, "pool:2:available").held == 1500
    assert store.balance(db_session, "pool:3:available").held == 0


def test_the_empty_books_verify(db_session):
    report = audit.verify(db_session)

    assert report.size == 0 and report.accounts_checked == 0


def test_checkpoints_are_signed_once_per_size_and_each_extends_the_last(db_session, books, signer):
    first_note = audit.checkpoint(db_session, signer, ORIGIN)
    db_session.commit()
    first = open_note(first_note, signer.verifier)
    assert first.size == 26

    assert audit.checkpoint(db_session, signer, ORIGIN) == first_note  # nothing new: the same note
    db_session.commit()

    book_round(db_session, 2)
    db_session.commit()
    second_note = audit.checkpoint(db_session, signer, ORIGIN)
    db_session.commit()
    second = open_note(second_note, signer.verifier)

    assert second.size > first.size and second_note != first_note
    assert audit.latest_checkpoint(db_session) == second_note
    proof = audit.prove_consistency(db_session, first.size, second.size)
    verify_consistency(first.size, second.size, first.root, second.root, proof)
    lines = exported_lines(db_session)
    for old_size in (1, 7, 16, first.size, second.size):
        proof = audit.prove_consistency(db_session, old_size, second.size)
        verify_consistency(old_size, second.size, leaf_root(lines[:old_size]), second.root, proof)
    assert audit.verify(db_session).checkpoints_checked == 2


def leaf_root(lines: list[bytes]) -> bytes:
    frontier = Frontier()
    for line in lines:
        frontier.append(leaf_hash(line))
    return frontier.root()


def test_a_checkpoint_of_the_empty_books_is_extended_by_the_first_entries(db_session, signer):
    empty = open_note(audit.checkpoint(db_session, signer, ORIGIN), signer.verifier)
    db_session.commit()
    open_books(db_session)
    db_session.commit()

    grown = open_note(audit.checkpoint(db_session, signer, ORIGIN), signer.verifier)

    assert (empty.size, grown.size) == (0, 10)
    assert audit.verify(db_session).checkpoints_checked == 2


def test_every_entry_has_an_inclusion_proof_against_every_signed_checkpoint(db_session, books, signer):
    first = open_note(audit.checkpoint(db_session, signer, ORIGIN), signer.verifier)
    db_session.commit()
    book_round(db_session, 2)
    db_session.commit()
    second = open_note(audit.checkpoint(db_session, signer, ORIGIN), signer.verifier)
    lines = exported_lines(db_session)

    for checkpoint in (first, second):
        for seq in range(checkpoint.size):
            proof = audit.prove_inclusion(db_session, seq, checkpoint.size)
            verify_inclusion(leaf_hash(lines[seq]), seq, checkpoint.size, proof, checkpoint.root)
    with pytest.raises(ProofError):  # a proof for one entry does not pass for its neighbour
        verify_inclusion(
            leaf_hash(lines[4]), 5, second.size, audit.prove_inclusion(db_session, 5, second.size), second.root
        )


def test_no_proof_is_made_for_entries_or_sizes_outside_the_books(db_session, books):
    for seq, size in [(-1, 5), (5, 5), (0, 0), (0, 27), (26, 27), (3, -1), ("1", 5), (1.0, 5), (None, 5)]:
        with pytest.raises(ProofError):
            audit.prove_inclusion(db_session, seq, size)
    for old, new in [(0, 5), (-1, 5), (6, 5), (1, 27), (27, 27), (3, None), ("1", 5)]:
        with pytest.raises(ProofError):
            audit.prove_consistency(db_session, old, new)
    assert len(audit.prove_inclusion(db_session, 25, 26)) == 3  # 26 = 16 + 8 + 2: its neighbour, then two subtrees
    assert audit.prove_consistency(db_session, 26, 26) == []


# --- edits behind the triggers' back ---------------------------------------------------------------


def test_the_database_itself_refuses_to_edit_a_posting(db_session, books):
    p = schema.postings.c
    with pytest.raises(Exception, match="append-only"):
        db_session.execute(update(schema.postings).where(p.entry_seq == books["gift"]).values(amount=1))
        db_session.flush()
    db_session.rollback()


def test_a_posting_edited_behind_the_triggers_is_named_by_verify(db_session, books):
    nudge_posting(db_session, books["gift"], 100)

    with pytest.raises(TamperDetected) as caught:
        audit.verify(db_session)

    assert caught.value.seq == books["gift"]
    assert names_entry(str(caught.value), books["gift"])


def test_the_verify_command_fails_and_names_the_edited_entry(app, db_session, books):
    runner = app.test_cli_runner()
    honest = runner.invoke(args=["ledger", "verify"])
    assert honest.exit_code == 0, honest.output
    assert "ok: 26 entries" in honest.output

    nudge_posting(db_session, books["settle"], -1, position=0)
    result = runner.invoke(args=["ledger", "verify"])

    assert result.exit_code == 1
    assert "FAILED" in result.output
    assert names_entry(result.output, books["settle"])


def test_a_posting_edited_with_its_leaf_hash_is_caught_by_the_stored_head(db_session, books):
    rewrite_leaf(db_session, books["refund"], 1)

    with pytest.raises(TamperDetected, match="tree head"):
        audit.verify(db_session)


@pytest.mark.parametrize("cut", [1, 32], ids=["a byte", "a hash"])
def test_a_tree_head_cut_short_is_named_by_verify(db_session, books, cut):
    h = schema.tree_head.c
    shorter = func.substr(h.frontier, 1, func.length(h.frontier) - cut)
    db_session.execute(update(schema.tree_head).values(frontier=shorter))
    db_session.commit()

    with pytest.raises(TamperDetected, match="tree head is malformed"):
        audit.verify(db_session)


def test_a_forger_who_rebuilds_the_whole_tree_is_caught_by_the_signed_checkpoint(db_session, books, signer):
    note = audit.checkpoint(db_session, signer, ORIGIN)
    db_session.commit()
    size = open_note(note, signer.verifier).size
    rewrite_leaf(db_session, books["refund"], 1)
    rebuild_tree(db_session)

    with pytest.raises(TamperDetected, match=f"checkpoint {size}") as caught:
        audit.verify(db_session)
    assert caught.value.seq == size - 1

    book_round(db_session, 2)
    db_session.commit()
    with pytest.raises(CheckpointError, match=f"do not extend checkpoint {size}"):
        audit.checkpoint(db_session, signer, ORIGIN)


def test_an_edited_kept_balance_is_caught(db_session, books):
    a = schema.accounts.c
    db_session.execute(update(schema.accounts).where(a.code == "pool:1:available").values(balance=a.balance + 1))
    db_session.commit()

    with pytest.raises(TamperDetected, match="pool:1:available"):
        audit.verify(db_session)


def test_an_edited_hold_is_caught(db_session, books):
    a = schema.accounts.c
    db_session.execute(update(schema.accounts).where(a.code == "pool:2:available").values(held=0))
    db_session.commit()

    with pytest.raises(TamperDetected, match="pool:2:available"):
        audit.verify(db_session)


def test_a_governance_record_deleted_behind_the_triggers_is_named(db_session, books):
    with behind_the_triggers(db_session):
        db_session.execute(schema.entries.delete().where(schema.entries.c.seq == books["note"]))

    with pytest.raises(TamperDetected, match="missing") as caught:
        audit.verify(db_session)
    assert caught.value.seq == books["note"]
