"""``flask --app app dev``: migrate, add the demo fund, and serve the app with a local Stripe stand-in."""

from __future__ import annotations

import click
from flask import current_app

from funds import migrate
from funds.db import in_transaction
from funds.scheduler import JOBS, run_job

from . import data


@click.command("dev")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True)
def dev_command(host: str, port: int) -> None:
    """Migrate, add demo data, and serve the app for local use."""
    config = current_app.extensions["ayni.config"]
    if config.environment == "production":
        # demo data includes sign-ins with a published password
        raise click.ClickException("`flask dev` is for local use; it never runs with AYNI_ENVIRONMENT=production")
    migrate.upgrade(current_app.extensions["ayni.engine"])
    if in_transaction(current_app.extensions["ayni.sessionmaker"], lambda session: data.seed(session, config)):
        click.echo("demo data added: three pools of the Warsaw peer committee and three weeks of their books")
        run_job(current_app, "sign-checkpoints")  # so receipts and the ledger offer proofs at once
    in_transaction(current_app.extensions["ayni.sessionmaker"], lambda session: data.seed_logins(session, config))
    click.echo(data.demo_logins_text())
    from werkzeug.serving import run_simple

    stand_in = _local_stripe(host, port)
    jobs = _background_jobs(current_app._get_current_object())
    click.echo(f"Ayni is running at http://{host}:{port}/ (Ctrl-C to stop)")
    try:
        run_simple(host, port, current_app._get_current_object(), threaded=True)
    finally:
        jobs.shutdown(wait=False)
        if stand_in is not None:
            stand_in.stop()


def _background_jobs(app):
    """Every scheduled job, on its interval, in this one process (as ``flask scheduler`` runs them in
    a deployment): checkpoints are signed after midnight, reminders and the waitlist move on."""
    from apscheduler.schedulers.background import BackgroundScheduler

    scheduler = BackgroundScheduler(timezone="UTC")
    for registered in JOBS.values():
        scheduler.add_job(registered.run, "interval", seconds=registered.interval(app), args=[app],
                          id=registered.name, max_instances=1, coalesce=True)
    scheduler.start()
    click.echo(f"running {len(JOBS)} scheduled jobs in the background: {', '.join(sorted(JOBS))}")
    return scheduler


def _local_stripe(host: str, port: int):
    """Unless real Stripe keys are configured, run localstripe beside the app and point the app,
    Stripe.js and the webhook at it, so a test gift works on a fresh machine with no account."""
    import secrets

    from funds.donations.localstripe import SECRET_KEY, LocalStripe

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
