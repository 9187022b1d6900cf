"""A fund whose card processor dropped it: with no Stripe keys it takes gifts by bank transfer and
offline, and no page offers a card."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from funds.config import Config
from funds.donations.models import Gift

from .test_bank_gifts import give_by_bank, set_account


@pytest.fixture
def config(config):
    return config.with_overrides(stripe_secret_key="", stripe_publishable_key="")


def test_with_no_stripe_keys_the_pool_takes_bank_transfers_and_no_page_offers_a_card(run, client, make_pool):
    make_pool(currency="EUR")
    set_account(run)
    offers = ("card details", "By card", "Stripe", "stripe", "Every month")
    for path in ("/pools/mutual-aid", "/pools/mutual-aid/give", "/", "/pools"):
        page = client.get(path).get_data(as_text=True)
        assert not [offer for offer in offers if offer in page], path
    give_page = client.get("/pools/mutual-aid/give").get_data(as_text=True)
    assert "Continue to the bank details" in give_page and "Every month" not in give_page
    response = give_by_bank(client, amount="30")
    assert response.status_code == 303
    gift = run(lambda s: s.scalar(select(Gift)))
    assert gift.status == "expected"
    assert client.get(f"/gifts/{gift.token}/pay").status_code == 404
    receipt = client.get(f"/gifts/{gift.token}").get_data(as_text=True)
    assert not [offer for offer in offers if offer in receipt] and "by bank transfer" in receipt


def test_a_card_gift_is_refused_without_stripe(run, client, make_pool):
    make_pool(currency="EUR")
    set_account(run)
    refused = give_by_bank(client, method="card")
    assert refused.status_code == 400 and "Choose how to give" in refused.get_data(as_text=True)
    assert run(lambda s: s.scalar(select(Gift))) is None


def test_a_pool_with_neither_cards_nor_an_account_says_how_to_ask(client, make_pool):
    make_pool(currency="EUR")
    page = client.get("/pools/mutual-aid").get_data(as_text=True)
    assert "please ask the committee how to give" in page and "<button type=\"submit\">" not in page


def test_production_runs_without_stripe_but_refuses_test_keys(monkeypatch):
    monkeypatch.setenv("AYNI_SECRET_KEY", "x" * 40)
    settings = dict(environment="production", ledger_signing_key="PRIVATE+KEY+x", codename_pepper="p" * 40)
    Config(**settings, stripe_secret_key="", stripe_publishable_key="").check()
    with pytest.raises(RuntimeError, match="live key"):
        Config(**settings, stripe_secret_key="sk_test_x", stripe_publishable_key="pk_test_x").check()
