"""Peer committees: secure accounts (invitations, Argon2id, TOTP), deny-by-default access,
members' keys made in the browser. See ``access`` for how other areas mark public routes."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Deny by default (the guard and CSRF), the committee pages, jobs and commands."""
    from . import access, jobs  # noqa: F401  (jobs registers the area's jobs)
    from .cli import committee_cli
    from .views import blueprint, join, keys, members, signin  # noqa: F401  (each adds its routes)

    access.init_app(app)
    app.register_blueprint(blueprint)
    app.cli.add_command(committee_cli)
