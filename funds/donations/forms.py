"""The give form, the card step and the treasurer's offline gift form.

Forms check shape (lengths, choices, CSRF); amounts and pools are checked by the domain, which
says what is wrong in the donor's words.
"""

from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import HiddenField, RadioField, SelectChoice, StringField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

#: enough to catch a typo; Stripe checks deliverability itself
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
#: our own words, not WTForms' (its catalogues lack some of our languages' sentences)
TOO_LONG = _l("Please keep this under %(max)d characters.")
OFFLINE_METHODS = [SelectChoice("cash", _l("Cash")), SelectChoice("bank-transfer", _l("Bank transfer")),
                   SelectChoice("other", _l("Other"))]


def _email(_form, field) -> None:
    if field.data and not EMAIL.match(field.data.strip()):
        raise ValidationError(_l("This does not look like an email address."))


class GiveForm(FlaskForm):
    #: card or bank; the choices the pool offers are set by the view
    method = RadioField(_l("How to give"), choices=[], validate_choice=False)
    #: a preset in minor units, or "other" to use ``custom_amount``
    preset = RadioField(_l("Amount"), choices=[], validate_choice=False)
    custom_amount = StringField(_l("Another amount"), validators=[Optional(), Length(max=20, message=TOO_LONG)])
    currency = HiddenField()
    frequency = RadioField(
        _l("How often"), choices=[SelectChoice("once", _l("Once")), SelectChoice("monthly", _l("Every month"))],
        default="once", validators=[DataRequired()],
    )
    public_name = StringField(
        _l("Name to thank in public (leave empty to give anonymously)"),
        validators=[Optional(), Length(max=60, message=TOO_LONG)],
    )
    email = StringField(
        _l("Email for Stripe's receipt (optional; Ayni does not keep it)"),
        validators=[Optional(), Length(max=200, message=TOO_LONG), _email],
    )

    def amount_text(self) -> str:
        """What the donor chose: the amount they typed wins over a preset."""
        typed = (self.custom_amount.data or "").strip()
        return typed or ("" if self.preset.data in (None, "", "other") else str(self.preset.data))


class CardForm(FlaskForm):
    """The card step: Stripe.js saves the card, then this form asks us to take the gift."""


class StopMonthlyForm(FlaskForm):
    """A monthly donor stops their gift."""


class OfflineGiftForm(FlaskForm):
    amount = StringField(_l("Amount received"), validators=[DataRequired(), Length(max=20, message=TOO_LONG)])
    method = RadioField(_l("How it was given"), choices=OFFLINE_METHODS, default="cash",
                        validators=[DataRequired()])
    public_name = StringField(
        _l("Name to thank in public (leave empty for anonymous)"),
        validators=[Optional(), Length(max=60, message=TOO_LONG)],
    )


class StatementForm(FlaskForm):
    """A treasurer uploads the fund account's statement (CAMT.053 or MT940)."""

    statement = FileField(_l("Bank statement (CAMT.053 XML or MT940)"),
                          validators=[FileRequired(message=_l("Choose the statement file to upload."))])


class BookLinesForm(FlaskForm):
    """The treasurer's confirmation of the lines to book; the ticked lines travel as ``book`` and
    ``pool-<line id>`` fields the view reads (their number varies with the statement)."""
