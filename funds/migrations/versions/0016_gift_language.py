"""gift language: the language a donor gave in, so every page of the gift speaks it

Revision ID: 0016_gift_language
Revises: 0015_one_head
"""

import sqlalchemy as sa
from alembic import op

revision = "0016_gift_language"
down_revision = "0015_one_head"
branch_labels = None
depends_on = None


# Plain ALTER TABLE (no batch copy): the gifts table carries the supporter-count triggers of 0008.
def upgrade() -> None:
    op.add_column("gifts", sa.Column("lang", sa.String(5)))
    op.add_column("monthly_gifts", sa.Column("lang", sa.String(5)))


def downgrade() -> None:
    op.drop_column("monthly_gifts", "lang")
    op.drop_column("gifts", "lang")
