"""The public ledger API: entries, checkpoints, proofs, exports and the impact report.

Every answer stops at the horizon (entries booked before today, UTC). Numbers in addresses and
query strings are read strictly (:mod:`.params`): a bad one is a 400 with a reason, and an
entry or checkpoint that is not public is a 404 that reads the same whether it exists or not.
"""

from __future__ import annotations

from flask import Response, current_app, jsonify, request, url_for

from funds.books import app_signer
from funds.db import get_session
from funds.horizon import current
from ledger.export import FORMATS

from .. import checkpoints, entries, exports, impact, params, witnessing
from ..disclosure import deciders as published_deciders
from . import api_blueprint, not_public

DEFAULT_LIMIT = 100


def _origin() -> str:
    return current_app.extensions["ayni.config"].ledger_origin


def _text(body: str, *, cache: str | None = None) -> Response:
    response = Response(body, content_type="text/plain; charset=utf-8")
    if cache:
        response.headers["Cache-Control"] = cache
    return response


@api_blueprint.get("/ledger")
def index():
    session = get_session()
    public = current(current_app, session)
    return jsonify(
        origin=_origin(),
        public_key=app_signer(current_app).vkey,
        published={"size": public.size, "closed_through": public.closed_through.isoformat()},
        latest_checkpoint=checkpoints.latest_size(session, public),
        links={
            "entries": url_for(".list_entries", _external=True),
            "latest_checkpoint": url_for(".latest_checkpoint", _external=True),
            "public_key": url_for(".public_key", _external=True),
            "witnesses": url_for(".witnesses", _external=True),
            **{f"export_{fmt}": url_for(".download", fmt=fmt, _external=True) for fmt in FORMATS},
        },
    )


@api_blueprint.get("/ledger/entries")
def list_entries():
    after = params.after_seq(request.args.get("after"))
    limit = params.number("limit", request.args.get("limit"), default=DEFAULT_LIMIT, low=1, high=entries.MAX_LIMIT)
    session = get_session()
    public = current(current_app, session)
    found = entries.after(session, public, after, limit)
    more = len(found) == limit and found[-1].seq < public.size - 1
    return jsonify(
        published={"size": public.size, "closed_through": public.closed_through.isoformat()},
        entries=[entry.as_json() for entry in found],
        next=url_for(".list_entries", after=found[-1].seq, limit=limit, _external=True) if more else None,
    )


@api_blueprint.get("/ledger/entries/<seq>")
def show_entry(seq: str):
    number = params.number("seq", seq)
    found = entries.one(get_session(), current(current_app, get_session()), number)
    return jsonify(found.as_json()) if found else not_public(f"entry {number}")


@api_blueprint.get("/ledger/entries/<seq>/proof")
def inclusion_proof(seq: str):
    number = params.number("seq", seq)
    session = get_session()
    public = current(current_app, session)
    if not public.covers(number):
        return not_public(f"entry {number}")
    latest = checkpoints.latest_size(session, public)
    default = latest if latest is not None and latest > number else public.size
    size = params.number("size", request.args.get("size"), default=default, low=number + 1, high=public.size)
    return jsonify(checkpoints.inclusion(session, _origin(), number, size))


@api_blueprint.get("/ledger/consistency")
def consistency_proof():
    session = get_session()
    public = current(current_app, session)
    if public.size == 0:
        return not_public("a consistency proof")
    new_size = params.number("to", request.args.get("to"), default=public.size, low=1, high=public.size)
    old_size = params.number("from", request.args.get("from"), low=1, high=new_size)
    return jsonify(checkpoints.consistency(session, _origin(), old_size, new_size))


@api_blueprint.get("/ledger/checkpoints/latest")
def latest_checkpoint():
    session = get_session()
    note = witnessing.public_note(session, current(current_app, session))
    return _text(note) if note else not_public("a signed checkpoint")


@api_blueprint.get("/ledger/checkpoints/<size>")
def checkpoint(size: str):
    number = params.number("size", size)
    session = get_session()
    # Not immutable: witnesses' cosignatures are added to a checkpoint as they arrive.
    note = witnessing.public_note(session, current(current_app, session), number)
    return _text(note) if note else not_public(f"a checkpoint of {number} entries")


@api_blueprint.get("/ledger/witnesses")
def witnesses():
    """Who co-signs our checkpoints: the keys to give ``python -m ledger.verify --witness``."""
    return jsonify(
        witnesses=[
            {"label": w.label, "name": w.vkey.split("+", 1)[0], "public_key": w.vkey, "url": w.url,
             "asked": w.retired_at is None}
            for w in witnessing.listed(get_session(), with_retired=True)
        ]
    )


@api_blueprint.get("/ledger/public-key")
def public_key():
    return _text(app_signer(current_app).vkey + "\n")


@api_blueprint.get("/ledger/export.<fmt>")
def download(fmt: str):
    if fmt not in FORMATS:
        raise params.ParameterError("format", f"must be one of {', '.join(FORMATS)}")
    return exports.response(current_app._get_current_object(), fmt)


@api_blueprint.get("/ledger/deciders")
def deciders():
    return jsonify(committees=published_deciders(get_session()))


@api_blueprint.get("/impact")
def impact_report():
    session = get_session()
    shown = impact.report(session, current(current_app, session).day_start)
    return jsonify(
        closed_through=shown.closed_through.isoformat(),
        threshold=shown.threshold,
        rows=[dict(zip(impact.CSV_HEADER, row, strict=True)) for row in impact.csv_rows(shown)],
    )
