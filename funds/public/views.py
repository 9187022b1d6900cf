"""Public pages, and the page anyone gets for an address or a method that does not exist."""

from flask import Blueprint, render_template, request
from werkzeug.exceptions import HTTPException

from funds.committees.access import public_blueprint
from funds.requests.pages import render_problem

#: open to everyone: the guard in funds/committees/access.py lets marked blueprints through
blueprint = public_blueprint(Blueprint("public", __name__))


@blueprint.get("/")
def home():
    return render_template("public/home.html")


@blueprint.app_errorhandler(404)
@blueprint.app_errorhandler(405)
def not_here(error: HTTPException):
    # In the reader's language and direction, like every other page; the JSON API keeps its own.
    if request.path.startswith("/api/"):
        return error
    return render_problem(error.code)
