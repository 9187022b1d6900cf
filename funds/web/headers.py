"""The security headers pages carry, and their Content-Security-Policy: one definition, with the
few differences between kinds of page as named parameters.

- recipient pages: nothing but our stylesheet and forms (:data:`RECIPIENT_POLICY`, see
  :mod:`funds.privacy` for the rest of their no-trace headers);
- committee pages: our own scripts, and WebAssembly for libsodium (:data:`COMMITTEE_POLICY`);
- donor and public pages: our own scripts; the card page alone adds Stripe.js (:func:`public_policy`);
- the JSON API: nothing at all (:data:`API_POLICY`).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Response, current_app, g


def content_security_policy(
    *,
    default: str = "'self'",
    scripts: str | None = None,
    connect: str | None = None,
    frames: str | None = None,
    images: str | None = "'self' data:",
    styles: str | None = "'self'",
    forms: bool = True,
) -> str:
    """A policy that allows ``default`` and the named sources, never plugins, other bases or framing."""
    sources = {
        "default-src": default, "script-src": scripts, "connect-src": connect, "frame-src": frames,
        "img-src": images, "style-src": styles,
    }
    directives = [f"{name} {value}" for name, value in sources.items() if value]
    if default != "'none'":
        directives.append("object-src 'none'")
    directives.append("base-uri 'none'")
    if forms:
        directives.append("form-action 'self'")
    directives.append("frame-ancestors 'none'")
    return "; ".join(directives)


RECIPIENT_POLICY = content_security_policy(default="'none'", images="'self'")
#: committee pages show decrypted requests: only our own scripts run ('wasm-unsafe-eval' lets
#: libsodium compile its WebAssembly)
COMMITTEE_POLICY = content_security_policy(scripts="'self' 'wasm-unsafe-eval'")
API_POLICY = content_security_policy(default="'none'", images=None, styles=None, forms=False)


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def public_policy(*, stripe_js_url: str | None = None, stripe_api_base: str | None = None) -> str:
    """Donor and public pages: our own scripts; with Stripe's addresses (the card page), Stripe.js's
    host, its frames and Stripe's API too."""
    if not stripe_js_url:
        return content_security_policy(scripts="'self'", connect="'self'", frames="'self'")
    js, api = _origin(stripe_js_url), _origin(stripe_api_base or stripe_js_url)
    frames = f"{js} https://hooks.stripe.com" if js == "https://js.stripe.com" else js
    connect = f"'self' {api}" if api == js else f"'self' {js} {api}"
    return content_security_policy(scripts=f"'self' {js}", connect=connect, frames=frames)


def loads_stripe() -> None:
    """Mark this response as the card page: its policy lets Stripe.js in."""
    g.ayni_loads_stripe = True


def public_headers(response: Response) -> Response:
    """Every donor, pool and public-books page: our policy, no referrer, no sniffing."""
    if g.get("ayni_loads_stripe"):
        config = current_app.extensions["ayni.config"]
        policy = public_policy(stripe_js_url=config.stripe_js_url, stripe_api_base=config.stripe_api_base)
    else:
        policy = public_policy()
    response.headers.setdefault("Content-Security-Policy", policy)
    response.headers.setdefault("Referrer-Policy", "no-referrer")
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    return response


def committee_headers(response: Response) -> Response:
    """Pages with names, decisions and sealed details: never cached on a shared computer, never framed."""
    response.headers.setdefault("Cache-Control", "no-store")
    response.headers.setdefault("Content-Security-Policy", COMMITTEE_POLICY)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    return response


def api_headers(response: Response) -> Response:
    """The public JSON API: any site may read it (GET only, no credentials); it runs nothing."""
    response.headers.setdefault("Access-Control-Allow-Origin", "*")
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Content-Security-Policy", API_POLICY)
    return response


def every_page_headers(response: Response) -> Response:
    """What every response of the app carries, whatever its area."""
    response.headers.setdefault("Referrer-Policy", "no-referrer")
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    return response
