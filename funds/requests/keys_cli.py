"""``flask --app app committee add-key``: give a member a public key from the command line.

For deployments (and the demo) where members cannot yet make keys in their browser. The member
makes the key pair on their own device and hands over only the public half, e.g.::

    python -c "from nacl.public import PrivateKey; import base64; k = PrivateKey.generate(); \\
      print('private (keep it):', base64.b64encode(bytes(k)).decode()); \\
      print('public (give it):', base64.b64encode(bytes(k.public_key)).decode())"
"""

from __future__ import annotations

import base64
import binascii
import hashlib

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import select

from ..db import in_transaction
from ..pools.models import Committee, Member


def parse_public_key(text: str) -> bytes:
    text = text.strip()
    try:
        raw = bytes.fromhex(text) if len(text) == 64 else base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise click.BadParameter("give the public key as base64 (44 characters) or hex (64)") from None
    if len(raw) != 32:
        raise click.BadParameter("an X25519 public key is exactly 32 bytes")
    return raw


@click.command("add-key")
@with_appcontext
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
