"""``flask --app app db ...``: the schema."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from . import migrate

db_cli = AppGroup("db", help="Database schema.")


@db_cli.command("upgrade")
def upgrade_command() -> None:
    """Apply every migration."""
    migrate.upgrade(current_app.extensions["ayni.engine"])
    click.echo("database is up to date")
