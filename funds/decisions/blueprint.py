"""The decisions area's blueprint: committee pages under /committee, behind the deny-by-default
guard (nothing here is marked public), with the committee pages' headers."""

from __future__ import annotations

from flask import Blueprint
from flask_babel import format_datetime, format_timedelta
from flask_babel import lazy_gettext as _l

from funds.committees.blueprint import CONTENT_SECURITY_POLICY
from funds.db import get_session

from . import queue

blueprint = Blueprint("decisions", __name__, url_prefix="/committee")
REMINDER_WORDS = {
    "waiting": _l("has waited a long time for a decision."),
    "unpaid": _l("is approved and its money set aside, but not paid yet."),
    "votes-expiring": _l("its votes lapse soon; it needs more members to decide."),
    "votes-expired": _l("its votes lapsed before a decision; it is back in the queue."),
}


@blueprint.after_request
def _committee_headers(response):
    # These pages open sealed contact handles: no caching, no framing, only our own scripts.
    response.headers.setdefault("Cache-Control", "no-store")
    response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    return response


@blueprint.context_processor
def _formatting() -> dict:
    return {"format_datetime": format_datetime, "format_timedelta": format_timedelta}


@blueprint.app_context_processor
def _dashboard() -> dict:
    # The committee dashboard (another area's page) includes decisions/_summary.html, which calls
    # this lazily: other pages pay nothing for it.
    return {"decisions_summary": lambda member: queue.summary(get_session(), member), "reminder_words": REMINDER_WORDS}
