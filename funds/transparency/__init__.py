"""Transparency: the public ledger, its signed checkpoints and proofs, exports, the impact report.

Everything public is cut at one horizon (:mod:`.horizon`): the entries booked before the
current UTC day. Page, API, exports, checkpoints and proofs all stop there, so a payout booked
today cannot be timed to the hour by anyone watching, and the published prefix is still a
Merkle tree that ``python -m ledger.verify`` checks against a signed checkpoint.
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """The public ledger pages and API, the impact report, 360Giving data, checkpoints and ``flask ledger``."""
    from . import jobs  # noqa: F401  (registers the checkpoint job)
    from .cli import ledger_cli

    # importing the view modules adds their routes to the blueprints
    from .views import annual, api, api_blueprint, blueprint, committee, giving, pages, witnesses  # noqa: F401

    app.register_blueprint(blueprint)
    app.register_blueprint(api_blueprint)
    app.cli.add_command(ledger_cli)
