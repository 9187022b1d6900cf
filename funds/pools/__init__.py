"""Pools: the funds donors give to and committees grant from."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """A coordinator's pages for creating and editing pools."""
    from .views import blueprint

    app.register_blueprint(blueprint)
