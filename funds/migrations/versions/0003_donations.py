"""donations: gifts, monthly gifts, Stripe events and money movements

Revision ID: 0003_donations
Revises: 0002_pools
"""

import sqlalchemy as sa
from alembic import op

revision = "0003_donations"
down_revision = "0002_pools"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "stripe_events",
        sa.Column("id", sa.String(length=255), nullable=False),
        sa.Column("type", sa.String(length=100), nullable=False),
        sa.Column("created", sa.BigInteger(), nullable=False),
        sa.Column("outcome", sa.String(length=200), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stripe_events")),
    )
    with op.batch_alter_table("stripe_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_stripe_events_created"), ["created"], unique=False)

    op.create_table(
        "monthly_gifts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token", sa.String(length=32), nullable=False),
        sa.Column("pool_id", sa.Integer(), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("public_name", sa.String(length=60), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("stripe_customer_id", sa.String(length=255), nullable=True),
        sa.Column("stripe_setup_intent_id", sa.String(length=255), nullable=True),
        sa.Column("stripe_subscription_id", sa.String(length=255), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("stopped_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["pool_id"], ["pools.id"], name=op.f("fk_monthly_gifts_pool_id_pools")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_monthly_gifts")),
        sa.UniqueConstraint("stripe_subscription_id", name=op.f("uq_monthly_gifts_stripe_subscription_id")),
        sa.UniqueConstraint("token", name=op.f("uq_monthly_gifts_token")),
    )
    with op.batch_alter_table("monthly_gifts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_monthly_gifts_pool_id"), ["pool_id"], unique=False)

    op.create_table(
        "gifts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token", sa.String(length=32), nullable=False),
        sa.Column("pool_id", sa.Integer(), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("source", sa.String(length=10), nullable=False),
        sa.Column("method", sa.String(length=20), nullable=True),
        sa.Column("public_name", sa.String(length=60), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("monthly_gift_id", sa.Integer(), nullable=True),
        sa.Column("stripe_customer_id", sa.String(length=255), nullable=True),
        sa.Column("stripe_setup_intent_id", sa.String(length=255), nullable=True),
        sa.Column("stripe_payment_intent_id", sa.String(length=255), nullable=True),
        sa.Column("stripe_charge_id", sa.String(length=255), nullable=True),
        sa.Column("entry_seq", sa.BigInteger(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("paid_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["entry_seq"], ["ledger_entries.seq"], name=op.f("fk_gifts_entry_seq_ledger_entries")),
        sa.ForeignKeyConstraint(
            ["monthly_gift_id"], ["monthly_gifts.id"], name=op.f("fk_gifts_monthly_gift_id_monthly_gifts")
        ),
        sa.ForeignKeyConstraint(["pool_id"], ["pools.id"], name=op.f("fk_gifts_pool_id_pools")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_gifts")),
        sa.UniqueConstraint("stripe_charge_id", name=op.f("uq_gifts_stripe_charge_id")),
        sa.UniqueConstraint("stripe_payment_intent_id", name=op.f("uq_gifts_stripe_payment_intent_id")),
        sa.UniqueConstraint("token", name=op.f("uq_gifts_token")),
    )
    with op.batch_alter_table("gifts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_gifts_monthly_gift_id"), ["monthly_gift_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_gifts_pool_id"), ["pool_id"], unique=False)

    op.create_table(
        "stripe_movements",
        sa.Column("id", sa.String(length=255), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("gift_id", sa.Integer(), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("fee", sa.BigInteger(), nullable=False),
        sa.Column("entry_seq", sa.BigInteger(), nullable=False),
        sa.Column("booked_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["entry_seq"], ["ledger_entries.seq"], name=op.f("fk_stripe_movements_entry_seq_ledger_entries")
        ),
        sa.ForeignKeyConstraint(["gift_id"], ["gifts.id"], name=op.f("fk_stripe_movements_gift_id_gifts")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stripe_movements")),
    )
    with op.batch_alter_table("stripe_movements", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_stripe_movements_gift_id"), ["gift_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("stripe_movements", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_stripe_movements_gift_id"))

    op.drop_table("stripe_movements")
    with op.batch_alter_table("gifts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_gifts_pool_id"))
        batch_op.drop_index(batch_op.f("ix_gifts_monthly_gift_id"))

    op.drop_table("gifts")
    with op.batch_alter_table("monthly_gifts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_monthly_gifts_pool_id"))

    op.drop_table("monthly_gifts")
    with op.batch_alter_table("stripe_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_stripe_events_created"))

    op.drop_table("stripe_events")
