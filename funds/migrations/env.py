"""Alembic environment: the engine comes from the app (funds.migrate), never from a file."""

from alembic import context

# every area's tables, registered on the shared metadata
import funds.committees.models  # noqa: F401
import funds.decisions.models  # noqa: F401
import funds.donations.bank.models  # noqa: F401
import funds.donations.models  # noqa: F401
import funds.pools.models  # noqa: F401
import funds.requests.models  # noqa: F401
import funds.transparency.models  # noqa: F401
import ledger.schema  # noqa: F401
from funds.base import Base

config = context.config
engine = config.attributes["engine"]

with engine.connect() as connection:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
    connection.commit()
