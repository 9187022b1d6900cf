"""Imports every area's models so the shared metadata knows every table (for Alembic)."""

import ledger.schema  # noqa: F401
from funds.committees import models as committees_models  # noqa: F401
from funds.decisions import models as decisions_models  # noqa: F401
from funds.donations import models as donations_models  # noqa: F401
from funds.pools import models as pools_models  # noqa: F401
from funds.requests import models as requests_models  # noqa: F401
from funds.transparency import models as transparency_models  # noqa: F401
