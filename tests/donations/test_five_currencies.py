"""In a forint, króna, yen, dinar or złoty pool, what people type is what the pages and the books say.

A coordinator types the pool's cap, a person asks on /request, a donor gives on the give form, each
in their own language; the cap shown, the request's status page, the card page, the receipt, the
committee's dashboard, the pool page and the ledger's postings all agree, in Stripe's minor units
of the pool's currency.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from nacl.public import PrivateKey
from sqlalchemy import select

from funds.committees.models import Member
from funds.donations.models import Gift
from funds.money import format_money
from funds.pools import accounts
from funds.pools.models import Pool
from funds.requests.models import Request
from ledger import schema
from tests.conftest import csrf_token_on
from tests.requests.conftest import codename_in, token

from .conftest import event


@dataclass(frozen=True)
class Story:
    currency: str
    lang: str
    #: (what is typed, the minor units it means) for the pool's cap, a request and a gift
    cap: tuple[str, int]
    asked: tuple[str, int]
    gift: tuple[str, int]


STORIES = [
    Story("PLN", "fr", cap=("1 000", 100_000), asked=("250,50", 25_050), gift=("25,50", 2_550)),
    Story("HUF", "en", cap=("100,000", 10_000_000), asked=("5 000", 500_000), gift=("2500", 250_000)),
    Story("ISK", "es", cap=("50.000", 5_000_000), asked=("7.500", 750_000), gift=("1500", 150_000)),
    Story("JPY", "zh", cap=("30,000", 30_000), asked=("１２３４５", 12_345), gift=("2,500", 2_500)),
    Story("KWD", "ar", cap=("1000", 1_000_000), asked=("١٢٫٥", 12_500), gift=("5.250", 5_250)),
]


@pytest.fixture
def coordinator(run, make_committee, make_member, client_of):
    """A signed-in coordinator whose committee can read requests (the coordinator holds a key)."""
    committee_id, _pool_id = make_committee("Peer committee", "first-pool")
    person = make_member(committee_id, "coordinator")
    run(lambda s: setattr(s.get(Member, person.id), "public_key", bytes(PrivateKey.generate().public_key)))
    return client_of(person)


def create_pool(client, story: Story, **fields):
    lang = story.lang
    page = client.get(f"/committee/pools/new?lang={lang}").get_data(as_text=True)
    form = {"csrf_token": csrf_token_on(page), "slug": "aid", "currency": story.currency, "goal": "0",
            "request_cap": story.cap[0], "fast_track_limit": "0", "quorum": "2", "is_open": "y",
            "name_en": "Emergency aid", **fields}
    return client.post(f"/committee/pools/new?lang={lang}", data=form)


def ask(client, story: Story, amount: str):
    form = {"csrf_token": token(client, f"/request?lang={story.lang}"), "lang": story.lang, "pool": "aid",
            "amount": amount, "category": "food", "method": "cash", "contact": "Signal +48 600 100 200"}
    return client.post("/request", data=form)


def give(client, story: Story, amount: str):
    page = client.get(f"/pools/aid?lang={story.lang}").get_data(as_text=True)
    form = {"csrf_token": csrf_token_on(page), "currency": story.currency, "preset": "other", "custom_amount": amount,
            "frequency": "once"}
    return client.post(f"/pools/aid/give?lang={story.lang}", data=form)


@pytest.mark.parametrize("story", STORIES, ids=[story.currency for story in STORIES])
def test_what_people_type_is_what_the_pages_and_the_books_say(
    client, coordinator, run, stripe, config, deliver, close_day, story
):
    currency, lang = story.currency, story.lang
    shown = lambda minor: format_money(minor, currency, lang)  # noqa: E731

    assert create_pool(coordinator, story).status_code == 303
    pool = run(lambda s: s.scalar(select(Pool).where(Pool.slug == "aid")))
    assert (pool.currency, pool.request_cap) == (currency, story.cap[1])

    # A person asks, in their language; the form shows the cap as they read amounts.
    assert shown(story.cap[1]) in client.get(f"/request?lang={lang}").get_data(as_text=True)
    asked = ask(client, story, story.asked[0])
    assert asked.status_code == 200, asked.get_data(as_text=True)
    assert run(lambda s: s.scalar(select(Request.amount))) == story.asked[1]
    status = client.post("/status", data={"csrf_token": token(client, f"/status?lang={lang}"), "lang": lang,
                                          "codename": codename_in(asked)})
    assert shown(story.asked[1]) in status.get_data(as_text=True)

    # A donor gives, in their language; the card page, the receipt, the pool and the books agree.
    card_step = give(client, story, story.gift[0])
    assert card_step.status_code == 303, card_step.get_data(as_text=True)
    gift = run(lambda s: s.scalar(select(Gift)))
    assert (gift.amount, gift.currency) == (story.gift[1], currency)
    card_page = client.get(f"{card_step.headers['Location']}?lang={lang}").get_data(as_text=True)
    assert shown(story.gift[1]) in card_page
    intent = stripe.client.v1.payment_intents.create(params={
        "amount": gift.amount, "currency": currency.lower(), "payment_method": "pm_card_visa", "confirm": True,
        "payment_method_types": ["card"], "metadata": {"ayni_gift": str(gift.id), "ayni_origin": config.ledger_origin},
    })
    assert deliver(event("payment_intent.succeeded", intent.to_dict())).status_code == 200
    booked = run(lambda s: s.get(Gift, gift.id))
    postings = run(lambda s: s.execute(
        select(schema.accounts.c.code, schema.accounts.c.currency, schema.postings.c.amount)
        .join_from(schema.postings, schema.accounts).where(schema.postings.c.entry_seq == booked.entry_seq)
    ).all())
    assert {tuple(posting) for posting in postings} == {
        (accounts.donations("stripe", currency), currency, -story.gift[1]),
        (accounts.available(pool.id), currency, story.gift[1]),
    }
    receipt = client.get(f"/gifts/{booked.token}?lang={lang}").get_data(as_text=True)
    assert shown(story.gift[1]) in receipt
    assert shown(story.gift[1]) in coordinator.get(f"/committee/?lang={lang}").get_data(as_text=True)
    close_day()
    raised = re.search(r'<dd id="raised">([^<]+)</dd>', client.get(f"/pools/aid?lang={lang}").get_data(as_text=True))
    assert raised.group(1) == shown(story.gift[1])


def test_a_dinar_cap_that_reads_two_ways_is_asked_back_and_what_was_typed_stays(run, coordinator):
    story = STORIES[-1]
    response = create_pool(coordinator, story, request_cap="1,000")
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert f"Did you mean {format_money(1_000_000, 'KWD', 'ar')} or {format_money(1000, 'KWD', 'ar')}?" not in page
    assert f"هل تقصد {format_money(1_000_000, 'KWD', 'ar')} أم {format_money(1000, 'KWD', 'ar')}؟" in page
    assert 'value="1,000"' in page
    assert run(lambda s: s.scalar(select(Pool).where(Pool.slug == "aid"))) is None


@pytest.mark.parametrize(("lang", "typed", "question"), [
    ("en", "1,000", "Did you mean KWD\xa01,000.000 or KWD\xa01.000?"),
    ("es", "1.000", "¿Quisiste decir 1.000,000\xa0KWD o 1,000\xa0KWD?"),
])
def test_a_person_asking_for_1000_in_a_dinar_pool_is_asked_which_they_mean(client, coordinator, run, lang, typed,
                                                                           question):
    story = Story("KWD", lang, cap=("5000", 5_000_000), asked=(typed, 0), gift=("", 0))
    assert create_pool(coordinator, story).status_code == 303
    response = ask(client, story, typed)
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and question in page and f'value="{typed}"' in page
    assert run(lambda s: s.scalar(select(Request))) is None


def test_a_pool_in_a_currency_stripe_cannot_charge_is_refused_in_the_readers_language(run, coordinator):
    response = create_pool(coordinator, Story("XYZ", "fr", cap=("100", 0), asked=("", 0), gift=("", 0)))
    assert response.status_code == 400
    assert "Nous ne pouvons pas accepter « XYZ » : choisissez une monnaie dans la liste." in response.get_data(
        as_text=True)
    assert run(lambda s: s.scalar(select(Pool).where(Pool.slug == "aid"))) is None
