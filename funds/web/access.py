"""Marks that open a route to everyone, and the app's CSRF protection.

Every route needs a signed-in committee member unless it is marked here (the guard that enforces
it lives in :mod:`funds.committees.access`, which also offers ``committee_required``):

- a whole blueprint that serves the public (donors, recipients, the ledger API)::

      blueprint = public_blueprint(Blueprint("requests", __name__))

- one public view in an otherwise private blueprint::

      @blueprint.get("/committee/login")
      @public
      def login(): ...
"""

from __future__ import annotations

from collections.abc import Callable

from flask import request
from flask_wtf import csrf as flask_wtf_csrf

PUBLIC = "ayni_public"


def public(view: Callable) -> Callable:
    """Mark one view as open to everyone."""
    setattr(view, PUBLIC, True)
    return view


def public_blueprint(blueprint):
    """Mark every view of ``blueprint`` (and blueprints nested in it) as open to everyone."""
    setattr(blueprint, PUBLIC, True)
    return blueprint


class CSRFProtect(flask_wtf_csrf.CSRFProtect):
    """Flask-WTF's, reading tokens only from real forms: Ayni's forms are never sent as JSON (which
    FlaskForm would read as a form, and fail on anything but an object of strings), and a multipart
    part without a name (a field named None, which Flask-WTF's token search trips over) is no form.
    Either has no token: a 400, not a 500."""

    def _get_csrf_token(self):
        if request.is_json or None in request.form:
            return None
        return super()._get_csrf_token()


#: the app's CSRFProtect: ``csrf.exempt(view)`` for a webhook that authenticates itself by
#: signature, or a blueprint that checks its own tokens (recipient pages, :mod:`funds.privacy`)
csrf = CSRFProtect()
