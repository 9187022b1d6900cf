"""Demo data a newcomer can click through: one committee, three pools, a few gifts."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ledger import store
from ledger.entry import Entry, Posting

from .pools import accounts
from .pools.domain import create_pool
from .pools.models import Committee, Member, Pool


def seed(session: Session) -> bool:
    """Create the demo committee, pools and gifts once; returns False if they were there."""
    if session.scalar(select(Pool.id).limit(1)) is not None:
        return False
    committee = Committee(name="Warsaw peer committee")
    session.add(committee)
    for name, role in (("Ala", "coordinator"), ("Basia", "member"), ("Celina", "treasurer")):
        session.add(Member(committee=committee, display_name=name, role=role))
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
        names={"en": ("Medical fund", "Care, medicine and tests, up to twice a year per person.")},
    )
    create_pool(
        session, committee, slug="rent-and-food", currency="PLN", goal=3_000_000, request_cap=80_000,
        names={"en": ("Rent and food", "Rent arrears, groceries and parcels.")},
    )
    for number, amount in enumerate((250_000, 50_000, 12_000), start=1):
        store.post(
            session,
            Entry(
                key=f"demo:offline-gift:{number}",
                kind="transfer",
                postings=(
                    Posting(accounts.donations("offline", "PLN"), "PLN", -amount),
                    Posting(accounts.available(general.id), "PLN", amount),
                ),
                meta={"what": "gift", "source": "offline", "pool": general.slug},
            ),
        )
    return True
