"""Rate limits without surveillance.

Flask-Limiter counts per *HMAC of the client address* under a 32-byte key that lives only in
this process's memory and is replaced every day: the counters never hold an address, a copy of
them cannot be matched to addresses once the day's key is gone, and nothing is written to disk
(``memory://`` storage). Each gunicorn worker keeps its own key and counters, so a deployment's
effective limit is the configured one times its workers: acceptable for slowing abuse, and the
price of never sharing an address-derived key outside one process.

Behind a reverse proxy, set AYNI_PROXY_COUNT so the address is the client's, not the proxy's
(werkzeug's ProxyFix); the proxy itself must not log addresses either.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
from collections.abc import Callable
from datetime import UTC, date, datetime

from flask import Flask, request
from flask_limiter import Limiter
from werkzeug.middleware.proxy_fix import ProxyFix

#: app.extensions key of a ``() -> date`` giving today's UTC date, read at every count (tests move it)
CLOCK = "ayni.ratelimit.today"

def utc_today() -> date:
    return datetime.now(UTC).date()


class DailyKey:
    """The in-memory key that turns an address into an unlinkable counter name.

    ``today`` says which UTC day it is; the first count on a new day replaces the key.
    """

    def __init__(self, today: Callable[[], date] = utc_today) -> None:
        self._today = today
        self._lock = threading.Lock()
        self._on_rotate: list = []
        self._key = secrets.token_bytes(32)
        self._day = today()

    def on_rotate(self, callback) -> None:
        self._on_rotate.append(callback)

    def rotate(self, today: date | None = None) -> None:
        """Forget the key (and, through callbacks, every counter made with it)."""
        with self._lock:
            self._key = secrets.token_bytes(32)
            self._day = today or self._today()
        for callback in self._on_rotate:
            callback()

    def counter_name(self, address: str) -> str:
        today = self._today()
        if today != self._day:
            self.rotate(today)
        return hmac.new(self._key, address.encode("utf-8"), hashlib.sha256).hexdigest()


def init_app(app: Flask) -> Limiter:
    """Trust the configured proxies and start the address-free limiter; areas then limit their
    views with :func:`limit`."""
    config = app.extensions["ayni.config"]
    if config.proxy_count:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=config.proxy_count)
    key = DailyKey(lambda: app.extensions.get(CLOCK, utc_today)())

    def client_counter() -> str:
        return key.counter_name(request.remote_addr or "unknown")

    limiter = Limiter(
        client_counter,
        app=app,
        storage_uri="memory://",
        strategy="fixed-window",
        headers_enabled=False,
    )
    key.on_rotate(limiter.reset)
    app.extensions["ayni.rate_key"] = key
    app.extensions["ayni.limiter"] = limiter
    return limiter


def limit(app: Flask, endpoint: str, limit_value: str, *, scope: str, only_accepted: bool = False) -> None:
    """Limit the POSTs to the registered view ``endpoint`` per address-free counter. Views sharing
    a ``scope`` share one count; ``only_accepted`` counts only answers below 400 (a form sent
    back with a mistake costs nothing)."""
    limiter: Limiter = app.extensions["ayni.limiter"]
    shared = limiter.shared_limit(
        limit_value, scope=scope, methods=["POST"],
        deduct_when=(lambda response: response.status_code < 400) if only_accepted else None,
    )
    app.view_functions[endpoint] = shared(app.view_functions[endpoint])
