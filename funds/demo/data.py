"""Demo data a newcomer can click through: one committee, three pools, and three weeks of its
life (gifts, people asking, supported by quorum and paid, one declined), so the public ledger,
the impact report and the pool pages have something to show; two requests wait for votes today.
"""

from __future__ import annotations

import base64
from datetime import UTC, date, datetime, time, timedelta

import click
from nacl.public import PrivateKey
from sqlalchemy import select
from sqlalchemy.orm import Session

from funds.committees.models import Committee, Member
from funds.decisions import payouts, votes
from funds.decisions.models import APPROVE, DECLINE
from funds.donations.domain import record_offline_gift
from funds.money import plain_amount
from funds.pools.domain import create_pool
from funds.pools.models import Pool
from funds.requests import domain as requests_domain
from ledger import store

#: how many days before today the demo fund began
HISTORY_DAYS = 21
#: gifts a treasurer recorded: (days ago, amount in grosze, the name the donor chose to be thanked by)
GIFTS = ((21, 250_000, "Sex workers' collective"), (17, 50_000, None), (8, 12_000, "Marta"))
#: people who asked: (days ago, amount, category, how they wanted it, what the committee did);
#: six rent grants, so the impact report can show them (a cell of fewer than five people is hidden)
ASKED = (
    (20, 60_000, "rent", "bank-transfer", "paid"),
    (18, 15_000, "rent", "cash", "paid"),
    (16, 45_000, "rent", "cash", "paid"),
    (13, 80_000, "rent", "bank-transfer", "paid"),
    (11, 20_000, "phone-data", "mobile-money", "declined"),
    (9, 50_000, "rent", "cash", "paid"),
    (5, 40_000, "rent", "voucher", "paid"),
    (0, 35_000, "medical", "cash", "waiting"),
    (0, 18_000, "food", "in-kind", "waiting"),
)


def provision_demo_keys(members: list[Member]) -> None:
    """Give each demo member a key pair so the demo accepts requests. Only the public halves are
    stored; the private halves are printed once, for whoever runs the demo, and then forgotten."""
    for member in members:
        private = PrivateKey.generate()
        member.public_key = bytes(private.public_key)
        shown = base64.b64encode(bytes(private)).decode()
        click.echo(f"demo key of {member.display_name} (private, shown once): {shown}")


def seed(session: Session, config) -> bool:
    """Create the demo committee, its pools and their history once; returns False if they were there."""
    if session.scalar(select(Pool.id).limit(1)) is not None:
        return False
    today = datetime.now(UTC).date()
    with store.booking_day(today - timedelta(days=HISTORY_DAYS)):
        general, members = _committee_and_pools(session)
    _history(session, config, general, members, today)
    return True


def _committee_and_pools(session: Session) -> tuple[Pool, list[Member]]:
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
    session.flush()
    return general, members


def _history(session: Session, config, general: Pool, members: list[Member], today: date) -> None:
    """The fund's three weeks, day by day and each thing booked on its day (the books' days never
    go backwards): gifts; people asking; two members deciding the next day; the treasurer paying
    the day after."""
    ala, basia, celina = members
    valid_for = timedelta(hours=config.vote_valid_hours)
    asked: dict[int, int] = {}  # place in ASKED -> request id
    for days_ago in range(HISTORY_DAYS, -1, -1):
        day = today - timedelta(days=days_ago)
        moment = datetime.combine(day, time(12), tzinfo=UTC)
        with store.booking_day(day):
            for gift_day, amount, name in GIFTS:
                if gift_day == days_ago:
                    record_offline_gift(session, general, 10**12, amount_text=plain_amount(amount, "PLN", "en"),
                                        method="bank-transfer", public_name=name)
            for number, (asked_day, amount, category, method, outcome) in enumerate(ASKED):
                if asked_day == days_ago:
                    asked[number] = requests_domain.ask(
                        session, pool=general, amount=amount, category=category, method=method,
                        contact=f"Signal: demo-person-{number}", note="A demo request: nobody real.", payout="",
                        lang="en", pepper=config.effective_codename_pepper, now=moment,
                    ).request.id
                elif asked_day == days_ago + 1 and outcome != "waiting":
                    choice, reason = (APPROVE, "") if outcome == "paid" else (DECLINE, "We could not this month.")
                    for member in (ala, basia):
                        votes.cast(session, member, asked[number], choice, reason=reason, valid_for=valid_for,
                                   now=moment)
                elif asked_day == days_ago + 2 and outcome == "paid":
                    payouts.record_payout(session, celina, asked[number], method=method, reference="demo", now=moment)


#: Demo sign-ins for the Warsaw committee: (display name, login name). Local use only: the dev
#: command refuses to run in production, and these never exist anywhere else.
DEMO_LOGINS = (("Ala", "ala"), ("Basia", "basia"), ("Celina", "celina"))
DEMO_PASSWORD = "demo password"  # noqa: S105 - printed by `flask dev` on purpose
#: one shared TOTP secret, so a newcomer can get codes with a one-liner instead of a phone
DEMO_TOTP_SECRET = "AYNIDEMOAYNIDEMOAYNIDEMOAYNIDEMO"  # noqa: S105 - published on purpose


def seed_logins(session: Session, config) -> bool:
    """Give the demo committee's members sign-ins (once); returns False if they had them."""
    from funds.clock import now
    from funds.committees.accounts import create_account
    from funds.committees.models import MemberAccount

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
