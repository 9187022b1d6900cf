"""The words recipient pages use for the fixed vocabularies, in the person's language."""

from flask_babel import lazy_gettext as _l

from . import states

CATEGORY_LABELS = {
    "food": _l("Food"),
    "rent": _l("Rent or a place to stay"),
    "medical": _l("Health and medicine"),
    "transport": _l("Transport"),
    "legal": _l("Legal help"),
    "phone-data": _l("Phone or data"),
    "other": _l("Something else"),
}
METHOD_LABELS = {
    "cash": _l("Cash, picked up in person"),
    "mobile-money": _l("Mobile money"),
    "bank-transfer": _l("Bank transfer"),
    "voucher": _l("Voucher or gift card"),
    "in-kind": _l("A parcel of food or goods"),
}
#: (what the state is called, what it means for the person)
STATE_WORDS = {
    states.SUBMITTED: (_l("Waiting for the committee"), _l("The committee has your request and will look at it soon.")),
    states.APPROVED: (_l("Approved"), _l("The committee said yes. The money is being set aside for you.")),
    states.RESERVED: (
        _l("Approved, money set aside"),
        _l("The money is set aside for you. The committee will arrange how you receive it."),
    ),
    states.WAITLISTED: (
        _l("Approved, waiting for money"),
        _l(
            "The committee said yes, but the fund is empty right now. "
            "You are on the waiting list and will be paid in turn as gifts arrive."
        ),
    ),
    states.PAID: (_l("Paid"), _l("The committee has recorded that the support was given to you.")),
    states.DECLINED: (
        _l("Not approved"),
        _l("The committee could not approve this request. If they left you a message, it is below. You can ask again."),
    ),
    states.WITHDRAWN: (_l("Withdrawn"), _l("You withdrew this request.")),
    states.EXPIRED: (_l("Closed"), _l("This request waited too long and was closed. You are welcome to ask again.")),
}

# What the pages say when they cannot do what was asked.
UNREADABLE = _l("Some of what you sent could not be read. Please check the form and send it again.")
POOL_UNAVAILABLE = _l("This fund is not taking requests. Please choose another one.")
AMOUNT_ABOVE_CAP = _l("This fund can give up to %(cap)s for one request.")
NO_COMMITTEE_KEYS = _l(
    "This fund cannot take requests yet: its committee is still setting up. "
    "Nothing you wrote was kept. Please choose another fund or come back later."
)
UNKNOWN_CODENAME_ON_ASK = _l(
    "We could not find this codename. Check each word, or leave the box empty to get a new codename."
)
FREQUENCY_CAP = _l(
    "This fund can support the same codename only a few times in a period, and this codename has reached "
    "that limit until %(date)s. You can still ask: leave the codename box empty and you will get a new one."
)
UNKNOWN_CODENAME = _l("We could not find a request with this codename. Please check each word and try again.")
CANNOT_WITHDRAW = _l(
    "This request can no longer be withdrawn. If you need to change something, the committee can help."
)
WITHDRAWN = _l("Your request was withdrawn.")
