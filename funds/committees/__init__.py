"""Peer committees: secure accounts (invitations, Argon2id, TOTP), deny-by-default access,
members' keys made in the browser. See ``access`` for how other areas mark public routes."""
