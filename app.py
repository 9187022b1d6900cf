"""Ayni's application factory: nothing is created at import time."""

from __future__ import annotations

from pathlib import Path

from flask import Flask

from funds import db, i18n
from funds.config import Config


def create_app(config: Config | None = None) -> Flask:
    """Build the app from ``config`` (default: the environment)."""
    config = config or Config.from_env()
    app = Flask(__name__, template_folder="templates", static_folder="static")
    app.config.update(SECRET_KEY=config.secret_key, TESTING=config.testing)
    app.extensions["ayni.config"] = config
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(Path(__file__).resolve().parent / "funds" / "translations")
    db.init_app(app, db.make_engine(config.database_url))
    i18n.init_app(app)

    from funds.cli import db_cli, dev_command, ledger_cli
    from funds.scheduler import scheduler_command
    from funds.public import views as public_views

    app.register_blueprint(public_views.blueprint)
    app.cli.add_command(ledger_cli)
    app.cli.add_command(db_cli)
    app.cli.add_command(dev_command)
    app.cli.add_command(scheduler_command)
    return app
