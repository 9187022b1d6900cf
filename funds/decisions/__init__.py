"""Committees deciding and paying: votes, quorum, fast track, reservations, the waitlist,
payouts, vouchers and reminders."""
