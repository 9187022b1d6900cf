"""A treasurer records a gift received in cash or by bank transfer, and gets its receipt.

Only for the treasurer's (or coordinator's) own committee's pools: another committee's is a 404.
"""

from __future__ import annotations

from flask import current_app, redirect, render_template, url_for
from flask_babel import get_locale

from funds.committees.access import committee_required, current_member
from funds.db import get_session
from funds.pools import scope
from funds.web.refusals import show

from .. import domain
from ..forms import OfflineGiftForm
from . import blueprint


@blueprint.route("/committee/pools/<slug>/offline-gifts/new", methods=["GET", "POST"])
@committee_required(role="treasurer")
def record_offline_gift(slug: str):
    session = get_session()
    pool = scope.get_pool_by_slug_for_member(session, current_member(), slug)
    lang = str(get_locale() or "en")
    form = OfflineGiftForm()
    error, status = None, 200
    if form.validate_on_submit():
        try:
            gift = domain.record_offline_gift(
                session, pool, current_app.extensions["ayni.config"].offline_gift_maximum,
                amount_text=form.amount.data, method=form.method.data, public_name=form.public_name.data,
                locale=lang,
            )
        except domain.GiftError as refusal:
            error, status = show(refusal, form), refusal.status
        else:
            return redirect(url_for("donations.receipt", token=gift.token), 303)
    elif form.is_submitted():
        status = 400
    return render_template("donations/offline.html", form=form, pool=pool, pool_name=pool.text(lang).name,
                           error=error), status
