"""The books: accounts, entries, postings, the Merkle tree and checkpoints, append-only.

Revision ID: 0001_ledger
Revises:
"""

import sqlalchemy as sa
from alembic import op

from ledger.merkle import EMPTY_ROOT
from ledger.schema import append_only_ddl, drop_append_only_ddl

revision = "0001_ledger"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "ledger_accounts",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("code", sa.String(200), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("type", sa.String(12), nullable=False),
        sa.Column("floor_zero", sa.Boolean(), nullable=False),
        sa.Column("balance", sa.BigInteger(), nullable=False),
        sa.Column("held", sa.BigInteger(), nullable=False),
        sa.CheckConstraint("NOT floor_zero OR balance - held >= 0", name="ck_ledger_accounts_not_below_zero"),
        sa.CheckConstraint("held >= 0", name="ck_ledger_accounts_held_not_negative"),
        sa.PrimaryKeyConstraint("id", name="pk_ledger_accounts"),
        sa.UniqueConstraint("code", name="uq_ledger_accounts_code"),
    )
    op.create_table(
        "ledger_entries",
        sa.Column("seq", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("key", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("booked_on", sa.Date(), nullable=False),
        sa.Column("meta", sa.Text(), nullable=False),
        sa.Column("reservation", sa.BigInteger(), nullable=True),
        sa.Column("leaf_hash", sa.LargeBinary(32), nullable=False),
        sa.ForeignKeyConstraint(
            ["reservation"], ["ledger_entries.seq"], name="fk_ledger_entries_reservation_ledger_entries"
        ),
        sa.PrimaryKeyConstraint("seq", name="pk_ledger_entries"),
        sa.UniqueConstraint("key", name="uq_ledger_entries_key"),
        sa.UniqueConstraint("reservation", name="uq_ledger_entries_reservation"),
    )
    op.create_table(
        "ledger_postings",
        sa.Column("entry_seq", sa.BigInteger(), nullable=False),
        sa.Column("position", sa.SmallInteger(), autoincrement=False, nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["ledger_accounts.id"], name="fk_ledger_postings_account_id_ledger_accounts"
        ),
        sa.ForeignKeyConstraint(
            ["entry_seq"], ["ledger_entries.seq"], name="fk_ledger_postings_entry_seq_ledger_entries"
        ),
        sa.PrimaryKeyConstraint("entry_seq", "position", name="pk_ledger_postings"),
    )
    op.create_index("ix_ledger_postings_account_id", "ledger_postings", ["account_id"])
    op.create_table(
        "ledger_tree_nodes",
        sa.Column("level", sa.SmallInteger(), autoincrement=False, nullable=False),
        sa.Column("idx", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("hash", sa.LargeBinary(32), nullable=False),
        sa.PrimaryKeyConstraint("level", "idx", name="pk_ledger_tree_nodes"),
    )
    op.create_table(
        "ledger_tree_head",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("frontier", sa.LargeBinary(), nullable=False),
        sa.Column("root", sa.LargeBinary(32), nullable=False),
        sa.CheckConstraint("id = 1", name="ck_ledger_tree_head_single_row"),
        sa.PrimaryKeyConstraint("id", name="pk_ledger_tree_head"),
    )
    op.create_table(
        "ledger_checkpoints",
        sa.Column("size", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("root", sa.LargeBinary(32), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("signed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("size", name="pk_ledger_checkpoints"),
    )
    # The head row exists from the start, so the first two appends can race on its lock
    # instead of both trying to create it.
    op.execute(
        sa.text("INSERT INTO ledger_tree_head (id, size, frontier, root) VALUES (1, 0, :empty, :root)").bindparams(
            sa.bindparam("empty", b"", type_=sa.LargeBinary()),
            sa.bindparam("root", EMPTY_ROOT, type_=sa.LargeBinary()),
        )
    )
    dialect = op.get_bind().dialect.name
    for statement in append_only_ddl(dialect):
        op.execute(statement)


def downgrade() -> None:
    for statement in drop_append_only_ddl(op.get_bind().dialect.name):
        op.execute(statement)
    for table in ("ledger_checkpoints", "ledger_tree_head", "ledger_tree_nodes", "ledger_postings", "ledger_entries"):
        op.drop_table(table)
    op.drop_table("ledger_accounts")
