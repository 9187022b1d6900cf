"""postings by account and seq: an account's postings after a given entry are an index range

The pool page undoes today's postings to show the published figures; with an index on the
account alone that read every posting the pool's accounts ever had.

Revision ID: 0010_postings_by_account_and_seq
Revises: 0009_request_ledger_ref
"""

from alembic import op

revision = "0010_postings_by_account_and_seq"
down_revision = "0009_request_ledger_ref"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_ledger_postings_account_id_entry_seq", "ledger_postings", ["account_id", "entry_seq"])
    op.drop_index("ix_ledger_postings_account_id", table_name="ledger_postings")


def downgrade() -> None:
    op.create_index("ix_ledger_postings_account_id", "ledger_postings", ["account_id"])
    op.drop_index("ix_ledger_postings_account_id_entry_seq", table_name="ledger_postings")
