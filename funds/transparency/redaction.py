"""What the public ledger page and API show of an entry: a whitelist per type, never a blacklist.

Each entry is classified into a public type, and only the fields listed for that type are
shown, each only if its value passes a check for that field (a category from the fixed list,
a count that is a number...). A field someone adds to an entry's details later is therefore
not shown until it is added here, on purpose; an unknown kind of entry shows its date, type and
money, nothing else. Request numbers, member commitments, entry keys and key fingerprints are
never shown; members' names appear only for a committee that chose to publish who decides.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from funds.committees.models import ROLES
from funds.vocabulary import CATEGORIES, INCIDENT_KINDS, PAYOUT_METHODS
from ledger.entry import ACCOUNT_CODE, ACCOUNT_TYPES, CURRENCY_CODE

_SLUG = re.compile(r"[a-z0-9][a-z0-9-]{0,59}\Z")
GIFT_METHODS = ("cash", "bank-transfer", "other")


def _one_of(*choices: str) -> Callable[[object], bool]:
    return lambda value: isinstance(value, str) and value in choices


def _count(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 10**9


def _flag(value: object) -> bool:
    return isinstance(value, bool)


#: field -> the check its value must pass to be shown
FIELD_CHECKS: dict[str, Callable[[object], bool]] = {
    "pool": lambda v: isinstance(v, str) and bool(_SLUG.match(v)),
    "committee": _count,
    "account": lambda v: isinstance(v, str) and bool(ACCOUNT_CODE.match(v)),
    "currency": lambda v: isinstance(v, str) and bool(CURRENCY_CODE.match(v)),
    "type": _one_of(*ACCOUNT_TYPES),
    "floor_zero": _flag,
    "source": _one_of("stripe", "offline"),
    "frequency": _one_of("once", "monthly"),
    "method": _one_of(*sorted(set(PAYOUT_METHODS) | set(GIFT_METHODS))),
    "fee_reported": _flag,
    "category": _one_of(*CATEGORIES),
    "by": _one_of("quorum", "fast-track"),
    "approvals": _count,
    "declines": _count,
    "quorum": _count,
    "count": _count,
    "after_days": _count,
    "role": _one_of(*ROLES),
    "old_role": _one_of(*ROLES),
    "incident": _one_of(*INCIDENT_KINDS),
}

#: public type -> the details shown
PUBLIC_FIELDS: dict[str, tuple[str, ...]] = {
    "account-opened": ("account", "currency", "type", "floor_zero"),
    "gift": ("pool", "source", "frequency", "method", "fee_reported"),
    "refund": ("pool", "source"),
    "dispute-withdrawn": ("pool", "source"),
    "dispute-reinstated": ("pool", "source"),
    "transfer": ("pool",),
    "reservation": ("pool",),
    "reservation-released": ("pool",),
    "payout": ("pool", "method"),
    "request-received": ("pool", "category"),
    "request-withdrawn": ("pool",),
    "request-expired": ("pool", "after_days"),
    "vote-approve": ("pool",),
    "vote-decline": ("pool",),
    "vote-recuse": ("pool",),
    "vote-fast-track": ("pool",),
    "approved": ("pool", "by", "approvals", "quorum"),
    "declined": ("pool", "declines", "quorum"),
    "votes-lapsed": ("pool", "count"),
    "fast-track-reviewed": ("pool",),
    "approval-cancelled": ("pool",),
    "voucher-given": ("pool",),
    "member-joined": ("committee", "role"),
    "role-changed": ("committee", "old_role", "role"),
    "access-removed": ("committee",),
    "access-restored": ("committee",),
    "second-factor-reset": ("committee",),
    "key-set": ("committee",),
    "deciders-published": ("committee",),
    "deciders-unpublished": ("committee",),
    "incident-recorded": ("committee", "incident"),
    "note": (),
}
#: public type -> details that stand for a member (a commitment; committee notes booked before
#: 2026-11 carry the member id): shown as the member's name, only when their committee publishes
#: who decides
MEMBER_FIELDS: dict[str, tuple[str, ...]] = {
    **dict.fromkeys(("vote-approve", "vote-decline", "vote-recuse", "vote-fast-track", "fast-track-reviewed",
                     "approval-cancelled", "voucher-given", "payout", "reservation-released"), ("member",)),
    **dict.fromkeys(("member-joined", "role-changed", "access-removed", "access-restored", "second-factor-reset",
                     "key-set", "deciders-published", "deciders-unpublished"), ("member", "by")),
    "incident-recorded": ("by",),
}

_TRANSFERS = {"gift", "refund", "dispute-withdrawn", "dispute-reinstated"}
_REQUEST_NOTES = {
    "request submitted": "request-received", "request withdrawn": "request-withdrawn",
    "request expired": "request-expired", "approval": "vote-approve", "decline": "vote-decline",
    "recusal": "vote-recuse", "fast-track approval": "vote-fast-track", "request approved": "approved",
    "request declined": "declined", "votes lapsed": "votes-lapsed", "fast-track reviewed": "fast-track-reviewed",
    "approval cancelled": "approval-cancelled", "voucher given": "voucher-given",
}
_COMMITTEE_NOTES = {name for name, fields in MEMBER_FIELDS.items() if "by" in fields}
_BY_KIND = {"open": "account-opened", "reserve": "reservation", "settle": "payout", "void": "reservation-released"}


def entry_type(kind: str, key: str, meta: dict) -> str:
    """The public type of an entry, from its kind, key and details."""
    if kind in _BY_KIND:
        return _BY_KIND[kind]
    what = meta.get("what")
    if kind == "transfer":
        return what if what in _TRANSFERS else "transfer"
    if key.startswith("committee:"):
        return what if what in _COMMITTEE_NOTES else "note"
    return _REQUEST_NOTES.get(what, "note") if isinstance(what, str) else "note"


@dataclass(frozen=True)
class Names:
    """What the page may add from outside the entry: donors' chosen names and published members."""

    #: gift entry seq -> the public name its donor chose
    donors: dict[int, str] = field(default_factory=dict)
    #: (committee id, commitment or member id as text) -> name, for committees that publish
    members: dict[tuple[int, str], str] = field(default_factory=dict)
    #: pool slug -> committee id
    committees: dict[str, int] = field(default_factory=dict)
    #: pool id -> slug, to name the pool of an account
    pools: dict[int, str] = field(default_factory=dict)


def public_details(kind: str, key: str, meta: dict) -> tuple[str, dict]:
    """The entry's public type and the whitelisted details that passed their checks."""
    shown_type = entry_type(kind, key, meta)
    details = {
        name: meta[name]
        for name in PUBLIC_FIELDS.get(shown_type, ())
        if name in meta and FIELD_CHECKS[name](meta[name])
    }
    return shown_type, details


def public_names(seq: int, shown_type: str, meta: dict, details: dict, names: Names) -> dict[str, str]:
    """Names the page may show beside the entry: a chosen donor name, published members."""
    shown: dict[str, str] = {}
    if shown_type == "gift" and seq in names.donors:
        shown["donor"] = names.donors[seq]
    committee = details.get("committee")
    if committee is None and "pool" in details:
        committee = names.committees.get(details["pool"])
    for name in MEMBER_FIELDS.get(shown_type, ()):
        value = meta.get(name)
        found = names.members.get((committee, str(value))) if committee is not None else None
        if found is not None:
            shown[name] = found
    return shown
