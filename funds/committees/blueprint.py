"""The committee area's blueprint and the headers every committee page carries."""

from __future__ import annotations

from flask import Blueprint

blueprint = Blueprint("committees", __name__, url_prefix="/committee")

#: Committee pages show decrypted requests: only our own scripts run ('wasm-unsafe-eval' lets
#: libsodium compile its WebAssembly), nothing may frame them, forms post only to us.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)


@blueprint.after_request
def _committee_headers(response):
    # Pages with names and decisions must not linger in shared computers' caches.
    response.headers.setdefault("Cache-Control", "no-store")
    response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    return response
