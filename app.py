"""Ayni's application factory: nothing is created at import time."""

from __future__ import annotations

from pathlib import Path

from flask import Flask
from werkzeug.routing import IntegerConverter

from funds import (
    committees,
    db,
    decisions,
    demo,
    donations,
    i18n,
    json_logs,
    logs,
    operations,
    pools,
    public,
    ratelimit,
    requests,
    transparency,
    web,
)
from funds.cli import db_cli
from funds.config import Config


class RowNumber(IntegerConverter):
    """``<int:...>`` in an address: a number larger than any id column holds names nothing (a 404,
    not a database overflow). Row ids are 32-bit ``INTEGER`` columns on PostgreSQL; a route about
    the books' size names its own bound (``<int(max=...):size>``)."""

    def __init__(
        self, url_map, fixed_digits: int = 0, min: int | None = None, max: int | None = 2**31 - 1, signed: bool = False
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
    # The service core, then each area, lowest layer first (README, "Layout"). Each area registers
    # its own blueprints, jobs and commands; none reaches into another's.
    i18n.init_app(app)
    web.init_app(app)
    ratelimit.init_app(app)
    logs.init_app(app)
    json_logs.init_app(app)
    app.cli.add_command(db_cli)
    for area in (committees, pools, requests, decisions, donations, transparency, operations, public, demo):
        area.init_app(app)
    return app
