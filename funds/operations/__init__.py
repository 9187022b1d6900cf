"""Running Ayni in production: the health endpoint, backup and restore, and the scheduler with
the lock that keeps it to one process. docs/operations.md ("Deploying on PostgreSQL with several
workers") says how the pieces fit."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """/healthz, ``flask backup``, ``flask restore`` and ``flask scheduler``."""
    from . import views
    from .cli import backup_command, restore_command, scheduler_command

    app.register_blueprint(views.blueprint)
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
    app.cli.add_command(scheduler_command)
