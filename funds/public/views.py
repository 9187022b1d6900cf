"""The home page: what Ayni is, and where to give, ask or check the books."""

from flask import Blueprint, render_template

from funds.web.access import public_blueprint

blueprint = public_blueprint(Blueprint("public", __name__))


@blueprint.get("/")
def home():
    return render_template("public/home.html")
