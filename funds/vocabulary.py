"""The fixed words of the service, shared by forms, the ledger's account codes and reports."""

#: what a request is for; also the sub-accounts money is paid out to
CATEGORIES = ("food", "rent", "medical", "transport", "legal", "phone-data", "other")
#: how a person wants to receive support
PAYOUT_METHODS = ("cash", "mobile-money", "bank-transfer", "voucher", "in-kind")
#: the languages every recipient page speaks; Arabic is right-to-left
LANGUAGES = ("en", "fr", "es", "ar", "zh")
RTL_LANGUAGES = ("ar",)
#: what a coordinator records as an incident for the annual report (a code, never free text: the
#: books are public and cannot forget)
INCIDENT_KINDS = ("payout-error", "data-or-security", "conflict-of-interest", "complaint", "safety", "other")
