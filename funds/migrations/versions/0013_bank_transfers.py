"""bank transfers: a pool's bank details, gifts expected by transfer, imported statement lines

Revision ID: 0013_bank_transfers
Revises: 0012_tree_head_without_root
"""

import sqlalchemy as sa
from alembic import op

revision = "0013_bank_transfers"
down_revision = "0012_tree_head_without_root"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "pool_bank_accounts",
        sa.Column("pool_id", sa.Integer, sa.ForeignKey("pools.id"), primary_key=True),
        sa.Column("holder", sa.String(70), nullable=False),
        sa.Column("iban", sa.String(34), nullable=False),
        sa.Column("bic", sa.String(11)),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "bank_transfers",
        sa.Column("gift_id", sa.Integer, sa.ForeignKey("gifts.id"), primary_key=True),
        sa.Column("reference", sa.String(16), nullable=False, unique=True),
    )
    op.create_table(
        "statement_lines",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("committee_id", sa.Integer, sa.ForeignKey("committees.id"), nullable=False, index=True),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("source", sa.String(10), nullable=False),
        sa.Column("booked_on", sa.Date, nullable=False),
        sa.Column("amount", sa.BigInteger, nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("reference", sa.String(16)),
        sa.Column("state", sa.String(10), nullable=False),
        sa.Column("gift_id", sa.Integer, sa.ForeignKey("gifts.id")),
        sa.Column("entry_seq", sa.BigInteger, sa.ForeignKey("ledger_entries.seq")),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("booked_at", sa.DateTime(timezone=True)),
        sa.UniqueConstraint("committee_id", "fingerprint"),
    )


def downgrade() -> None:
    op.drop_table("statement_lines")
    op.drop_table("bank_transfers")
    op.drop_table("pool_bank_accounts")
