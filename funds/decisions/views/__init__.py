"""The decisions area's blueprint: committee pages under /committee, behind the deny-by-default
guard (nothing here is marked public), with the committee pages' headers."""

from __future__ import annotations

from flask import Blueprint
from flask_babel import lazy_gettext as _l

from funds.web.headers import committee_headers

blueprint = Blueprint("decisions", __name__, url_prefix="/committee")
REMINDER_WORDS = {
    "waiting": _l("has waited a long time for a decision."),
    "unpaid": _l("is approved and its money set aside, but not paid yet."),
    "votes-expiring": _l("its votes lapse soon; it needs more members to decide."),
    "votes-expired": _l("its votes lapsed before a decision; it is back in the queue."),
}

blueprint.after_request(committee_headers)


@blueprint.context_processor
def _reminder_words() -> dict:
    return {"reminder_words": REMINDER_WORDS}
