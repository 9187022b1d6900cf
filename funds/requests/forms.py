"""The recipient forms. Every message is ours and translated; none asks who someone is.

The fields are: a pool, an amount, what it is for, how to receive it, how to be reached, an
optional note, optional payout details and, optionally, a codename from an earlier request.
There is deliberately no name, ID, proof, address or reason field.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField, TextAreaField, ValidationError
from wtforms.validators import DataRequired, Length

from ..money import AmountError, format_money, parse_amount
from ..privacy import SignedFormToken
from ..vocabulary import CATEGORIES, PAYOUT_METHODS
from . import domain, wording


class NoTraceForm(FlaskForm):
    """A form protected by a signed token and an origin check instead of a session cookie."""

    class Meta:
        csrf_class = SignedFormToken

    lang = HiddenField()


class AskForm(NoTraceForm):
    # pool, category and method are rendered by the template from the open pools and the fixed
    # vocabularies, and checked against them here and in the domain
    pool = StringField(_l("Which fund"))
    amount = StringField(
        _l("How much do you need?"),
        validators=[DataRequired(message=_l("Please write how much you need."))],
        render_kw={"inputmode": "decimal", "autocomplete": "off", "maxlength": 20},
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
        """The amount in ``pool``'s minor units, read in the page's language, or 0 with the reason
        added to the field's errors (the field keeps what was typed)."""
        if self.amount.errors:
            return 0
        try:
            amount = parse_amount(self.amount.data, pool.currency)
        except AmountError as refusal:
            self.amount.errors = [refusal.message]
            return 0
        if amount > pool.request_cap:
            self.amount.errors = [wording.AMOUNT_ABOVE_CAP % {"cap": format_money(pool.request_cap, pool.currency)}]
            return 0
        return amount

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
