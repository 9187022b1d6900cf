"""witnesses: who co-signs our checkpoints, and the cosignatures they returned

Revision ID: 0014_witnesses
Revises: 0012_tree_head_without_root
"""

import sqlalchemy as sa
from alembic import op

revision = "0014_witnesses"
down_revision = "0012_tree_head_without_root"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "ledger_witnesses",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("committee_id", sa.Integer, sa.ForeignKey("committees.id"), nullable=False),
        sa.Column("label", sa.String(200), nullable=False),
        sa.Column("vkey", sa.String(400), nullable=False, unique=True),
        sa.Column("url", sa.String(500), nullable=True),
        sa.Column("last_size", sa.BigInteger, nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("added_by_id", sa.Integer, sa.ForeignKey("committee_members.id"), nullable=False),
        sa.Column("retired_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_table(
        "ledger_cosignatures",
        sa.Column("size", sa.BigInteger, primary_key=True),
        sa.Column("witness_id", sa.Integer, sa.ForeignKey("ledger_witnesses.id"), primary_key=True),
        sa.Column("line", sa.Text, nullable=False),
        sa.Column("signed_at", sa.BigInteger, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("ledger_cosignatures")
    op.drop_table("ledger_witnesses")
