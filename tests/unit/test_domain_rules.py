"""Domain rules checked with no database: a pool's settings and a donor's choice of gift are
refused, with the reason, before anything is written (the fast tier, like cosmicpython's unit tests:
a fake session stands in for the database, and records that nothing was written)."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask
from flask_babel import Babel

from funds.committees.models import Committee
from funds.donations.domain import GiftError, Limits, check_choice
from funds.pools.domain import PoolError, create_pool
from funds.pools.models import Pool

NAMES = {"en": ("Rent and food", "For anyone in the community.")}


class FakeSession:
    """Answers "is this address taken?" from a set of slugs, and keeps what would be written."""

    def __init__(self, taken: set[str] = frozenset()):
        self.taken = taken
        self.added: list[object] = []

    def scalar(self, query):
        slug = next((value for value in query.compile().params.values() if isinstance(value, str)), None)
        return 1 if slug in self.taken else None

    def add(self, row) -> None:
        self.added.append(row)

    def flush(self) -> None:
        raise AssertionError("a refused pool must not reach the database")


@pytest.fixture(autouse=True)
def page_in(request):
    """A French page, unless a test asks for another: refusals are read in the reader's language."""
    app = Flask(__name__)
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(Path(__file__).resolve().parents[2] / "funds" / "translations")
    lang = getattr(request, "param", "fr")
    Babel(app, locale_selector=lambda: lang)
    with app.test_request_context():
        yield lang


def refusal_of(work) -> str:
    with pytest.raises((PoolError, GiftError)) as refused:
        work()
    return str(refused.value)


@pytest.mark.parametrize(
    ("settings", "reason"),
    [
        ({"slug": "Rent & Food"}, "de 3 à 60 lettres minuscules"),
        ({"slug": "taken-pool"}, "« taken-pool » existe déjà"),
        ({"currency": "XYZ"}, "« XYZ »"),
        ({"request_cap": 0}, "supérieur à zéro"),
        ({"fast_track_limit": 60_000}, "ne peut pas dépasser le maximum d’une demande"),
        ({"quorum": 0}, "au moins une approbation"),
        ({"names": {"en": ("  ", "")}}, "un nom dans au moins une langue"),
        ({"frequency_cap": (0, 30)}, "au moins une aide"),
    ],
)
def test_a_pool_with_wrong_settings_is_refused_in_the_readers_language_before_anything_is_written(settings, reason):
    session = FakeSession(taken={"taken-pool"})
    chosen = {"slug": "rent-and-food", "currency": "PLN", "request_cap": 50_000, "names": NAMES, **settings}
    assert reason in refusal_of(lambda: create_pool(session, Committee(name="Peers"), **chosen))
    assert session.added == []


def pool(**overrides) -> Pool:
    return Pool(**{"id": 7, "slug": "rent-and-food", "currency": "PLN", "request_cap": 50_000, "is_open": True,
                   **overrides})


LIMITS = Limits(minimum=100, maximum=1_000_000)


@pytest.mark.parametrize("page_in", ["es"], indirect=True)
def test_a_donor_types_an_amount_as_their_language_writes_it():
    choice = check_choice(pool(), LIMITS, amount_text="1.000,50", currency="PLN", frequency="monthly",
                          public_name="  Ana ", locale="es")
    assert (choice.pool_id, choice.amount, choice.frequency, choice.public_name) == (7, 100_050, "monthly", "Ana")


@pytest.mark.parametrize(
    ("choice", "reason", "field"),
    [
        ({"amount_text": "0,50"}, "1,00", "custom_amount"),
        ({"amount_text": "20 000"}, "10\u202f000,00\u00a0PLN", "custom_amount"),
        ({"amount_text": "beaucoup"}, "en chiffres", "custom_amount"),
        ({"currency": "EUR"}, "en PLN", "currency"),
        ({"frequency": "weekly"}, "une fois ou chaque mois", "frequency"),
    ],
)
def test_a_gift_outside_the_pools_rules_is_refused_with_the_reason_beside_its_field(choice, reason, field):
    chosen = {"amount_text": "25", "currency": "PLN", "frequency": "once", "public_name": None, "locale": "fr",
              **choice}
    with pytest.raises(GiftError) as refused:
        check_choice(pool(), LIMITS, **chosen)
    assert reason in str(refused.value) and refused.value.field == field


def test_a_closed_pool_takes_no_gift_and_says_so():
    with pytest.raises(GiftError) as refused:
        check_choice(pool(is_open=False), LIMITS, amount_text="25", currency="PLN", frequency="once",
                     public_name=None, locale="fr")
    assert refused.value.status == 409 and "fermé" in str(refused.value)
