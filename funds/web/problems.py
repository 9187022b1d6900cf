"""The page anyone gets when something goes wrong: in their language and direction, saying what
to do next, with a way forward. The JSON API answers with its own JSON reasons."""

from __future__ import annotations

from flask import Flask, render_template, request
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import HTTPException

PROBLEMS = {
    400: (_l("Something went wrong with what was sent"), _l("Please go back, check the form and send it again.")),
    404: (_l("This page does not exist"), _l("Please check the address, or start again from the links above.")),
    405: (_l("This page cannot be used this way"), _l("Please start again from the links above.")),
    413: (_l("That was too much text"), _l("Please shorten what you wrote and send it again.")),
    429: (
        _l("Please wait a little"),
        _l(
            "Many forms were sent from this connection in a short time. "
            "Please wait an hour and try again. Nothing about you was kept."
        ),
    ),
    500: (_l("Something went wrong on our side"), _l("Nothing you wrote was kept. Please try again in a few minutes.")),
}


def render_problem(code: int):
    """The problem page for HTTP status ``code`` (an unknown code reads as our fault, 500)."""
    title, text = PROBLEMS.get(code, PROBLEMS[500])
    return render_template("problem.html", title=title, text=text), code


def _not_here(error: HTTPException):
    if request.path.startswith("/api/"):
        return error
    return render_problem(error.code)


def init_app(app: Flask) -> None:
    """Addresses and methods that do not exist, anywhere in the app."""
    app.register_error_handler(404, _not_here)
    app.register_error_handler(405, _not_here)


def handle_every_problem(blueprint) -> None:
    """Answer every problem of ``blueprint`` with the problem page (the recipient pages)."""
    for code in PROBLEMS:
        blueprint.register_error_handler(code, lambda error, code=code: render_problem(code))
