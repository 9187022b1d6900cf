"""requests: anonymous requests, their sealed details and messages to the person

Revision ID: 0004_requests
Revises: 0002_pools
"""

import sqlalchemy as sa
from alembic import op

revision = "0004_requests"
down_revision = "0002_pools"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("pool_id", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("category", sa.String(length=20), nullable=False),
        sa.Column("method", sa.String(length=20), nullable=False),
        sa.Column("lang", sa.String(length=5), nullable=False),
        sa.Column("codename_id", sa.LargeBinary(length=32), nullable=False),
        sa.Column("inbox_key", sa.LargeBinary(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("purged_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["pool_id"], ["pools.id"], name=op.f("fk_requests_pool_id_pools")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_requests")),
    )
    with op.batch_alter_table("requests", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_requests_closed_at"), ["closed_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_requests_codename_id"), ["codename_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_requests_pool_id"), ["pool_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_requests_state"), ["state"], unique=False)

    op.create_table(
        "request_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("sealed", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["request_id"], ["requests.id"], name=op.f("fk_request_messages_request_id_requests"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_request_messages")),
    )
    with op.batch_alter_table("request_messages", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_request_messages_request_id"), ["request_id"], unique=False)

    op.create_table(
        "request_sealed_details",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("public_key", sa.LargeBinary(length=32), nullable=False),
        sa.Column("sealed", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["member_id"], ["committee_members.id"], name=op.f("fk_request_sealed_details_member_id_committee_members")
        ),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["requests.id"],
            name=op.f("fk_request_sealed_details_request_id_requests"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_request_sealed_details")),
        sa.UniqueConstraint("request_id", "member_id", name=op.f("uq_request_sealed_details_request_id")),
    )
    with op.batch_alter_table("request_sealed_details", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_request_sealed_details_member_id"), ["member_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_request_sealed_details_request_id"), ["request_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("request_sealed_details", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_request_sealed_details_request_id"))
        batch_op.drop_index(batch_op.f("ix_request_sealed_details_member_id"))

    op.drop_table("request_sealed_details")
    with op.batch_alter_table("request_messages", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_request_messages_request_id"))

    op.drop_table("request_messages")
    with op.batch_alter_table("requests", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_requests_state"))
        batch_op.drop_index(batch_op.f("ix_requests_pool_id"))
        batch_op.drop_index(batch_op.f("ix_requests_codename_id"))
        batch_op.drop_index(batch_op.f("ix_requests_closed_at"))

    op.drop_table("requests")
