"""How the public ledger page says what each entry is, in the reader's language.

Each sentence is built only from an entry's public type, whitelisted details and published
names (:mod:`.redaction`), never from its raw details.
"""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from funds.web.labels import CATEGORIES as CATEGORY_LABELS
from funds.web.labels import INCIDENTS as INCIDENT_LABELS
from funds.web.labels import PAYOUT_METHODS as METHOD_LABELS
from funds.web.labels import ROLES as ROLE_LABELS

from .entries import PublicEntry

SOURCE_LABELS = {"stripe": _l("by card"), "offline": _l("handed to the committee")}
GIFT_METHOD_LABELS = {"cash": _l("in cash"), "bank-transfer": _l("by bank transfer"), "other": _l("another way")}
#: sentences for types whose wording needs no details
SIMPLE = {
    "refund": _l("Refund to a donor"),
    "dispute-withdrawn": _l("A donor's bank disputed a gift"),
    "dispute-reinstated": _l("A disputed gift came back"),
    "transfer": _l("Money moved between accounts"),
    "reservation-released": _l("Money set aside was released (the approval was cancelled)"),
    "request-withdrawn": _l("A request was withdrawn by the person who asked"),
    "approval-cancelled": _l("An approval was cancelled before payment"),
    "fast-track-reviewed": _l("A fast-track approval was reviewed by a second member"),
    "voucher-given": _l("A voucher was handed over"),
    "access-removed": _l("A member's access was removed"),
    "access-restored": _l("A member's access was restored"),
    "second-factor-reset": _l("A member's second sign-in step was reset"),
    "key-set": _l("A member set a new key for reading requests"),
    "deciders-published": _l("The committee chose to publish who decides"),
    "deciders-unpublished": _l("The committee stopped publishing who decides"),
    "note": _l("A governance record"),
}
VOTES = {
    "vote-approve": (_l("A member approved a request"), _l("%(name)s approved a request")),
    "vote-decline": (_l("A member declined a request"), _l("%(name)s declined a request")),
    "vote-recuse": (_l("A member stepped aside from a request"), _l("%(name)s stepped aside from a request")),
    "vote-fast-track": (_l("A member approved a small request alone (fast-track)"),
                        _l("%(name)s approved a small request alone (fast-track)")),
}


def category_label(category: str | None) -> str:
    return str(CATEGORY_LABELS.get(category, category)) if category else ""


def describe(entry: PublicEntry) -> str:
    """One sentence saying what ``entry`` is."""
    details, names = entry.details, entry.names
    kind = entry.type
    if kind == "gift":
        how = GIFT_METHOD_LABELS.get(details.get("method")) or SOURCE_LABELS.get(details.get("source"), "")
        monthly = details.get("frequency") == "monthly"
        text = _("Monthly gift %(how)s", how=how) if monthly else _("Gift %(how)s", how=how)
        return text + (" — " + _("from %(name)s", name=names["donor"]) if "donor" in names else "")
    if kind in ("payout", "reservation"):
        text = _("Paid to a person") if kind == "payout" else _("Set aside for an approved request")
        text += f" — {category_label(entry.category)}" if entry.category else ""
        if kind == "payout" and details.get("method") in METHOD_LABELS:
            text += f" ({METHOD_LABELS[details['method']]})"
        return text
    if kind == "account-opened":
        return _("Account opened: %(account)s", account=details.get("account", "?"))
    if kind == "request-received":
        return _("A request was received — %(category)s", category=category_label(details.get("category")))
    if kind == "request-expired":
        return _("A request nobody decided was closed after %(days)s days", days=details.get("after_days", "?"))
    if kind == "approved":
        if details.get("by") == "fast-track":
            return _("Approved by one member in an emergency (fast-track), to be reviewed by a second")
        return _("Approved by quorum (%(approvals)s approvals, %(quorum)s needed)",
                 approvals=details.get("approvals", "?"), quorum=details.get("quorum", "?"))
    if kind == "declined":
        return _("Declined by quorum (%(declines)s declines, %(quorum)s needed)",
                 declines=details.get("declines", "?"), quorum=details.get("quorum", "?"))
    if kind == "votes-lapsed":
        return _("%(count)s votes lapsed on a request nobody decided in time", count=details.get("count", "?"))
    if kind in VOTES:
        anonymous, named = VOTES[kind]
        return str(named % {"name": names["member"]}) if "member" in names else str(anonymous)
    if kind == "member-joined":
        return _("A %(role)s joined the committee", role=ROLE_LABELS.get(details.get("role"), ""))
    if kind == "incident-recorded":
        return _("The committee recorded an incident: %(kind)s", kind=INCIDENT_LABELS.get(details.get("incident"), ""))
    if kind == "role-changed":
        return _("A member's role changed from %(old)s to %(new)s", old=ROLE_LABELS.get(details.get("old_role"), ""),
                 new=ROLE_LABELS.get(details.get("role"), ""))
    return str(SIMPLE.get(kind, SIMPLE["note"]))


def who(entry: PublicEntry) -> str:
    """Published names beside the entry ("member: Ana, by: Dora"), or nothing."""
    if "member" in entry.names and entry.type in VOTES:
        return ""  # already in the sentence
    parts = []
    if "member" in entry.names:
        parts.append(_("member: %(name)s", name=entry.names["member"]))
    if "by" in entry.names:
        parts.append(_("by: %(name)s", name=entry.names["by"]))
    return ", ".join(parts)
