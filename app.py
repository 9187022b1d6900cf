"""Ayni's application factory: nothing is created at import time."""

from __future__ import annotations

from pathlib import Path

from flask import Flask
from werkzeug.routing import IntegerConverter

from funds import db, i18n, money
from funds.config import Config


class RowNumber(IntegerConverter):
    """``<int:...>`` in an address: a number larger than any id column holds names nothing (a 404,
    not a database overflow)."""

    def __init__(
        self, url_map, fixed_digits: int = 0, min: int | None = None, max: int | None = 2**63 - 1, signed: bool = False
    ):
        super().__init__(url_map, fixed_digits, min, max, signed)


def create_app(config: Config | None = None) -> Flask:
    """Build the app from ``config`` (default: the environment)."""
    config = config or Config.from_env()
    app = Flask(__name__, template_folder="templates", static_folder="static")
    app.url_map.converters["int"] = RowNumber
    app.config.update(SECRET_KEY=config.secret_key, TESTING=config.testing)
    app.extensions["ayni.config"] = config
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(Path(__file__).resolve().parent / "funds" / "translations")
    db.init_app(app, db.make_engine(config.database_url))
    i18n.init_app(app)
    money.init_app(app)
    # Deny by default: after this, every route needs a signed-in committee member unless its
    # area marks it public (funds/committees/access.py says how). Also installs CSRFProtect.
    from funds.committees import access as committee_access

    committee_access.init_app(app)

    from funds.cli import db_cli, dev_command, ledger_cli
    from funds.committees import jobs as committee_jobs  # noqa: F401  (registers its job)
    from funds.committees.cli import committee_cli
    from funds.committees.views import blueprint as committees_blueprint
    from funds.public import views as public_views
    from funds.requests import retention as request_retention  # noqa: F401  (registers its job)
    from funds.requests import views as request_views
    from funds.requests.keys_cli import add_key_command
    from funds.scheduler import scheduler_command

    app.register_blueprint(public_views.blueprint)
    app.register_blueprint(committees_blueprint)
    app.register_blueprint(request_views.blueprint)
    # Committees deciding and paying: the queue, votes, the waitlist, payouts and their jobs.
    from funds.decisions import jobs as decision_jobs  # noqa: F401  (registers its jobs)
    from funds.decisions import views as decision_views

    app.register_blueprint(decision_views.blueprint)
    # Donors: pools, giving through Stripe, receipts, the Stripe webhook and its reconciliation job.
    from funds.donations import jobs as donation_jobs  # noqa: F401  (registers its job)
    from funds.donations import views as donation_views
    from funds.pools import committee_views as pool_committee_views  # noqa: F401  (adds its routes)
    from funds.pools import views as pool_views

    app.register_blueprint(pool_views.blueprint)
    app.register_blueprint(donation_views.blueprint)
    # Anyone: the public ledger, its checkpoints, proofs and exports, and the impact report.
    from funds.transparency import jobs as transparency_jobs  # noqa: F401  (registers its job)
    from funds.transparency import views as transparency_views

    app.register_blueprint(transparency_views.pages_blueprint)
    app.register_blueprint(transparency_views.api)
    # Recipient pages: no-trace headers, cookie-free forms, address-free rate limits and logs.
    from funds import logs, privacy, ratelimit

    privacy.init_app(app)
    ratelimit.init_app(app)
    logs.init_app(app)
    # Operations: /healthz, backup and restore, JSON logs (AYNI_LOG_FORMAT=json).
    from funds import operations

    operations.init_app(app)
    committee_cli.add_command(add_key_command)
    app.cli.add_command(committee_cli)
    app.cli.add_command(ledger_cli)
    app.cli.add_command(db_cli)
    app.cli.add_command(dev_command)
    app.cli.add_command(scheduler_command)
    return app
