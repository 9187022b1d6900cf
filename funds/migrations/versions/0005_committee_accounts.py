"""committee accounts: sign-in, browser sessions, invitations

Revision ID: 0005_committee_accounts
Revises: 0002_pools
"""

import sqlalchemy as sa
from alembic import op

revision = "0005_committee_accounts"
down_revision = "0002_pools"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "member_accounts",
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("login_name", sa.String(length=60), nullable=False),
        sa.Column("password_hash", sa.String(length=200), nullable=False),
        sa.Column("totp_secret", sa.String(length=64), nullable=False),
        sa.Column("totp_enrolled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("totp_last_step", sa.BigInteger(), nullable=True),
        sa.Column("failed_attempts", sa.Integer(), nullable=False),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("disabled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["member_id"], ["committee_members.id"], name=op.f("fk_member_accounts_member_id_committee_members")
        ),
        sa.PrimaryKeyConstraint("member_id", name=op.f("pk_member_accounts")),
        sa.UniqueConstraint("login_name", name=op.f("uq_member_accounts_login_name")),
    )
    op.create_table(
        "committee_sessions",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("two_factor_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["member_id"], ["committee_members.id"], name=op.f("fk_committee_sessions_member_id_committee_members")
        ),
        sa.PrimaryKeyConstraint("token_hash", name=op.f("pk_committee_sessions")),
    )
    op.create_index(op.f("ix_committee_sessions_member_id"), "committee_sessions", ["member_id"], unique=False)
    op.create_table(
        "committee_invitations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("committee_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("display_name", sa.String(length=100), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("used_by_id", sa.Integer(), nullable=True),
        sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["committee_id"], ["committees.id"], name=op.f("fk_committee_invitations_committee_id_committees")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["committee_members.id"],
            name=op.f("fk_committee_invitations_created_by_id_committee_members"),
        ),
        sa.ForeignKeyConstraint(
            ["used_by_id"], ["committee_members.id"], name=op.f("fk_committee_invitations_used_by_id_committee_members")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_committee_invitations")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_committee_invitations_token_hash")),
    )
    op.create_index(
        op.f("ix_committee_invitations_committee_id"), "committee_invitations", ["committee_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_committee_invitations_committee_id"), table_name="committee_invitations")
    op.drop_table("committee_invitations")
    op.drop_index(op.f("ix_committee_sessions_member_id"), table_name="committee_sessions")
    op.drop_table("committee_sessions")
    op.drop_table("member_accounts")
