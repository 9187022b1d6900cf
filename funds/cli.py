"""``flask --app app ledger ...`` and ``flask --app app db ...``."""

from __future__ import annotations

import sys

import click
from flask import current_app
from flask.cli import AppGroup

from ledger import audit, export
from ledger.errors import LedgerError

from . import migrate
from .books import app_signer
from .db import in_transaction, snapshot_session
from .scheduler import run_job

ledger_cli = AppGroup("ledger", help="Export, verify and checkpoint the books.")
db_cli = AppGroup("db", help="Database schema.")


def _sessionmaker():
    return current_app.extensions["ayni.sessionmaker"]


@ledger_cli.command("export")
@click.option("--format", "fmt", type=click.Choice(export.FORMATS), default="jsonl", show_default=True)
@click.option("--out", type=click.Path(dir_okay=False, writable=True), help="File to write (default: stdout).")
@click.option("--published", is_flag=True,
              help="Only the public books (entries of closed days): the bytes /api/v1/ledger/export.* serves.")
def export_command(fmt: str, out: str | None, published: bool) -> None:
    """Write the books as JSONL (verifiable), CSV or Beancount."""
    from .transparency.exports import write_published
    from .transparency.horizon import today

    origin = current_app.extensions["ayni.config"].ledger_origin
    on = today(current_app)

    def write(session, stream) -> None:
        if published:
            write_published(session, fmt, stream, origin=origin, on=on)
        else:
            export.write(session, fmt, stream, origin=origin)

    with snapshot_session(_sessionmaker()) as session:
        if out:
            with open(out, "wb") as stream:
                write(session, stream)
        else:
            write(session, sys.stdout.buffer)
            sys.stdout.flush()


@ledger_cli.command("verify")
def verify_command() -> None:
    """Rebuild every entry, the tree and the balances; exit 1 naming the first bad entry."""
    with snapshot_session(_sessionmaker()) as session:
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
    from .transparency.checkpoints import note_at, sign_published
    from .transparency.horizon import horizon, today

    config = current_app.extensions["ayni.config"]
    signer = app_signer(current_app)
    on = today(current_app)

    def sign(session) -> str | None:
        if published:
            signed = sign_published(session, signer, config.ledger_origin, on)
            return signed or note_at(session, horizon(session, on))
        return audit.checkpoint(session, signer, config.ledger_origin)

    try:
        note = in_transaction(_sessionmaker(), sign)
    except LedgerError as error:
        click.echo(f"FAILED: {error}", err=True)
        sys.exit(1)
    click.echo(note or "", nl=False)


@ledger_cli.command("public-key")
def public_key_command() -> None:
    """Print the verifier key that checks this service's checkpoints."""
    click.echo(app_signer(current_app).vkey)


@db_cli.command("upgrade")
def upgrade_command() -> None:
    """Apply every migration."""
    migrate.upgrade(current_app.extensions["ayni.engine"])
    click.echo("database is up to date")


@click.command("dev")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True)
def dev_command(host: str, port: int) -> None:
    """Migrate, add demo data, and serve the app for local use."""
    from . import demo

    config = current_app.extensions["ayni.config"]
    if config.environment == "production":
        # demo data includes sign-ins with a published password
        raise click.ClickException("`flask dev` is for local use; it never runs with AYNI_ENVIRONMENT=production")
    migrate.upgrade(current_app.extensions["ayni.engine"])
    if in_transaction(_sessionmaker(), lambda session: demo.seed(session, config)):
        click.echo("demo data added: three pools of the Warsaw peer committee and three weeks of their books")
        run_job(current_app, "sign-checkpoints")  # so receipts and the ledger offer proofs at once
    in_transaction(_sessionmaker(), lambda session: demo.seed_logins(session, config))
    click.echo(demo.demo_logins_text())
    from werkzeug.serving import run_simple

    stand_in = _local_stripe(host, port)
    click.echo(f"Ayni is running at http://{host}:{port}/ (Ctrl-C to stop)")
    try:
        run_simple(host, port, current_app._get_current_object(), threaded=True)
    finally:
        if stand_in is not None:
            stand_in.stop()


def _local_stripe(host: str, port: int):
    """Unless real Stripe keys are configured, run localstripe beside the app and point the app,
    Stripe.js and the webhook at it, so a test gift works on a fresh machine with no account."""
    import secrets

    from .donations.localstripe import SECRET_KEY, LocalStripe

    app = current_app._get_current_object()
    config = app.extensions["ayni.config"]
    if config.stripe_secret_key != SECRET_KEY:
        return None
    server = LocalStripe.start()
    secret = f"whsec_{secrets.token_hex(16)}"
    app.extensions["ayni.config"] = server.configure(config, secret)
    app.extensions.pop("ayni.stripe", None)
    server.send_webhooks_to(f"http://{host}:{port}/stripe/webhook", secret)
    click.echo(f"localstripe (a stand-in for Stripe) is at {server.url}: give with card 4242 4242 4242 4242, "
               "any future expiry date and any CVC")
    return server
