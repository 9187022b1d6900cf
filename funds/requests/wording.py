"""What recipient pages say when they cannot do what was asked, in the person's language.

(The labels of categories, payout methods and states are :mod:`funds.web.labels`.)"""

from flask_babel import lazy_gettext as _l

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
