"""Asking once more before an action that moves money or cannot be undone.

Works without JavaScript: the form posts as usual; the view, seeing no ``confirmed`` field, answers
with a page that says exactly what will happen (the amount, the pool, the request) and carries
every field that was sent, plus ``confirmed=yes``, in a form with one button. Nothing changes
until that button is pressed; the same CSRF token and the same checks apply to the second post.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import render_template, request

CONFIRMED = "confirmed"


@dataclass(frozen=True)
class Question:
    """What the confirmation page asks: a title, the facts that matter, the button that acts and
    where "no, go back" leads."""

    title: str
    button: str
    back: str
    facts: list[tuple[str, str]] = field(default_factory=list)
    #: what the action will do, in one sentence, when the title is not enough
    warning: str = ""


def confirmed() -> bool:
    """Whether this post is the answer to the confirmation page."""
    return request.form.get(CONFIRMED) == "yes"


def ask(question: Question, *, template: str = "confirm.html"):
    """The confirmation page for the form just posted (``template`` frames it: a committee page
    uses ``committees/confirm.html``)."""
    fields = [(name, value) for name, values in request.form.lists() if name != CONFIRMED for value in values]
    return render_template(template, question=question, fields=fields, action=request.full_path.rstrip("?"))
