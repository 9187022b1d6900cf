"""The declarative base of the service's models.

It shares the ledger's MetaData, so one Alembic history creates the books and the service's
tables, and the service's tables can refer to ledger entries by foreign key.
"""

from sqlalchemy.orm import DeclarativeBase

from ledger.schema import metadata


class Base(DeclarativeBase):
    metadata = metadata
