"""Deny by default: every route needs a committee member signed in with password and code,
unless it is marked public.

An area marks its public routes with :mod:`funds.web.access` (``public_blueprint``, ``@public``),
at import time, in its own module; the guard reads the marks at request time, so blueprints
registered later are covered without touching this file. A committee-only view, even inside a
public blueprint (recording an offline gift in the donations area)::

      @blueprint.post("/pools/<int:pool_id>/edit")
      @committee_required(role="coordinator")
      def edit_pool(pool_id): ...

  Roles rank member < treasurer < coordinator: a coordinator may do what a treasurer may, so a
  small committee is never stuck when its treasurer is away; the ledger records who did it.

An unmarked route anywhere is refused to anyone not fully signed in: anonymous GETs are sent to
the sign-in page, other methods get 401. tests/committees/test_authorization_matrix.py walks
``app.url_map`` so a new unmarked route is checked automatically.

Inside committee views, load objects through :mod:`funds.committees.scope` (and
:mod:`funds.pools.scope`), which answer 404 for other committees' objects.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

from flask import Flask, abort, current_app, flash, g, redirect, request, session, url_for
from flask_babel import gettext as _

from funds import i18n
from funds.clock import now
from funds.committees.models import Member
from funds.db import get_session
from funds.web.access import PUBLIC, csrf

from . import browser_sessions
from .models import ROLES, MemberAccount

COMMITTEE_ONLY = "ayni_committee_only"
SIGNING_IN = "ayni_signing_in"
ROLE_RANK = {role: rank for rank, role in enumerate(ROLES)}
TOKEN_KEY = "committee_session"  # noqa: S105 - a cookie key name, not a secret
SEEN_KEY = "committee_seen"
#: rewrite the "last seen" time in the cookie at most this often (seconds)
SEEN_GRANULARITY = 15


def while_signing_in(view: Callable) -> Callable:
    """A step of signing in (the code, enrolment, sign-out): open to a half-signed-in member."""
    setattr(view, SIGNING_IN, True)
    return view


def committee_required(view: Callable | None = None, *, role: str = "member"):
    """Require a fully signed-in member holding at least ``role``; usable bare or with a role."""
    if role not in ROLE_RANK:
        raise ValueError(f"unknown role {role!r}; roles are {', '.join(ROLES)}")

    def decorate(func: Callable) -> Callable:
        @functools.wraps(func)
        def checked(*args, **kwargs):
            visit = current_visit()
            if visit is None or not visit.complete:
                return refuse_stranger()
            if not holds_role(visit.member, role):
                abort(403)
            return func(*args, **kwargs)

        setattr(checked, COMMITTEE_ONLY, True)
        # wraps() copied the function's marks; a committee-only view is never public
        if hasattr(checked, PUBLIC):
            delattr(checked, PUBLIC)
        checked.ayni_role = role
        return checked

    return decorate(view) if view is not None else decorate


def holds_role(member: Member, role: str) -> bool:
    """Whether ``member`` may do what ``role`` may (templates use it to offer only what works)."""
    return ROLE_RANK[member.role] >= ROLE_RANK[role]


def is_public(app: Flask, endpoint: str) -> bool:
    """Whether the guard lets anyone reach ``endpoint`` (the authorization test uses this too)."""
    if endpoint == "static" or endpoint.endswith(".static"):
        return True
    view = app.view_functions.get(endpoint)
    if view is None or getattr(view, COMMITTEE_ONLY, False):
        return False
    if getattr(view, PUBLIC, False):
        return True
    parts = endpoint.split(".")[:-1]
    for depth in range(1, len(parts) + 1):
        blueprint = app.blueprints.get(".".join(parts[:depth]))
        if blueprint is not None and getattr(blueprint, PUBLIC, False):
            return True
    return False


@dataclass
class Visit:
    """The signed-in member of this request."""

    token: str
    member: Member
    account: MemberAccount
    #: password and code both given (and the second factor enrolled)
    complete: bool


def current_visit() -> Visit | None:
    """This request's signed-in member, checking the idle and absolute limits once per request."""
    if "visit" not in g:
        g.visit = _load_visit()
    return g.visit


def current_member() -> Member:
    """The fully signed-in member; views behind the guard can rely on it."""
    visit = current_visit()
    if visit is None or not visit.complete:
        abort(401)
    return visit.member


def sign_in(member_id: int, *, two_factor: bool) -> None:
    """Start a new session: drop everything the old cookie carried, then issue a fresh token."""
    old_token = session.get(TOKEN_KEY)
    if old_token:
        browser_sessions.end(get_session(), old_token)
    lang = i18n.chosen_language() or session.get(i18n.SESSION_KEY)
    session.clear()
    if lang:
        session[i18n.SESSION_KEY] = lang
    session[TOKEN_KEY] = browser_sessions.start(get_session(), member_id, two_factor=two_factor, moment=now())
    session[SEEN_KEY] = int(time.time())
    g.pop("visit", None)


def sign_out() -> None:
    token = session.get(TOKEN_KEY)
    if token:
        browser_sessions.end(get_session(), token)
    session.clear()
    g.pop("visit", None)


def refuse_stranger():
    """Send a browser to sign in; refuse other methods outright."""
    if request.method in ("GET", "HEAD"):
        return redirect(url_for("committees.login", next=_here()))
    abort(401)


def init_app(app: Flask) -> None:
    """Install CSRF protection and the guard (before CSRF, so strangers get 401, not 400)."""
    config = app.extensions["ayni.config"]
    app.config.update(
        SESSION_COOKIE_NAME="ayni_session",
        SESSION_COOKIE_SECURE=config.secure_cookies,
        SESSION_COOKIE_HTTPONLY=True,
        # Lax, not Strict: a member following a link from a chat still arrives signed in;
        # every state change is a POST, which Lax does not send cross-site.
        SESSION_COOKIE_SAMESITE="Lax",
    )
    app.before_request(_remember_language)
    app.before_request(_guard)
    csrf.init_app(app)
    app.context_processor(lambda: {"committee_visit": current_visit() if _is_guarded_request() else None})
    app.jinja_env.globals["holds_role"] = holds_role


def _remember_language() -> None:
    # A member who chose a language keeps it on every committee page, whatever link they follow.
    # Only committee pages are read here: a recipient's form body is checked before anything parses it.
    if not request.path.startswith("/committee"):
        return
    chosen = i18n.chosen_language()
    if chosen and session.get(i18n.SESSION_KEY) != chosen:
        session[i18n.SESSION_KEY] = chosen


def _guard():
    endpoint = request.endpoint
    if endpoint is None or is_public(current_app, endpoint):
        return None  # unknown URLs fall through to Flask's 404/405
    visit = current_visit()
    if visit is None:
        return refuse_stranger()
    if visit.complete or getattr(current_app.view_functions[endpoint], SIGNING_IN, False):
        return None
    if request.method in ("GET", "HEAD"):
        step = "committees.code" if visit.account.enrolled else "committees.enrol"
        return redirect(url_for(step))
    abort(401)


def _is_guarded_request() -> bool:
    return request.endpoint is not None and not is_public(current_app, request.endpoint)


def _load_visit() -> Visit | None:
    token = session.get(TOKEN_KEY)
    if not token:
        return None
    config = current_app.extensions["ayni.config"]
    seconds = int(time.time())
    if seconds - session.get(SEEN_KEY, 0) > config.session_idle_minutes * 60:
        minutes = config.session_idle_minutes
        return _forget(_("You were signed out after %(minutes)s minutes without activity.", minutes=minutes))
    db = get_session()
    row = browser_sessions.find(db, config, token, now())
    if row is None:
        return _forget(_("Your session has ended; please sign in again."))
    account = db.get(MemberAccount, row.member_id)
    if account is None or account.disabled_at is not None:
        return _forget(_("Your access to the committee has been removed."))
    if seconds - session.get(SEEN_KEY, 0) >= SEEN_GRANULARITY:
        session[SEEN_KEY] = seconds
    complete = row.two_factor_at is not None and account.enrolled
    return Visit(token=token, member=account.member, account=account, complete=complete)


def _forget(reason: str) -> None:
    session.clear()
    flash(reason)
    return None


def _here() -> str:
    query = request.query_string.decode("latin-1")
    return request.path + ("?" + query if query else "")


def safe_next(target: str | None, fallback: str) -> str:
    """Only follow ``next`` to a path on this site, never to another host."""
    if not target:
        return fallback
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return fallback
    return target
