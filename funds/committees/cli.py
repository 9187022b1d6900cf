"""``flask --app app committee ...``: bootstrap a deployment's first coordinator, invite members."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import select

from funds.db import in_transaction
from funds.pools.models import Committee, Member

from . import accounts, invitations, membership
from .models import ROLES, now

committee_cli = AppGroup("committee", help="Committee accounts: the first coordinator, invitations.")


def _committee(session, name: str) -> Committee:
    committee = session.scalar(select(Committee).where(Committee.name == name))
    if committee is None:
        raise click.ClickException(f"there is no committee called {name!r}")
    return committee


@committee_cli.command("create-coordinator")
@click.option("--committee", "committee_name", required=True, help="Committee name (made if new).")
@click.option("--name", "display_name", required=True, help="The name others see.")
@click.option("--login", "login_name", required=True, help="The login name to sign in with.")
@click.password_option(help="Asked for if not given (use the prompt: it stays out of shell history).")
def create_coordinator_command(committee_name: str, display_name: str, login_name: str, password: str) -> None:
    """Make a coordinator who can sign in; they set up their phone code at the first sign-in."""
    config = current_app.extensions["ayni.config"]

    def work(session):
        committee = membership.create_committee(session, committee_name)
        member = Member(committee=committee, display_name=display_name, role="coordinator")
        session.add(member)
        session.flush()
        accounts.create_account(session, config, member, login_name, password)
        membership.record(session, "member-joined", member, by=None, role="coordinator")
        return committee.name

    try:
        name = in_transaction(current_app.extensions["ayni.sessionmaker"], work)
    except accounts.AccountError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"{display_name} is a coordinator of {name}; sign in at /committee/login as {login_name!r}")


@committee_cli.command("invite")
@click.option("--committee", "committee_name", required=True)
@click.option("--role", type=click.Choice(ROLES), default="member", show_default=True)
@click.option("--name", "display_name", default="", help="A suggested name for the new member.")
@click.option("--base-url", default="http://127.0.0.1:5000", show_default=True, help="Where members reach Ayni.")
def invite_command(committee_name: str, role: str, display_name: str, base_url: str) -> None:
    """Print a single-use invitation link (e.g. for a first coordinator on a fresh deployment)."""
    config = current_app.extensions["ayni.config"]

    def work(session):
        committee = _committee(session, committee_name)
        invitation, token = invitations.create_invitation(
            session, config, committee.id, role=role, display_name=display_name, moment=now()
        )
        return token, invitation.expires_at

    token, expires_at = in_transaction(current_app.extensions["ayni.sessionmaker"], work)
    click.echo(f"{base_url.rstrip('/')}/committee/join/{token}")
    click.echo(f"works once, until {expires_at:%Y-%m-%d %H:%M} UTC", err=True)
