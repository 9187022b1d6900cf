"""Public pages."""

from flask import Blueprint, render_template

from funds.committees.access import public_blueprint

#: open to everyone: the guard in funds/committees/access.py lets marked blueprints through
blueprint = public_blueprint(Blueprint("public", __name__))


@blueprint.get("/")
def home():
    return render_template("public/home.html")
