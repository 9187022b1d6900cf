"""Demo data a newcomer can click through: one committee, three pools, a few gifts."""

from __future__ import annotations

import base64

import click
from nacl.public import PrivateKey
from sqlalchemy import select
from sqlalchemy.orm import Session

from .donations.domain import record_offline_gift
from .donations.money import plain_amount
from .pools.domain import create_pool
from .pools.models import Committee, Member, Pool


def provision_demo_keys(members: list[Member]) -> None:
    """Give each demo member a key pair so the demo accepts requests. Only the public halves are
    stored; the private halves are printed once, for whoever runs the demo, and then forgotten."""
    for member in members:
        private = PrivateKey.generate()
        member.public_key = bytes(private.public_key)
        shown = base64.b64encode(bytes(private)).decode()
        click.echo(f"demo key of {member.display_name} (private, shown once): {shown}")


def seed(session: Session) -> bool:
    """Create the demo committee, pools and gifts once; returns False if they were there."""
    if session.scalar(select(Pool.id).limit(1)) is not None:
        return False
    committee = Committee(name="Warsaw peer committee")
    session.add(committee)
    members = [
        Member(committee=committee, display_name=name, role=role)
        for name, role in (("Ala", "coordinator"), ("Basia", "member"), ("Celina", "treasurer"))
    ]
    session.add_all(members)
    provision_demo_keys(members)
    general = create_pool(
        session, committee, slug="where-most-needed", currency="PLN", goal=5_500_000, request_cap=100_000,
        quorum=2, fast_track_limit=20_000, is_default=True,
        names={
            "en": ("Where most needed", "Emergency support for anyone in our community, no questions asked."),
            "fr": ("Là où c'est le plus utile", "Un soutien d'urgence pour toute personne de notre communauté."),
            "es": ("Donde más se necesita", "Apoyo de emergencia para cualquier persona de nuestra comunidad."),
            "ar": ("حيث الحاجة أكبر", "دعم طارئ لأي شخص في مجتمعنا، دون أسئلة."),
            "zh": ("最需要的地方", "为社区中任何人提供紧急支持，不问缘由。"),
        },
    )
    create_pool(
        session, committee, slug="medical", currency="PLN", goal=2_000_000, request_cap=150_000,
        frequency_cap=(2, 365), quorum=2,
        names={
            "en": ("Medical fund", "Care, medicine and tests, up to twice a year per person."),
            "fr": ("Fonds santé", "Soins, médicaments et examens, jusqu'à deux fois par an."),
            "es": ("Fondo de salud", "Atención, medicinas y pruebas, hasta dos veces al año."),
            "ar": ("صندوق الصحة", "رعاية وأدوية وفحوص، حتى مرتين في السنة."),
            "zh": ("医疗基金", "看病、买药和检查，每人每年最多两次。"),
        },
    )
    create_pool(
        session, committee, slug="rent-and-food", currency="PLN", goal=3_000_000, request_cap=80_000,
        names={
            "en": ("Rent and food", "Rent arrears, groceries and parcels."),
            "fr": ("Loyer et nourriture", "Loyers en retard, courses et colis."),
            "es": ("Alquiler y comida", "Alquiler atrasado, compras y paquetes de comida."),
            "ar": ("الإيجار والطعام", "إيجار متأخر، مشتريات غذائية وطرود."),
            "zh": ("房租和食物", "拖欠的房租、日常食品和物资包。"),
        },
    )
    # Gifts a treasurer recorded, each with its receipt; two donors chose a name to be thanked by.
    for amount, name in ((250_000, "Sex workers' collective"), (50_000, None), (12_000, "Marta")):
        record_offline_gift(session, general, 10**12, amount_text=plain_amount(amount, "PLN"), method="bank-transfer",
                            public_name=name)
    return True


#: Demo sign-ins for the Warsaw committee: (display name, login name). Local use only: the dev
#: command refuses to run in production, and these never exist anywhere else.
DEMO_LOGINS = (("Ala", "ala"), ("Basia", "basia"), ("Celina", "celina"))
DEMO_PASSWORD = "demo password"  # noqa: S105 - printed by `flask dev` on purpose
#: one shared TOTP secret, so a newcomer can get codes with a one-liner instead of a phone
DEMO_TOTP_SECRET = "AYNIDEMOAYNIDEMOAYNIDEMOAYNIDEMO"  # noqa: S105 - published on purpose


def seed_logins(session: Session, config) -> bool:
    """Give the demo committee's members sign-ins (once); returns False if they had them."""
    from .committees.accounts import create_account
    from .committees.models import MemberAccount, now

    added = False
    for name, login in DEMO_LOGINS:
        member = session.scalar(select(Member).where(Member.display_name == name))
        if member is None or session.get(MemberAccount, member.id) is not None:
            continue
        account = create_account(session, config, member, login, DEMO_PASSWORD)
        account.totp_secret = DEMO_TOTP_SECRET
        account.totp_enrolled_at = now()
        added = True
    return added


def demo_logins_text() -> str:
    roles = ", ".join(f"{login} ({name})" for name, login in DEMO_LOGINS)
    return (
        f"committee demo sign-in at /committee/login: {roles}; password {DEMO_PASSWORD!r}; code: "
        f".venv/bin/python -c \"import pyotp; print(pyotp.TOTP('{DEMO_TOTP_SECRET}').now())\""
    )
