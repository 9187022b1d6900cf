"""``flask --app app committee ...``: bootstrap a deployment's first coordinator, invite members,
and provision a member's public key (``add-key``, below)."""

from __future__ import annotations

import base64
import binascii
import hashlib

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import select

from funds.clock import now
from funds.db import in_transaction

from . import accounts, invitations, membership
from .models import ROLES, Committee, Member

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


# ``add-key``: ``flask --app app committee add-key``: give a member a public key from the command line.
#
# For deployments (and the demo) where members cannot yet make keys in their browser. The member
# makes the key pair on their own device and hands over only the public half, e.g.::
#
#     python -c "from nacl.public import PrivateKey; import base64; k = PrivateKey.generate(); \\
#       print('private (keep it):', base64.b64encode(bytes(k)).decode()); \\
#       print('public (give it):', base64.b64encode(bytes(k.public_key)).decode())"


def parse_public_key(text: str) -> bytes:
    text = text.strip()
    try:
        raw = bytes.fromhex(text) if len(text) == 64 else base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise click.BadParameter("give the public key as base64 (44 characters) or hex (64)") from None
    if len(raw) != 32:
        raise click.BadParameter("an X25519 public key is exactly 32 bytes")
    return raw


@committee_cli.command("add-key")
@click.option("--committee", "committee_name", required=True, help="The committee's name.")
@click.option("--member", "member_name", required=True, help="The member's display name (made if new).")
@click.option("--public-key", "public_key", required=True, help="X25519 public key, base64 or hex.")
@click.option("--replace", is_flag=True, help="Replace a key the member already has.")
def add_key_command(committee_name: str, member_name: str, public_key: str, replace: bool) -> None:
    """Set a committee member's public key; requests to the committee's pools are sealed to it."""
    key = parse_public_key(public_key)

    def work(session):
        committee = session.scalar(select(Committee).where(Committee.name == committee_name))
        if committee is None:
            raise click.ClickException(f"there is no committee called {committee_name!r}")
        member = session.scalar(
            select(Member).where(Member.committee_id == committee.id, Member.display_name == member_name)
        )
        if member is None:
            member = Member(committee=committee, display_name=member_name)
            session.add(member)
        elif member.public_key is not None and bytes(member.public_key) != key and not replace:
            raise click.ClickException(
                "this member already has a key; add --replace "
                "(what was sealed to the old key stays readable only with it)"
            )
        member.public_key = key
        session.flush()
        return member.id

    member_id = in_transaction(current_app.extensions["ayni.sessionmaker"], work)
    fingerprint = hashlib.sha256(key).hexdigest()[:16]
    click.echo(f"member {member_id} ({member_name}) of {committee_name}: key {fingerprint} set")
