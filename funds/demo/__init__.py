"""The demo fund a newcomer clicks through (``flask --app app dev``): the Warsaw peer committee's
pools, three weeks of their books, and members who can sign in. Never in production."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from .cli import dev_command

    app.cli.add_command(dev_command)
