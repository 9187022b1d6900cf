"""The transparency area's blueprints: public pages, and the public ledger API under /api/v1.

Both are open to everyone (deny-by-default lets marked blueprints through); the one committee
page here carries its own guard. Nothing on them is personal, so responses may be cached for a
few minutes; they set no cookie and load nothing from other sites.
"""

from __future__ import annotations

from flask import Blueprint, Response, jsonify

from funds.web.access import public_blueprint
from funds.web.headers import api_headers, public_headers
from ledger.errors import LedgerError

from ..params import ParameterError

blueprint = public_blueprint(Blueprint("transparency", __name__))
api_blueprint = public_blueprint(Blueprint("ledger_api", __name__, url_prefix="/api/v1"))
#: the public books change once a day; a few minutes of caching spares the database
PUBLIC_CACHE = "public, max-age=300"


@blueprint.after_request
def _page_headers(response: Response) -> Response:
    response.headers.setdefault("Cache-Control", PUBLIC_CACHE)
    # The language comes from ?lang= or the browser's preference: a shared cache must keep them apart.
    response.vary.add("Accept-Language")
    return public_headers(response)


@api_blueprint.after_request
def _api_headers(response: Response) -> Response:
    # Public data: any site, and any witness's script, may read it.
    response.headers.setdefault("Cache-Control", PUBLIC_CACHE)
    return api_headers(response)


@api_blueprint.errorhandler(ParameterError)
def _bad_parameter(error: ParameterError):
    return error.response()


@api_blueprint.errorhandler(LedgerError)
def _ledger_refused(error: LedgerError):
    return jsonify(error="refused", reason=str(error)), 400


@api_blueprint.errorhandler(404)
def _not_found(_error):
    return jsonify(error="not_found", reason="there is nothing public at this address"), 404


def not_public(what: str):
    """The same answer whether the thing exists unpublished or not at all."""
    return jsonify(error="not_found", reason=f"{what} is not in the public ledger (yet)"), 404
