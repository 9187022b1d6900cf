"""Registers every decisions page on the blueprint; app.py imports ``blueprint`` from here."""

from . import payout_pages, queue_pages  # noqa: F401  (each adds its routes)
from .blueprint import blueprint

__all__ = ["blueprint"]
