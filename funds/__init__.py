"""The service: pools, gifts, requests, committees and payouts, booked in ``ledger``."""
