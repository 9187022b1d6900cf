"""The donations blueprint: giving, the card step, receipts, monthly gifts, offline gifts, the webhook."""

from . import giving_views, offline_views, receipt_views, webhook  # noqa: F401  (they add routes)
from .pages import blueprint

__all__ = ["blueprint"]
