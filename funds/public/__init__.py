"""Pages anyone may see: what Ayni is, the pools, the books."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from .views import blueprint

    app.register_blueprint(blueprint)
