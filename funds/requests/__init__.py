"""Requests: people ask for support with no account, no name and no proof, and check back with a
codename. What they write is sealed to the committee's keys before it is stored."""
