"""A committee's forms for a pool: its rules and texts (per language), and its rounds."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, IntegerField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp

from funds.i18n import LANGUAGE_NAMES
from funds.money import currency_choices
from funds.vocabulary import LANGUAGES

AMOUNT_HINT = _l("In the pool's currency, like 500.00")


class PoolForm(FlaskForm):
    """Create or edit a pool of the coordinator's committee. The address and currency are set once:
    the pool's accounts hold them."""

    slug = StringField(
        _l("Address name (lower-case letters, digits and dashes)"),
        validators=[Optional(), Length(min=3, max=60), Regexp(r"^[a-z0-9-]*$", message=_l("Use a-z, 0-9 and -."))],
    )
    #: create_pool refuses a currency Ayni does not take, with the reason in the reader's language
    currency = SelectField(_l("Currency"), default="EUR", validate_choice=False)
    goal = StringField(_l("Goal"), description=AMOUNT_HINT, validators=[DataRequired(), Length(max=20)])
    request_cap = StringField(_l("Most one request may ask for"), description=AMOUNT_HINT,
                              validators=[DataRequired(), Length(max=20)])
    fast_track_limit = StringField(
        _l("Up to this amount one member may approve alone in an emergency (0 for never)"),
        description=AMOUNT_HINT, default="0", validators=[DataRequired(), Length(max=20)],
    )
    quorum = IntegerField(_l("Approvals needed"), default=2, validators=[DataRequired(), NumberRange(1, 50)])
    frequency_cap_count = IntegerField(_l("Grants per codename (empty for no limit)"),
                                       validators=[Optional(), NumberRange(1, 100)])
    frequency_cap_days = IntegerField(_l("…within this many days"), validators=[Optional(), NumberRange(1, 3660)])
    is_open = BooleanField(_l("Open: takes gifts and requests"), default=True)
    is_default = BooleanField(_l('The "where most needed" pool donors land on'))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.currency.choices = [SelectChoice(code, name) for code, name in currency_choices()]

    def texts(self) -> dict[str, tuple[str, str]]:
        """The languages with a name given: lang -> (name, description)."""
        found = {}
        for lang in LANGUAGES:
            name = (getattr(self, f"name_{lang}").data or "").strip()
            if name:
                found[lang] = (name, (getattr(self, f"description_{lang}").data or "").strip())
        return found


for _lang in LANGUAGES:
    setattr(PoolForm, f"name_{_lang}",
            StringField(_l("Name (%(language)s)", language=LANGUAGE_NAMES[_lang]), validators=[Length(max=120)]))
    setattr(PoolForm, f"description_{_lang}",
            TextAreaField(_l("Description (%(language)s)", language=LANGUAGE_NAMES[_lang]),
                          validators=[Length(max=4000)]))


class RoundForm(FlaskForm):
    name = StringField(_l("Name of the round"), validators=[DataRequired(), Length(max=120)])
    budget = StringField(_l("Budget"), description=AMOUNT_HINT, validators=[DataRequired(), Length(max=20)])
    target_recipients = IntegerField(_l("People to support"), validators=[DataRequired(), NumberRange(1, 100000)])
    opens_on = DateField(_l("Opens on"), validators=[DataRequired()])
    closes_on = DateField(_l("Closes on (optional)"), validators=[Optional()])


class BankAccountForm(FlaskForm):
    """The fund's account for this pool: shown to donors who give by bank transfer."""

    holder = StringField(_l("Account holder (as the bank writes it)"), validators=[DataRequired(), Length(max=70)])
    iban = StringField(_l("IBAN"), validators=[DataRequired(), Length(max=50)])
    bic = StringField(_l("BIC (optional inside the EU)"), validators=[Optional(), Length(max=15)])
