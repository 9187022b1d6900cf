"""Registers the transparency routes; app.py imports the blueprints from here."""

from . import api as api_routes  # noqa: F401  (adds the API's routes)
from . import committee_pages, pages  # noqa: F401  (add the pages' routes)
from .blueprint import api
from .blueprint import pages as pages_blueprint

__all__ = ["api", "pages_blueprint"]
