"""The ledger's tables (SQLAlchemy Core) and the triggers that make them append-only.

The service's migrations create these tables; the service's models share ``metadata`` so that
one Alembic history covers both.
"""

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    SmallInteger,
    String,
    Table,
    Text,
)

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

accounts = Table(
    "ledger_accounts",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("code", String(200), nullable=False, unique=True),
    Column("currency", String(3), nullable=False),
    Column("type", String(12), nullable=False),
    Column("floor_zero", Boolean, nullable=False),
    # The current balances, kept in the same transaction as the postings that change them.
    Column("balance", BigInteger, nullable=False, default=0),
    #: money promised by open reservations, counted against the available balance
    Column("held", BigInteger, nullable=False, default=0),
    # The database itself refuses an overdraw, whatever code path tried it.
    CheckConstraint("NOT floor_zero OR balance - held >= 0", name="not_below_zero"),
    CheckConstraint("held >= 0", name="held_not_negative"),
)

entries = Table(
    "ledger_entries",
    metadata,
    #: position of the entry's leaf in the Merkle tree, 0-based and gapless
    Column("seq", BigInteger, primary_key=True, autoincrement=False),
    Column("key", String(200), nullable=False, unique=True),
    Column("kind", String(10), nullable=False),
    #: the day only: the public books must not let anyone match a minute to a person; indexed
    #: because the public books end where the current day's entries begin
    Column("booked_on", Date, nullable=False, index=True),
    #: canonical JSON of the entry's public details
    Column("meta", Text, nullable=False),
    #: for settle and void entries, the reservation they close; unique, so it closes once
    Column("reservation", BigInteger, ForeignKey("ledger_entries.seq"), unique=True),
    Column("leaf_hash", LargeBinary(32), nullable=False),
)

postings = Table(
    "ledger_postings",
    metadata,
    Column("entry_seq", BigInteger, ForeignKey("ledger_entries.seq"), primary_key=True),
    Column("position", SmallInteger, primary_key=True, autoincrement=False),
    Column("account_id", Integer, ForeignKey("ledger_accounts.id"), nullable=False),
    Column("amount", BigInteger, nullable=False),
    # an account's postings in order: its history, or only what came after some entry (today's),
    # is a range of this index rather than every posting the account ever had
    Index("ix_ledger_postings_account_id_entry_seq", "account_id", "entry_seq"),
)

#: the lowest level of complete subtree kept in ledger_tree_nodes. A node below it is hashed again
#: from its 2, 4 or 8 leaf hashes (ledger_entries.leaf_hash) when a proof needs it, so a booking
#: writes nodes once in 16 entries rather than every other one, and a proof still costs O(log n).
LOWEST_STORED_LEVEL = 4

#: every complete subtree of level >= LOWEST_STORED_LEVEL (books made before this rule also hold
#: levels 1 to 3, which are not read)
tree_nodes = Table(
    "ledger_tree_nodes",
    metadata,
    Column("level", SmallInteger, primary_key=True, autoincrement=False),
    Column("idx", BigInteger, primary_key=True, autoincrement=False),
    Column("hash", LargeBinary(32), nullable=False),
)

#: one row: the tree's size and right edge (its root is hashed from the edge when asked, not
#: stored: derivable, and every booking would pay for it); locking it orders all appends
tree_head = Table(
    "ledger_tree_head",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("size", BigInteger, nullable=False),
    Column("frontier", LargeBinary, nullable=False),
    CheckConstraint("id = 1", name="single_row"),
)

checkpoints = Table(
    "ledger_checkpoints",
    metadata,
    Column("size", BigInteger, primary_key=True, autoincrement=False),
    Column("root", LargeBinary(32), nullable=False),
    #: the signed note, exactly as published
    Column("note", Text, nullable=False),
    Column("signed_at", DateTime(timezone=True), nullable=False),
)

APPEND_ONLY_TABLES = ("ledger_entries", "ledger_postings", "ledger_tree_nodes", "ledger_checkpoints")


def append_only_ddl(dialect: str) -> list[str]:
    """Statements that make the database itself refuse UPDATE and DELETE on the books."""
    statements: list[str] = []
    if dialect == "postgresql":
        statements.append(
            "CREATE OR REPLACE FUNCTION ledger_refuse_change() RETURNS trigger AS $$ "
            "BEGIN RAISE EXCEPTION 'the ledger is append-only: % on % refused', TG_OP, TG_TABLE_NAME "
            "USING ERRCODE = 'raise_exception'; END; $$ LANGUAGE plpgsql"
        )
        for table in APPEND_ONLY_TABLES:
            statements.append(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change()"
            )
            statements.append(
                f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
                "FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change()"
            )
    elif dialect == "sqlite":
        for table in APPEND_ONLY_TABLES:
            for operation in ("UPDATE", "DELETE"):
                statements.append(
                    f"CREATE TRIGGER {table}_no_{operation.lower()} BEFORE {operation} ON {table} "
                    f"BEGIN SELECT RAISE(ABORT, 'the ledger is append-only: {operation} on {table} refused'); END"
                )
    else:
        raise ValueError(f"no append-only triggers written for {dialect}")
    return statements


def drop_append_only_ddl(dialect: str) -> list[str]:
    """The reverse of :func:`append_only_ddl`, for downgrades."""
    if dialect == "postgresql":
        statements = [f"DROP TRIGGER IF EXISTS {t}_append_only ON {t}" for t in APPEND_ONLY_TABLES]
        statements += [f"DROP TRIGGER IF EXISTS {t}_no_truncate ON {t}" for t in APPEND_ONLY_TABLES]
        return statements + ["DROP FUNCTION IF EXISTS ledger_refuse_change()"]
    return [f"DROP TRIGGER IF EXISTS {t}_no_{op} " for t in APPEND_ONLY_TABLES for op in ("update", "delete")]
