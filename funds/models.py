"""Imports every area's models so the shared metadata knows every table (for Alembic)."""

import ledger.schema  # noqa: F401
from funds.pools import models as pools_models  # noqa: F401
