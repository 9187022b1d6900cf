"""A member's key: made in the browser, public half stored here; and a page to check it opens."""

from __future__ import annotations

import base64

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _

from funds.db import get_session

from .. import keys
from ..access import current_member
from ..forms import PublicKeyForm
from . import blueprint


@blueprint.route("/key", methods=["GET", "POST"])
def key():
    member = current_member()
    form = PublicKeyForm()
    error = None
    if form.validate_on_submit():
        try:
            keys.save_public_key(get_session(), member, form.public_key.data, replace=form.replace.data)
        except keys.PublicKeyError as refused:
            error = str(refused)
        else:
            flash(_("Your public key is saved. Check below that your browser can open a sealed message."))
            return redirect(url_for(".key_check"))
    public_key = bytes(member.public_key) if member.public_key is not None else None
    return render_template(
        "committees/key.html",
        form=form,
        member=member,
        error=error,
        public_key=base64.b64encode(public_key).decode("ascii") if public_key else "",
        fingerprint=keys.fingerprint(public_key) if public_key else "",
    ), (422 if error or form.errors else 200)


@blueprint.get("/key/check")
def key_check():
    member = current_member()
    if member.public_key is None:
        return redirect(url_for(".key"))
    public_key = bytes(member.public_key)
    message = _("Your key works: this message was sealed on the server and opened in your browser.")
    return render_template(
        "committees/key_check.html",
        member=member,
        sealed=keys.seal(public_key, message.encode("utf-8")),
        public_key=base64.b64encode(public_key).decode("ascii"),
        fingerprint=keys.fingerprint(public_key),
    )
