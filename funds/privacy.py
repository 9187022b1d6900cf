"""No trace on recipient pages: headers that keep pages out of caches, referrers and frames, and
form protection that needs no cookie.

Why no cookie: a cookie is an identifier a seized browser or a shared phone keeps. Recipient
pages have no sign-in, so there is no ambient authority for a forged cross-site form to abuse;
what protection is worth having works without state:

- **Origin check**: a browser says where a form was sent from (``Sec-Fetch-Site`` in every
  browser since 2020-2023, ``Origin`` on every cross-origin POST). A POST that says it came from
  another site is refused. Old browsers that send neither are let through: refusing them would
  lock out the cheap phones this service is for, and they gain an attacker nothing.
- **Signed form token**: every form carries ``timestamp.HMAC(secret, form name, timestamp)``
  (itsdangerous). A post must come from a form this server rendered, for this purpose, within
  FORM_MAX_AGE; it carries no identity and is never stored.

Flask-WTF's default CSRF keeps a token in the session cookie, so recipient blueprints are
exempt from the app's CSRFProtect and their forms use :class:`SignedFormToken` instead.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, current_app, request
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from wtforms import ValidationError
from wtforms.csrf.core import CSRF

from funds.web.access import csrf
from funds.web.headers import RECIPIENT_POLICY

#: long enough for someone on a slow phone to write a note between other things
FORM_MAX_AGE = 6 * 3600
NO_TRACE_HEADERS = {
    "Cache-Control": "no-store, max-age=0",
    "Pragma": "no-cache",
    "Expires": "0",
    "Content-Security-Policy": RECIPIENT_POLICY,
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}


EXPIRED = _l("This page was open for a long time. Please check the form and send it again.")
UNCHECKED = _l("This form could not be checked. Please open the page again and resend it.")


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt=f"ayni-form:{purpose}")


def came_from_another_site() -> bool:
    """Whether the browser told us this request was sent by another site's page."""
    if request.headers.get("Sec-Fetch-Site", "same-origin") not in ("same-origin", "none"):
        return True
    origin = request.headers.get("Origin")
    if origin is None or origin == "null":
        # "null" comes from privacy-minded browsers and sandboxed frames; frames are denied anyway
        return False
    ours = urlsplit(request.host_url)
    theirs = urlsplit(origin)
    return (theirs.scheme, theirs.netloc) != (ours.scheme, ours.netloc)


class SignedFormToken(CSRF):
    """A WTForms CSRF implementation with no session: see the module's docstring."""

    def setup_form(self, form):
        # forms that post to the same place share a purpose (the status page's forms)
        self.purpose = getattr(form, "signing_purpose", type(form).__name__)
        return super().setup_form(form)

    def generate_csrf_token(self, csrf_token_field) -> str:
        return _serializer(self.purpose).dumps("form")

    def validate_csrf_token(self, form, field) -> None:
        if came_from_another_site():
            raise ValidationError(_l("This form was sent from another website, so it was not accepted."))
        try:
            _serializer(self.purpose).loads(field.data or "", max_age=FORM_MAX_AGE)
        except SignatureExpired:
            raise ValidationError(EXPIRED) from None
        except BadSignature:
            raise ValidationError(UNCHECKED) from None


def no_trace(response):
    """Keep a recipient page out of caches, history restores, referrers, frames and trackers."""
    for name, value in NO_TRACE_HEADERS.items():
        response.headers[name] = value
    response.headers.pop("Last-Modified", None)
    response.headers.pop("ETag", None)
    return response


def protect(blueprint: Blueprint) -> Blueprint:
    """Give every response of ``blueprint`` the no-trace headers, and exempt it from the
    cookie-based CSRFProtect (its forms check signed tokens and origins themselves)."""
    blueprint.after_request(no_trace)
    csrf.exempt(blueprint)
    return blueprint
