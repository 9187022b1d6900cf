"""Join the two histories that landed side by side (bank transfers, witnesses) into one head.

Revision ID: 0015_one_head
Revises: 0013_bank_transfers, 0014_witnesses
"""

revision = "0015_one_head"
down_revision = ("0013_bank_transfers", "0014_witnesses")
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
