"""Transparency: the public ledger, its signed checkpoints and proofs, exports, the impact report.

Everything public is cut at one horizon (:mod:`.horizon`): the entries booked before the
current UTC day. Page, API, exports, checkpoints and proofs all stop there, so a payout booked
today cannot be timed to the hour by anyone watching, and the published prefix is still a
Merkle tree that ``python -m ledger.verify`` checks against a signed checkpoint.
"""
