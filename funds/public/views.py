"""Public pages."""

from flask import Blueprint, render_template

blueprint = Blueprint("public", __name__)


@blueprint.get("/")
def home():
    return render_template("public/home.html")
