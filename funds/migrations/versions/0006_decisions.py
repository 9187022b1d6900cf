"""decisions: votes, grants, sealed payouts, audit salts and reminders; merges the three heads

Revision ID: 0006_decisions
Revises: 0003_donations, 0004_requests, 0005_committee_accounts
"""

import sqlalchemy as sa
from alembic import op

revision = "0006_decisions"
down_revision = ("0003_donations", "0004_requests", "0005_committee_accounts")
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "committee_audit_salts",
        sa.Column("committee_id", sa.Integer(), nullable=False),
        sa.Column("salt", sa.LargeBinary(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["committee_id"], ["committees.id"], name=op.f("fk_committee_audit_salts_committee_id_committees")
        ),
        sa.PrimaryKeyConstraint("committee_id", name=op.f("pk_committee_audit_salts")),
    )
    op.create_table(
        "committee_reminder_addresses",
        sa.Column("committee_id", sa.Integer(), nullable=False),
        sa.Column("address", sa.String(length=254), nullable=False),
        sa.ForeignKeyConstraint(
            ["committee_id"], ["committees.id"], name=op.f("fk_committee_reminder_addresses_committee_id_committees")
        ),
        sa.PrimaryKeyConstraint("committee_id", name=op.f("pk_committee_reminder_addresses")),
    )
    op.create_table(
        "committee_reminders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("committee_id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("emailed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("cleared_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["committee_id"], ["committees.id"], name=op.f("fk_committee_reminders_committee_id_committees")
        ),
        sa.ForeignKeyConstraint(
            ["request_id"], ["requests.id"], name=op.f("fk_committee_reminders_request_id_requests"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_committee_reminders")),
    )
    op.create_index(op.f("ix_committee_reminders_cleared_at"), "committee_reminders", ["cleared_at"])
    op.create_index(op.f("ix_committee_reminders_committee_id"), "committee_reminders", ["committee_id"])
    op.create_index(op.f("ix_committee_reminders_request_id"), "committee_reminders", ["request_id"])
    op.create_table(
        "payout_sealed_details",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("sealed", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["member_id"], ["committee_members.id"], name=op.f("fk_payout_sealed_details_member_id_committee_members")
        ),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["requests.id"],
            name=op.f("fk_payout_sealed_details_request_id_requests"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payout_sealed_details")),
        sa.UniqueConstraint("request_id", "member_id", name=op.f("uq_payout_sealed_details_request_id")),
    )
    op.create_index(op.f("ix_payout_sealed_details_request_id"), "payout_sealed_details", ["request_id"])
    op.create_table(
        "request_grants",
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("pool_id", sa.Integer(), nullable=False),
        sa.Column("decided_by", sa.String(length=12), nullable=False),
        sa.Column("approved_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reviewed_by_id", sa.Integer(), nullable=True),
        sa.Column("reservation_seq", sa.BigInteger(), nullable=True),
        sa.Column("reserved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("paid_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("paid_by_id", sa.Integer(), nullable=True),
        sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["paid_by_id"], ["committee_members.id"], name=op.f("fk_request_grants_paid_by_id_committee_members")
        ),
        sa.ForeignKeyConstraint(["pool_id"], ["pools.id"], name=op.f("fk_request_grants_pool_id_pools")),
        sa.ForeignKeyConstraint(
            ["request_id"], ["requests.id"], name=op.f("fk_request_grants_request_id_requests"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["reviewed_by_id"],
            ["committee_members.id"],
            name=op.f("fk_request_grants_reviewed_by_id_committee_members"),
        ),
        sa.PrimaryKeyConstraint("request_id", name=op.f("pk_request_grants")),
    )
    op.create_index(op.f("ix_request_grants_approved_at"), "request_grants", ["approved_at"])
    op.create_index(op.f("ix_request_grants_pool_id"), "request_grants", ["pool_id"])
    op.create_table(
        "request_votes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("choice", sa.String(length=10), nullable=False),
        sa.Column("fast_track", sa.Boolean(), nullable=False),
        sa.Column("reason_sealed", sa.LargeBinary(), nullable=True),
        sa.Column("cast_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["member_id"], ["committee_members.id"], name=op.f("fk_request_votes_member_id_committee_members")
        ),
        sa.ForeignKeyConstraint(
            ["request_id"], ["requests.id"], name=op.f("fk_request_votes_request_id_requests"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_request_votes")),
        # a member counts once per request, whatever the code above this does
        sa.UniqueConstraint("request_id", "member_id", name=op.f("uq_request_votes_request_id")),
    )
    op.create_index(op.f("ix_request_votes_expires_at"), "request_votes", ["expires_at"])
    op.create_index(op.f("ix_request_votes_member_id"), "request_votes", ["member_id"])
    op.create_index(op.f("ix_request_votes_request_id"), "request_votes", ["request_id"])


def downgrade() -> None:
    op.drop_table("request_votes")
    op.drop_table("request_grants")
    op.drop_table("payout_sealed_details")
    op.drop_table("committee_reminders")
    op.drop_table("committee_reminder_addresses")
    op.drop_table("committee_audit_salts")
