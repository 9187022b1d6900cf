"""The committee area's blueprint: every page carries the committee pages' headers."""

from __future__ import annotations

from flask import Blueprint

from funds.web.headers import committee_headers

blueprint = Blueprint("committees", __name__, url_prefix="/committee")
blueprint.after_request(committee_headers)
