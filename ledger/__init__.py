"""Ayni's books: a plain-Python double-entry ledger whose entries are leaves of a Merkle tree.

No Flask and no Stripe here: the service calls these functions with a SQLAlchemy session.
"""
