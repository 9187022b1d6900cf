"""fast tracks to review: the queue finds the few unreviewed fast-track approvals by a partial index

Without it the queue read every request of the committee's pools to find them: its cost grew
with the fund's history (1.51x at 100,000 requests against 100).

Revision ID: 0011_fast_tracks_to_review
Revises: 0010_postings_by_account_and_seq
"""

import sqlalchemy as sa
from alembic import op

revision = "0011_fast_tracks_to_review"
down_revision = "0010_postings_by_account_and_seq"
branch_labels = None
depends_on = None

UNREVIEWED = sa.text("decided_by = 'fast-track' AND reviewed_at IS NULL")


def upgrade() -> None:
    op.create_index("ix_request_grants_fast_tracks_to_review", "request_grants", ["approved_at"],
                    sqlite_where=UNREVIEWED, postgresql_where=UNREVIEWED)


def downgrade() -> None:
    op.drop_index("ix_request_grants_fast_tracks_to_review", table_name="request_grants")
