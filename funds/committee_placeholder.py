"""PLACEHOLDER for committee sign-in: one shared password guards the committee's pages here.

Creating and editing pools and recording offline gifts are committee work. Until the committee
sign-in issue lands (login, 2FA, every query scoped to the member's committee), these routes
ask for ``AYNI_COMMITTEE_PLACEHOLDER_KEY`` as an HTTP Basic password (any user name), and with
no key configured they are closed to everyone: deny by default. That issue replaces
:func:`committee_placeholder_required` wherever it is used.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable
from functools import wraps

from flask import Response, current_app, request
from flask_babel import gettext as _


def committee_placeholder_required(view: Callable) -> Callable:
    """Refuse the request unless it carries the placeholder committee password."""

    @wraps(view)
    def guarded(*args, **kwargs):
        key = current_app.extensions["ayni.config"].committee_placeholder_key
        if not key:
            return Response(_("Committee pages are closed until committee sign-in is set up."), 403,
                            mimetype="text/plain")
        auth = request.authorization
        given = (auth.password or "") if auth is not None and auth.type == "basic" else ""
        if not hmac.compare_digest(given.encode(), key.encode()):
            return Response(
                _("Committee pages need the committee's password."), 401,
                {"WWW-Authenticate": 'Basic realm="Ayni committee", charset="UTF-8"'}, mimetype="text/plain",
            )
        return view(*args, **kwargs)

    return guarded
