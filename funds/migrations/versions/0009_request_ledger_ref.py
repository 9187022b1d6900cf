"""request ledger reference: the books name a request by a random reference, not its row number

A row number tells anyone reading the public export how many requests came before and lets
whoever sees one on a screen find that request's whole life in the books. Existing requests get
a reference too; entries already booked keep what they hold (the books are append-only).

Revision ID: 0009_request_ledger_ref
Revises: 0008_flat_pool_page
"""

import secrets

import sqlalchemy as sa
from alembic import op

revision = "0009_request_ledger_ref"
down_revision = "0008_flat_pool_page"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("requests") as batch:
        batch.add_column(sa.Column("ledger_ref", sa.String(length=32), nullable=True))
    connection = op.get_bind()
    requests = sa.table("requests", sa.column("id", sa.Integer), sa.column("ledger_ref", sa.String))
    for (request_id,) in connection.execute(sa.select(requests.c.id)).all():
        connection.execute(
            requests.update().where(requests.c.id == request_id).values(ledger_ref=secrets.token_hex(16))
        )
    with op.batch_alter_table("requests") as batch:
        batch.alter_column("ledger_ref", existing_type=sa.String(length=32), nullable=False)
        batch.create_unique_constraint(op.f("uq_requests_ledger_ref"), ["ledger_ref"])


def downgrade() -> None:
    with op.batch_alter_table("requests") as batch:
        batch.drop_constraint(op.f("uq_requests_ledger_ref"), type_="unique")
        batch.drop_column("ledger_ref")
