"""The words people read for the service's fixed codes, in their language: one place, so a pool
page, a request form and the public ledger never name the same thing differently."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

#: what a request is for (funds.vocabulary.CATEGORIES)
CATEGORIES = {
    "food": _l("Food"),
    "rent": _l("Rent or a place to stay"),
    "medical": _l("Health and medicine"),
    "transport": _l("Transport"),
    "legal": _l("Legal help"),
    "phone-data": _l("Phone or data"),
    "other": _l("Something else"),
}
#: how a person receives support (funds.vocabulary.PAYOUT_METHODS)
PAYOUT_METHODS = {
    "cash": _l("Cash, picked up in person"),
    "mobile-money": _l("Mobile money"),
    "bank-transfer": _l("Bank transfer"),
    "voucher": _l("Voucher or gift card"),
    "in-kind": _l("A parcel of food or goods"),
}
#: a request's state: (what it is called, what it means for the person) (funds.requests.states)
REQUEST_STATES = {
    "submitted": (_l("Waiting for the committee"), _l("The committee has your request and will look at it soon.")),
    "approved": (_l("Approved"), _l("The committee said yes. The money is being set aside for you.")),
    "reserved": (
        _l("Approved, money set aside"),
        _l("The money is set aside for you. The committee will arrange how you receive it."),
    ),
    "waitlisted": (
        _l("Approved, waiting for money"),
        _l(
            "The committee said yes, but the fund is empty right now. "
            "You are on the waiting list and will be paid in turn as gifts arrive."
        ),
    ),
    "paid": (_l("Paid"), _l("The committee has recorded that the support was given to you.")),
    "declined": (
        _l("Not approved"),
        _l("The committee could not approve this request. If they left you a message, it is below. You can ask again."),
    ),
    "withdrawn": (_l("Withdrawn"), _l("You withdrew this request.")),
    "expired": (_l("Closed"), _l("This request waited too long and was closed. You are welcome to ask again.")),
}
#: what a line of a pool's books is (the pool page's recent lines)
LEDGER_LINES = {
    "gift": _l("Gift"), "refund": _l("Refund to a donor"), "dispute-withdrawn": _l("Disputed by a donor's bank"),
    "dispute-reinstated": _l("Dispute won, money back"), "payout": _l("Paid to a person"),
    "reserve": _l("Set aside for an approved request"), "reservation": _l("Set aside for an approved request"),
    "settle": _l("Paid to a person"), "void": _l("Set-aside released"),
}
#: incidents a coordinator records (funds.vocabulary.INCIDENT_KINDS)
INCIDENTS = {
    "payout-error": _l("A payout went wrong"),
    "data-or-security": _l("Data or security"),
    "conflict-of-interest": _l("Conflict of interest"),
    "complaint": _l("A complaint"),
    "safety": _l("Someone's safety"),
    "other": _l("Something else"),
}
#: committee roles (funds.committees.models.ROLES)
ROLES = {"member": _l("member"), "treasurer": _l("treasurer"), "coordinator": _l("coordinator")}
#: how a member voted (funds.decisions.models.CHOICES), as a list of votes reads it
VOTES = {
    "approve": _l("approved"), "decline": _l("declined"), "recuse": _l("stepped aside"),
    "fast-track": _l("approved alone (fast track)"),
}
#: how a donor gives (funds.donations): the card step through Stripe, or a bank transfer with a reference
GIVING_METHODS = {"card": _l("By card"), "bank": _l("By bank transfer (no card, no account)")}
#: what a bank statement's line looks like to the treasurer (funds.donations.bank.matching.VERDICTS)
STATEMENT_VERDICTS = {
    "matches": _l("Matches an expected gift"),
    "differs": _l("Names an expected gift, but another amount: check before booking"),
    "already-paid": _l("Names a gift that has already arrived"),
    "unknown": _l("No gift reference found"),
}

#: why a card was not accepted, by Stripe's decline or error code: Stripe's own messages are English
CARD_REFUSALS = {
    "card_declined": _l("Your bank declined this card. Please try another card, or ask your bank why."),
    "insufficient_funds": _l("The card has not enough money for this gift. Please try another card or a "
                             "smaller amount."),
    "expired_card": _l("This card has expired. Please try another card."),
    "incorrect_cvc": _l("The security code does not match this card. Please check it and try again."),
    "incorrect_number": _l("The card number is not right. Please check it and try again."),
    "processing_error": _l("The card could not be processed just now. Please try again in a moment."),
    "authentication_required": _l("Your bank's confirmation was not completed. Please try again."),
    "not_saved": _l("No card was entered: the card field is Stripe's and needs JavaScript. Turn JavaScript "
                    "on for this page and enter the card again, or choose another way to give."),
}
#: other codes Stripe sends that mean the same thing to a donor
CARD_REFUSALS |= {code: CARD_REFUSALS[same] for code, same in {
    "invalid_cvc": "incorrect_cvc", "invalid_number": "incorrect_number",
    "payment_intent_authentication_failure": "authentication_required",
    "setup_intent_authentication_failure": "authentication_required"}.items()}


def card_refusal(*codes: str | None):
    """The donor's sentence for the first of Stripe's codes (decline code, then error code) that we
    know; a plain "declined" for any other (lost or stolen card, fraud checks, do not honour...)."""
    return next((CARD_REFUSALS[code] for code in codes if code in CARD_REFUSALS), CARD_REFUSALS["card_declined"])
