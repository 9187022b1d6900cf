"""Alembic environment: the engine comes from the app (funds.migrate), never from a file."""

from alembic import context

import funds.models  # noqa: F401  (registers every table on the shared metadata)
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
