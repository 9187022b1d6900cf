"""Requests: people ask for support with no account, no name and no proof, and check back with a
codename. What they write is sealed to the committee's keys before it is stored."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """The recipient pages, their address-free rate limits, and the retention job."""
    from funds import ratelimit

    from . import jobs  # noqa: F401  (registers the purge job)
    from .views import blueprint

    app.register_blueprint(blueprint)
    config = app.extensions["ayni.config"]
    # accepted requests count against one limit; every codename look-up against another
    ratelimit.limit(app, "requests.ask", config.request_rate_limit, scope="ask", only_accepted=True)
    for endpoint in ("requests.confirm", "requests.status", "requests.withdraw"):
        ratelimit.limit(app, endpoint, config.status_rate_limit, scope="codename")
