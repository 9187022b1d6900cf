"""Registers every committee page on the blueprint; app.py imports ``blueprint`` from here."""

from . import join_pages, key_pages, member_pages, signin_pages  # noqa: F401  (each adds its routes)
from .blueprint import blueprint

__all__ = ["blueprint"]
