"""Showing a refusal to the person who met it: beside the field at fault, in their language."""

from __future__ import annotations

from flask_wtf import FlaskForm

from funds.refusals import Refusal


def show(refusal: Refusal, form: FlaskForm | None = None) -> str | None:
    """Put ``refusal``'s reason beside its field on ``form`` (the field keeps what was typed) and
    return None; with no such field on the page (or a hidden one), return the reason for the top
    of the page."""
    field = getattr(form, refusal.field, None) if form is not None and refusal.field else None
    if field is None or getattr(field.widget, "input_type", "") == "hidden":
        return str(refusal.message)
    field.errors = [*field.errors, refusal.message]
    return None
