"""Transparency: the public ledger, its signed checkpoints and proofs, exports, the impact report.

Everything public is cut at one horizon (:mod:`.horizon`): the entries booked before the
current UTC day. Page, API, exports, checkpoints and proofs all stop there, so a payout booked
today cannot be timed to the hour by anyone watching, and the published prefix is still a
Merkle tree that ``python -m ledger.verify`` checks against a signed checkpoint.
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """The public ledger pages and API, the impact report, checkpoints and ``flask ledger``."""
    from . import api as api_routes  # noqa: F401  (adds the API's routes)
    from . import committee_pages, jobs, pages  # noqa: F401  (add routes; jobs registers its job)
    from .blueprint import api
    from .blueprint import pages as pages_blueprint
    from .cli import ledger_cli

    app.register_blueprint(pages_blueprint)
    app.register_blueprint(api)
    app.cli.add_command(ledger_cli)
