"""Running Ayni in production: the health endpoint, backup and restore, structured logs and the
lock that keeps the scheduler to one process. The README's "Deploying on PostgreSQL with several
workers" says how the pieces fit."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from . import health, json_logs
    from .cli import backup_command, restore_command

    app.register_blueprint(health.blueprint)
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
    json_logs.init_app(app)
