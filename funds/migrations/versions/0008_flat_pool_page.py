"""flat pool page: kept counts of supporters and of payouts per pool, an index for names thanked

The pool page counted every paid gift of a pool and every posting into its paid:* accounts on
each view (and scanned all gifts to find the few with a public name): its cost grew with the
fund's history. Both counts are now kept by triggers, so every code path that pays, refunds or
disputes a gift, or books a payout, keeps them right without knowing; the names come from a
partial index of named gifts. A payout is an entry that moved money into a paid:* account (a
transfer or a reservation's settlement); a reservation itself moves nothing and is not counted.

Revision ID: 0008_flat_pool_page
Revises: 0007_transparency
"""

import sqlalchemy as sa
from alembic import op

revision = "0008_flat_pool_page"
down_revision = "0007_transparency"
branch_labels = None
depends_on = None

# A gift counts as one supporter while it is paid and is not a month of a monthly gift:
# "status = 'paid' AND monthly_gift_id IS NULL", as funds/donations/supporters.py counted them.

SQLITE_TRIGGERS = [
    """CREATE TRIGGER gifts_count_supporters_insert AFTER INSERT ON gifts
        WHEN NEW.status = 'paid' AND NEW.monthly_gift_id IS NULL
        BEGIN
            INSERT INTO pool_supporter_counts (pool_id, once_paid) VALUES (NEW.pool_id, 1)
            ON CONFLICT (pool_id) DO UPDATE SET once_paid = once_paid + 1;
        END""",
    """CREATE TRIGGER gifts_count_supporters_update AFTER UPDATE OF status, monthly_gift_id, pool_id ON gifts
        BEGIN
            UPDATE pool_supporter_counts SET once_paid = once_paid - 1
            WHERE pool_id = OLD.pool_id AND OLD.status = 'paid' AND OLD.monthly_gift_id IS NULL;
            INSERT INTO pool_supporter_counts (pool_id, once_paid) SELECT NEW.pool_id, 1
            WHERE NEW.status = 'paid' AND NEW.monthly_gift_id IS NULL
            ON CONFLICT (pool_id) DO UPDATE SET once_paid = once_paid + 1;
        END""",
    """CREATE TRIGGER gifts_count_supporters_delete AFTER DELETE ON gifts
        WHEN OLD.status = 'paid' AND OLD.monthly_gift_id IS NULL
        BEGIN
            UPDATE pool_supporter_counts SET once_paid = once_paid - 1 WHERE pool_id = OLD.pool_id;
        END""",
]

SQLITE_PAYOUT_TRIGGER = """CREATE TRIGGER ledger_postings_count_payouts AFTER INSERT ON ledger_postings
    WHEN NEW.amount > 0
    BEGIN
        INSERT INTO pool_payout_counts (account_id, payouts)
        SELECT NEW.account_id, 1 FROM ledger_accounts a, ledger_entries e
        WHERE a.id = NEW.account_id AND a.code LIKE 'pool:%:paid:%' AND e.seq = NEW.entry_seq AND e.kind != 'reserve'
        ON CONFLICT (account_id) DO UPDATE SET payouts = payouts + 1;
    END"""

POSTGRESQL_PAYOUT_TRIGGER = [
    """CREATE FUNCTION ledger_postings_count_payouts() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            INSERT INTO pool_payout_counts (account_id, payouts)
            SELECT NEW.account_id, 1 FROM ledger_accounts a, ledger_entries e
            WHERE a.id = NEW.account_id AND a.code LIKE 'pool:%:paid:%' AND e.seq = NEW.entry_seq
              AND e.kind != 'reserve'
            ON CONFLICT (account_id) DO UPDATE SET payouts = pool_payout_counts.payouts + 1;
            RETURN NULL;
        END $$""",
    """CREATE TRIGGER ledger_postings_count_payouts AFTER INSERT ON ledger_postings
        FOR EACH ROW WHEN (NEW.amount > 0) EXECUTE FUNCTION ledger_postings_count_payouts()""",
]

POSTGRESQL_TRIGGER = [
    """CREATE FUNCTION gifts_count_supporters() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.status = 'paid' AND OLD.monthly_gift_id IS NULL THEN
                UPDATE pool_supporter_counts SET once_paid = once_paid - 1 WHERE pool_id = OLD.pool_id;
            END IF;
            IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.status = 'paid' AND NEW.monthly_gift_id IS NULL THEN
                INSERT INTO pool_supporter_counts (pool_id, once_paid) VALUES (NEW.pool_id, 1)
                ON CONFLICT (pool_id) DO UPDATE SET once_paid = pool_supporter_counts.once_paid + 1;
            END IF;
            RETURN NULL;
        END $$""",
    """CREATE TRIGGER gifts_count_supporters AFTER INSERT OR DELETE OR UPDATE OF status, monthly_gift_id, pool_id
        ON gifts FOR EACH ROW EXECUTE FUNCTION gifts_count_supporters()""",
]


def upgrade() -> None:
    op.create_table(
        "pool_supporter_counts",
        sa.Column("pool_id", sa.Integer(), nullable=False),
        #: paid one-time gifts (monthly donors are counted from their gifts' index)
        sa.Column("once_paid", sa.BigInteger(), nullable=False, server_default="0"),
        sa.ForeignKeyConstraint(["pool_id"], ["pools.id"], name=op.f("fk_pool_supporter_counts_pool_id_pools")),
        sa.PrimaryKeyConstraint("pool_id", name=op.f("pk_pool_supporter_counts")),
    )
    op.execute(
        "INSERT INTO pool_supporter_counts (pool_id, once_paid) SELECT pool_id, COUNT(*) FROM gifts "
        "WHERE gifts.status = 'paid' AND gifts.monthly_gift_id IS NULL GROUP BY pool_id"
    )
    op.create_table(
        "pool_payout_counts",
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("payouts", sa.BigInteger(), nullable=False, server_default="0"),
        sa.ForeignKeyConstraint(
            ["account_id"], ["ledger_accounts.id"], name=op.f("fk_pool_payout_counts_account_id_ledger_accounts")
        ),
        sa.PrimaryKeyConstraint("account_id", name=op.f("pk_pool_payout_counts")),
    )
    op.execute(
        "INSERT INTO pool_payout_counts (account_id, payouts) SELECT p.account_id, COUNT(*) FROM ledger_postings p "
        "JOIN ledger_accounts a ON a.id = p.account_id JOIN ledger_entries e ON e.seq = p.entry_seq "
        "WHERE p.amount > 0 AND a.code LIKE 'pool:%:paid:%' AND e.kind != 'reserve' GROUP BY p.account_id"
    )
    if op.get_bind().dialect.name == "postgresql":
        statements = POSTGRESQL_TRIGGER + POSTGRESQL_PAYOUT_TRIGGER
    else:
        statements = [*SQLITE_TRIGGERS, SQLITE_PAYOUT_TRIGGER]
    for statement in statements:
        op.execute(statement)
    # Monthly donors with a paid month: a range of this index holds only monthly gifts.
    op.create_index("ix_gifts_pool_id_status_monthly_gift_id", "gifts", ["pool_id", "status", "monthly_gift_id"])
    # The newest names donors chose to show: only named gifts are in this index.
    op.create_index(
        "ix_gifts_named_pool_id_paid_at", "gifts", ["pool_id", "paid_at", "id"],
        sqlite_where=sa.text("public_name IS NOT NULL"), postgresql_where=sa.text("public_name IS NOT NULL"),
    )


def downgrade() -> None:
    op.drop_index("ix_gifts_named_pool_id_paid_at", table_name="gifts")
    op.drop_index("ix_gifts_pool_id_status_monthly_gift_id", table_name="gifts")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER ledger_postings_count_payouts ON ledger_postings")
        op.execute("DROP FUNCTION ledger_postings_count_payouts()")
        op.execute("DROP TRIGGER gifts_count_supporters ON gifts")
        op.execute("DROP FUNCTION gifts_count_supporters()")
    else:
        op.execute("DROP TRIGGER ledger_postings_count_payouts")
        for name in ("insert", "update", "delete"):
            op.execute(f"DROP TRIGGER gifts_count_supporters_{name}")
    op.drop_table("pool_payout_counts")
    op.drop_table("pool_supporter_counts")
