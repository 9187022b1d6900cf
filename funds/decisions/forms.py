"""The committee's decision forms. Each carries a CSRF token; limits match the domain's, so a
form refuses what the domain would, with a reason next to the field."""

from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    HiddenField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import AnyOf, DataRequired, Length, Optional, Regexp
from wtforms.widgets import CheckboxInput, ListWidget

from funds.requests.domain import MESSAGE_MAX
from funds.web import labels

from .models import CHOICES
from .payouts import REFERENCE_MAX

#: one address, no spaces or line breaks (a line break in a header would be an injection)
EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,189}\.[^@\s]{2,63}$")


class VoteForm(FlaskForm):
    choice = HiddenField(validators=[AnyOf(CHOICES, message=_l("Choose approve, decline, recuse or fast track."))])
    reason = TextAreaField(
        _l("Reason, shown to the person (required to decline)"), validators=[Optional(), Length(max=MESSAGE_MAX)]
    )

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if valid and self.choice.data == "decline" and not (self.reason.data or "").strip():
            self.reason.errors = [_l("Please write the person a reason: they will read it with their codename.")]
            return False
        return valid


class ConfirmForm(FlaskForm):
    """A button that changes something (review a fast track): only the CSRF token travels."""


PAYOUT_CHOICES = [SelectChoice(code, label) for code, label in labels.PAYOUT_METHODS.items()]


class PayoutForm(FlaskForm):
    method = SelectField(_l("How it was paid"), choices=PAYOUT_CHOICES)
    reference = StringField(
        _l("Reference (a transfer number, where and when; sealed to the committee's keys)"),
        validators=[Optional(), Length(max=REFERENCE_MAX)],
    )
    no_reference = BooleanField(_l("There is no reference (for example, cash handed over)"))

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        # A payout without a trace must be a choice, not a field left empty by mistake.
        if valid and not (self.reference.data or "").strip() and not self.no_reference.data:
            self.reference.errors = [_l("Write the payout's reference, or tick “There is no reference”.")]
            return False
        return valid


class BatchPayoutForm(PayoutForm):
    request_ids = SelectMultipleField(
        _l("Requests paid"),
        coerce=int,
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
        validators=[DataRequired(message=_l("Tick at least one request."))],
        # a colleague may have paid one a moment ago: the domain skips it and says so
        validate_choice=False,
    )


class CancelForm(FlaskForm):
    message = TextAreaField(_l("Message to the person (optional)"), validators=[Optional(), Length(max=MESSAGE_MAX)])


class VoucherForm(FlaskForm):
    code = StringField(_l("Voucher code"), validators=[DataRequired(), Length(max=REFERENCE_MAX)])


class ReminderAddressForm(FlaskForm):
    address = StringField(
        _l("Email address for reminders (one shared address; leave empty for none)"),
        validators=[
            Optional(),
            Length(max=254),
            Regexp(EMAIL, message=_l("This does not look like one email address.")),
        ],
        filters=[lambda text: text.strip() if text else text],
    )


class BankBatchForm(FlaskForm):
    """A distribution day by bank: the ticked requests and their opened details travel as
    ``request_ids``, ``name-<id>``, ``iban-<id>`` and ``bic-<id>`` (their number varies), read by the view."""

    rail = SelectField(_l("File for"), choices=[SelectChoice("sepa", _l("your bank (SEPA credit transfers, pain.001)")),
                                                 SelectChoice("wise", _l("Wise (batch payment CSV)"))])
    remittance = StringField(_l("Text on the people's bank statements"), default="Transfer",
                             validators=[Optional(), Length(max=140)])
