"""The grants as 360Giving data: ``/api/v1/grants.360giving.json`` (the standard's data package)
and ``/api/v1/grants.360giving.csv`` (its flat table), public, up to the horizon."""

from __future__ import annotations

from flask import Flask, current_app, jsonify, url_for

from funds.db import get_session
from funds.horizon import current
from funds.web.downloads import csv_download

from .. import giving360
from . import api_blueprint, not_public


def funder(app: Flask) -> giving360.Funder:
    config = app.extensions["ayni.config"]
    return giving360.Funder(prefix=config.giving360_prefix, name=config.funder_name,
                            identifier=config.effective_funder_id, grant_reason=config.giving360_grant_reason,
                            id_key=config.effective_giving360_id_key)


def _package() -> dict:
    session = get_session()
    return giving360.package(session, current(current_app, session), funder(current_app),
                             lambda slug: url_for("donations.pool_page", slug=slug, _external=True))


@api_blueprint.get("/grants.360giving.json")
def grants_json():
    shown = _package()
    # The standard wants at least one grant in a package.
    if not shown["grants"]:
        return not_public("a paid grant")
    response = jsonify(shown)
    response.headers["Content-Disposition"] = f'inline; filename="{shown["identifier"]}.json"'
    return response


@api_blueprint.get("/grants.360giving.csv")
def grants_csv():
    shown = _package()
    return csv_download(giving360.CSV_HEADER, giving360.csv_rows(shown), f"{shown['identifier']}.csv")
