"""transparency: committees' choice to publish who decides; an index to find where today's entries begin

Revision ID: 0007_transparency
Revises: 0006_decisions
"""

import sqlalchemy as sa
from alembic import op

revision = "0007_transparency"
down_revision = "0006_decisions"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "committee_decider_disclosures",
        sa.Column("committee_id", sa.Integer(), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("published_by_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["committee_id"], ["committees.id"], name=op.f("fk_committee_decider_disclosures_committee_id_committees")
        ),
        sa.ForeignKeyConstraint(
            ["published_by_id"], ["committee_members.id"],
            name=op.f("fk_committee_decider_disclosures_published_by_id_committee_members"),
        ),
        sa.PrimaryKeyConstraint("committee_id", name=op.f("pk_committee_decider_disclosures")),
    )
    # The public books end at the first entry booked today: found through this index, not a scan.
    op.create_index(op.f("ix_ledger_entries_booked_on"), "ledger_entries", ["booked_on"])


def downgrade() -> None:
    op.drop_index(op.f("ix_ledger_entries_booked_on"), table_name="ledger_entries")
    op.drop_table("committee_decider_disclosures")
