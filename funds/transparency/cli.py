"""``flask --app app ledger ...``: export, verify and checkpoint the books."""

from __future__ import annotations

import sys

import click
from flask import current_app
from flask.cli import AppGroup

from funds.books import app_signer
from funds.db import in_transaction, snapshot_session
from funds.horizon import horizon, today
from ledger import audit, export
from ledger.errors import LedgerError

from .checkpoints import note_at, sign_published
from .exports import write_published

ledger_cli = AppGroup("ledger", help="Export, verify and checkpoint the books.")


@ledger_cli.command("export")
@click.option("--format", "fmt", type=click.Choice(export.FORMATS), default="jsonl", show_default=True)
@click.option("--out", type=click.Path(dir_okay=False, writable=True), help="File to write (default: stdout).")
@click.option("--published", is_flag=True,
              help="Only the public books (entries of closed days): the bytes /api/v1/ledger/export.* serves.")
def export_command(fmt: str, out: str | None, published: bool) -> None:
    """Write the books as JSONL (verifiable), CSV or Beancount."""
    origin = current_app.extensions["ayni.config"].ledger_origin
    on = today(current_app)

    def write(session, stream) -> None:
        if published:
            write_published(session, fmt, stream, origin=origin, on=on)
        else:
            export.write(session, fmt, stream, origin=origin)

    with snapshot_session(current_app.extensions["ayni.sessionmaker"]) as session:
        if out:
            with open(out, "wb") as stream:
                write(session, stream)
        else:
            write(session, sys.stdout.buffer)
            sys.stdout.flush()


@ledger_cli.command("verify")
def verify_command() -> None:
    """Rebuild every entry, the tree and the balances; exit 1 naming the first bad entry."""
    with snapshot_session(current_app.extensions["ayni.sessionmaker"]) as session:
        try:
            report = audit.verify(session)
        except LedgerError as error:
            click.echo(f"FAILED: {error}", err=True)
            sys.exit(1)
    click.echo(
        f"ok: {report.size} entries, root {report.root.hex()}, "
        f"{report.checkpoints_checked} checkpoints and {report.accounts_checked} balances agree"
    )


@ledger_cli.command("checkpoint")
@click.option("--published", is_flag=True,
              help="Sign the public books (entries of closed days) instead of the whole tree, as the job does.")
def checkpoint_command(published: bool) -> None:
    """Sign the current tree head if it extends the last checkpoint; print the signed note."""
    config = current_app.extensions["ayni.config"]
    signer = app_signer(current_app)
    on = today(current_app)

    def sign(session) -> str | None:
        if published:
            signed = sign_published(session, signer, config.ledger_origin, on)
            return signed or note_at(session, horizon(session, on))
        return audit.checkpoint(session, signer, config.ledger_origin)

    try:
        note = in_transaction(current_app.extensions["ayni.sessionmaker"], sign)
    except LedgerError as error:
        click.echo(f"FAILED: {error}", err=True)
        sys.exit(1)
    click.echo(note or "", nl=False)


@ledger_cli.command("public-key")
def public_key_command() -> None:
    """Print the verifier key that checks this service's checkpoints."""
    click.echo(app_signer(current_app).vkey)
