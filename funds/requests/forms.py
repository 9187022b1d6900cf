"""The recipient forms. Every message is ours and translated; none asks who someone is.

The fields are: a pool, an amount, what it is for, how to receive it, how to be reached, an
optional note, optional payout details and, optionally, a codename from an earlier request.
There is deliberately no name, ID, proof, address or reason field.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal, InvalidOperation

from babel.numbers import get_currency_precision
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField, TextAreaField, ValidationError
from wtforms.validators import DataRequired, Length

from funds.web.templating import money

from ..privacy import SignedFormToken
from ..vocabulary import CATEGORIES, PAYOUT_METHODS
from . import domain, wording

#: a few digits, one optional decimal mark (. , or the Arabic ٫), no thousands separators
AMOUNT = re.compile(r"^\d{1,9}(?:[.,٫](\d{1,3}))?$")


class NoTraceForm(FlaskForm):
    """A form protected by a signed token and an origin check instead of a session cookie."""

    class Meta:
        csrf_class = SignedFormToken

    lang = HiddenField()


def to_minor_units(typed: str, currency: str) -> int:
    """Parse what someone typed ("25", "25,50", "٢٥", "２５") into minor units of ``currency``."""
    text = "".join(str(unicodedata.decimal(c)) if unicodedata.decimal(c, None) is not None else c for c in typed)
    text = text.strip().replace(" ", "").replace("\u00a0", "")
    match = AMOUNT.match(text)
    if not match:
        raise ValueError("not an amount")
    digits = get_currency_precision(currency)
    if match.group(1) and len(match.group(1)) > digits:
        raise ValueError("too many decimals")
    try:
        value = Decimal(text.replace(",", ".").replace("٫", "."))
    except InvalidOperation as error:
        raise ValueError("not an amount") from error
    return int(value.scaleb(digits))


class AskForm(NoTraceForm):
    # pool, category and method are rendered by the template from the open pools and the fixed
    # vocabularies, and checked against them here and in the domain
    pool = StringField(_l("Which fund"))
    amount = StringField(
        _l("How much do you need?"),
        validators=[DataRequired(message=_l("Please write how much you need."))],
        render_kw={"inputmode": "decimal", "autocomplete": "off", "maxlength": 12},
    )
    category = StringField(_l("What is it for?"))
    method = StringField(_l("How would you like to receive it?"))
    contact = TextAreaField(
        _l("How can the committee reach you?"),
        validators=[
            DataRequired(message=_l("Please tell us how to reach you, or write that you will check back here.")),
            Length(max=domain.CONTACT_MAX, message=_l("Please keep this under %(max)d characters.")),
        ],
        render_kw={"maxlength": domain.CONTACT_MAX, "rows": 2, "autocomplete": "off"},
    )
    note = TextAreaField(
        _l("Anything you want the committee to know (optional)"),
        validators=[Length(max=domain.NOTE_MAX, message=_l("Please keep this under %(max)d characters."))],
        render_kw={"maxlength": domain.NOTE_MAX, "rows": 4, "autocomplete": "off"},
    )
    payout = StringField(
        _l("Details for receiving it (optional)"),
        validators=[Length(max=domain.PAYOUT_MAX, message=_l("Please keep this under %(max)d characters."))],
        render_kw={"maxlength": domain.PAYOUT_MAX, "autocomplete": "off"},
    )
    codename = StringField(
        _l("Your codename from an earlier request"),
        validators=[Length(max=200, message=_l("Please keep this under %(max)d characters."))],
        render_kw={"maxlength": 200, "autocomplete": "off", "autocapitalize": "none", "spellcheck": "false"},
    )

    def amount_for(self, pool) -> int:
        """The amount in ``pool``'s minor units, or 0 with the reason added to the field's errors."""
        if self.amount.errors:
            return 0
        try:
            amount = to_minor_units(self.amount.data, pool.currency)
        except ValueError:
            self.amount.errors = [wording.AMOUNT_NOT_A_NUMBER]
            return 0
        if amount <= 0:
            self.amount.errors = [wording.AMOUNT_ZERO]
        elif amount > pool.request_cap:
            self.amount.errors = [wording.AMOUNT_ABOVE_CAP % {"cap": money(pool.request_cap, pool.currency)}]
        return amount if not self.amount.errors else 0

    def validate_category(self, field) -> None:
        if field.data not in CATEGORIES:
            raise ValidationError(_l("Please choose what it is for."))

    def validate_method(self, field) -> None:
        if field.data not in PAYOUT_METHODS:
            raise ValidationError(_l("Please choose how you would like to receive it."))


class ConfirmForm(NoTraceForm):
    """The codename shown once, and typed back once (a hidden copy lets us show it again)."""

    shown = HiddenField()
    typed = StringField(
        _l("Type your codename here"),
        render_kw={"autocomplete": "off", "autocapitalize": "none", "spellcheck": "false", "maxlength": 200},
    )


class StatusForm(NoTraceForm):
    #: the status page's withdraw and language forms carry this form's token
    signing_purpose = "status"
    codename = StringField(
        _l("Your codename"),
        validators=[DataRequired(message=_l("Please type your codename."))],
        render_kw={"autocomplete": "off", "autocapitalize": "none", "spellcheck": "false", "maxlength": 200},
    )


class WithdrawForm(StatusForm):
    request_id = HiddenField()
