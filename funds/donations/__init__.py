"""Donations: gifts online through Stripe (once or monthly), offline gifts, receipts.

No transaction is held open across a call to Stripe: a gift's row is committed before Stripe
is asked anything (so every request can carry an idempotency key made from the row's id),
and webhooks read what they need from Stripe before they take the books' lock.
"""
