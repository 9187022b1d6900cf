"""tree head without root: the root is hashed from the stored right edge when asked

Every booking hashed the whole right edge again to store a root that only checkpoints, exports
and the audit read. Those now hash it from the edge (``ledger.stream.TreeHead.root``).

Revision ID: 0012_tree_head_without_root
Revises: 0011_fast_tracks_to_review
"""

import sqlalchemy as sa
from alembic import op

from ledger.merkle import Frontier

revision = "0012_tree_head_without_root"
down_revision = "0011_fast_tracks_to_review"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # a plain ALTER TABLE on both databases (SQLite has had DROP COLUMN since 3.35)
    op.drop_column("ledger_tree_head", "root")


def downgrade() -> None:
    with op.batch_alter_table("ledger_tree_head") as batch:
        batch.add_column(sa.Column("root", sa.LargeBinary(32), nullable=True))
    head = sa.table(
        "ledger_tree_head",
        sa.column("id", sa.Integer),
        sa.column("size", sa.BigInteger),
        sa.column("frontier", sa.LargeBinary),
        sa.column("root", sa.LargeBinary),
    )
    connection = op.get_bind()
    for row in connection.execute(sa.select(head.c.id, head.c.size, head.c.frontier)).all():
        root = Frontier.from_bytes(row.size, row.frontier).root()
        connection.execute(head.update().where(head.c.id == row.id).values(root=root))
    with op.batch_alter_table("ledger_tree_head") as batch:
        batch.alter_column("root", existing_type=sa.LargeBinary(32), nullable=False)
