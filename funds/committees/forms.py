"""The committee's forms. Every one carries a CSRF token (FlaskForm), and CSRFProtect refuses
any POST without one, form or not."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, PasswordField, SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired, EqualTo, Length

from funds.web import labels

from .accounts import MAX_PASSWORD, MIN_PASSWORD

#: plain values (wtforms deprecates label tuples); templates translate the role names shown
ROLE_CHOICES = [SelectChoice(code, label) for code, label in labels.ROLES.items()]


class SignInForm(FlaskForm):
    login_name = StringField(_l("Login name"), validators=[DataRequired(), Length(max=60)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=MAX_PASSWORD)])
    next = HiddenField()


class CodeForm(FlaskForm):
    code = StringField(_l("Six-digit code from your authenticator app"), validators=[DataRequired(), Length(max=10)])


class JoinForm(FlaskForm):
    display_name = StringField(_l("Name the committee knows you by"), validators=[DataRequired(), Length(max=100)])
    login_name = StringField(_l("Login name (private; letters, digits, dots, dashes)"), validators=[DataRequired()])
    password = PasswordField(
        _l("Password (a few words make a good one)"),
        validators=[DataRequired(), Length(min=MIN_PASSWORD, max=MAX_PASSWORD)],
    )
    repeat = PasswordField(
        _l("The same password again"), validators=[EqualTo("password", message=_l("the passwords differ"))]
    )


class InviteForm(FlaskForm):
    display_name = StringField(_l("Their name (they may change it)"), validators=[Length(max=100)])
    role = SelectField(_l("Role"), choices=ROLE_CHOICES, default="member")


class RoleForm(FlaskForm):
    role = SelectField(_l("Role"), choices=ROLE_CHOICES)


class ConfirmForm(FlaskForm):
    """A button that changes something: only the CSRF token travels."""


class AccessForm(FlaskForm):
    allowed = HiddenField()


class PublicKeyForm(FlaskForm):
    #: filled in by committee-keys.js after the browser made the keypair
    public_key = HiddenField(validators=[DataRequired()])
    replace = BooleanField(_l("Replace my current key"))
