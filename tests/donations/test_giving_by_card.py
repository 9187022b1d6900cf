"""Giving by card, page by page, with localstripe as Stripe and its own signed webhooks.

The browser's part (Stripe.js saving the card) is done here with the same requests localstripe's
stand-in Stripe.js makes; tests/donations/test_in_the_browser.py runs the real script in chromium.
"""

from __future__ import annotations

import re
import time

import requests

from funds.donations.localstripe import PUBLISHABLE_KEY
from funds.donations.models import Gift, MonthlyGift
from tests.conftest import csrf_token_on

VISA = "4242424242424242"
DECLINED_ON_CHARGE = "4000000000000341"
NEEDS_THE_BANK = "4000002500003155"


def give(client, slug: str, **fields) -> str:
    """Fill in the give form on the pool page; returns the card page's address."""
    token = csrf_token_on(client.get(f"/pools/{slug}").get_data(as_text=True))
    form = {"csrf_token": token, "currency": "PLN", "preset": "25.00", "frequency": "once", **fields}
    response = client.post(f"/pools/{slug}/give", data=form)
    assert response.status_code == 303, response.get_data(as_text=True)
    return response.headers["Location"]


def save_card(localstripe, card_page: str, number: str = VISA) -> dict:
    """What Stripe.js's confirmCardSetup does: send the card to the SetupIntent."""
    secret = re.search(r'data-setup-secret="([^"]+)"', card_page).group(1)
    setup_intent = secret.split("_secret_")[0]
    body = {"key": PUBLISHABLE_KEY, "use_stripe_sdk": True, "client_secret": secret,
            "payment_method_data": {"type": "card", "card": {"number": number, "exp_month": "12",
                                                             "exp_year": "2034", "cvc": "123"}}}
    answer = requests.post(f"{localstripe.url}/v1/setup_intents/{setup_intent}/confirm", json=body, timeout=10)
    if answer.json().get("status") == "requires_action":
        # The donor completes the bank's check in the stand-in's dialog.
        answer = requests.post(f"{localstripe.url}/v1/setup_intents/{setup_intent}/confirm", timeout=10,
                               json={"key": PUBLISHABLE_KEY, "use_stripe_sdk": True, "client_secret": secret})
    return answer.json()


def pay(client, card_url: str):
    page = client.get(card_url).get_data(as_text=True)
    return client.post(card_url, data={"csrf_token": csrf_token_on(page)}), page


def wait_for_raised(client, slug: str, amount: int, seconds: float = 15) -> dict:
    deadline = time.monotonic() + seconds
    while True:
        shown = client.get(f"/api/v1/pools/{slug}").json
        if shown["raised"] >= amount or time.monotonic() > deadline:
            return shown
        time.sleep(0.2)


def test_a_donor_gives_25_once_and_the_pool_rises_when_stripes_webhook_arrives(
    client, live_server, localstripe, config, pool, run
):
    localstripe.send_webhooks_to(f"{live_server}/stripe/webhook", config.stripe_webhook_secret)
    card_url = give(client, "mutual-aid", public_name="Ana")
    # The card page alone lets Stripe.js in: from the configured host, and nothing else from elsewhere.
    policy = client.get(card_url).headers["Content-Security-Policy"]
    assert f"script-src 'self' {localstripe.url};" in policy and "frame-ancestors 'none'" in policy
    assert save_card(localstripe, client.get(card_url).get_data(as_text=True))["status"] == "succeeded"
    response, _page = pay(client, card_url)
    assert response.status_code == 303
    receipt_url = response.headers["Location"]
    assert re.fullmatch(r"/gifts/[A-Za-z0-9_-]{22}", receipt_url)
    shown = wait_for_raised(client, "mutual-aid", 2500)
    assert (shown["raised"], shown["available"], shown["supporters"]) == (2500, 2500, 1)
    receipt = client.get(receipt_url).get_data(as_text=True)
    assert "Received and booked in the public ledger" in receipt
    assert "Ana" in client.get("/pools/mutual-aid").get_data(as_text=True)
    gift = run(lambda s: s.query(Gift).one())
    assert (gift.status, gift.amount, gift.public_name) == ("paid", 2500, "Ana")


def test_a_monthly_donor_sees_their_first_month_booked_and_can_stop(
    client, live_server, localstripe, config, pool, run, stripe
):
    localstripe.send_webhooks_to(f"{live_server}/stripe/webhook", config.stripe_webhook_secret)
    card_url = give(client, "mutual-aid", frequency="monthly", preset="other", custom_amount="40,00")
    save_card(localstripe, client.get(card_url).get_data(as_text=True))
    response, _page = pay(client, card_url)
    monthly_url = response.headers["Location"]
    assert re.fullmatch(r"/monthly/[A-Za-z0-9_-]{22}", monthly_url)
    assert wait_for_raised(client, "mutual-aid", 4000)["raised"] == 4000
    page = client.get(monthly_url).get_data(as_text=True)
    assert "Active" in page and "PLN\xa040.00" in page
    stop = {"csrf_token": csrf_token_on(page)}
    asked = client.post(f"{monthly_url}/stop", data=stop).get_data(as_text=True)
    # the donor is asked once more, with the amount and the pool, before the gift stops
    assert "Stop your monthly gift?" in asked and "PLN\xa040.00" in asked
    assert run(lambda s: s.query(MonthlyGift).one()).status != "stopped"
    stopped = client.post(f"{monthly_url}/stop", data={**stop, "confirmed": "yes"})
    assert stopped.status_code == 303
    monthly = run(lambda s: s.query(MonthlyGift).one())
    assert monthly.status == "stopped"
    assert stripe.client.v1.subscriptions.retrieve(monthly.stripe_subscription_id).status == "canceled"


def test_a_declined_card_is_told_why_and_books_nothing(client, localstripe, pool, run):
    card_url = give(client, "mutual-aid")
    save_card(localstripe, client.get(card_url).get_data(as_text=True), DECLINED_ON_CHARGE)
    response, _page = pay(client, card_url)
    assert response.status_code == 402
    assert "Your bank declined this card. Please try another card" in response.get_data(as_text=True)
    assert client.get("/api/v1/pools/mutual-aid").json["raised"] == 0
    assert run(lambda s: s.query(Gift).one().status) == "pending"


def test_a_card_declined_in_spanish_is_told_in_spanish_and_another_card_is_one_step(
    client, live_server, localstripe, config, pool, run
):
    localstripe.send_webhooks_to(f"{live_server}/stripe/webhook", config.stripe_webhook_secret)
    token = csrf_token_on(client.get("/pools/mutual-aid?lang=es").get_data(as_text=True))
    chosen = {"csrf_token": token, "currency": "PLN", "preset": "other", "custom_amount": "37,50", "frequency": "once"}
    card_url = client.post("/pools/mutual-aid/give?lang=es", data=chosen).headers["Location"]
    first = client.get(card_url).get_data(as_text=True)
    save_card(localstripe, first, DECLINED_ON_CHARGE)
    declined = client.post(card_url, data={"csrf_token": csrf_token_on(first)})
    page = declined.get_data(as_text=True)
    # Spanish without ?lang in the address: the gift keeps its donor's language
    assert declined.status_code == 402 and 'lang="es"' in page
    assert '<p class="problem" role="alert">Tu banco rechazó esta tarjeta' in page and "Your card" not in page
    # the same gift, and a card field for the next card on a fresh SetupIntent
    assert "37,50" in page and 'id="card-element"' in page and 'id="give-button"' in page
    assert re.search(r'data-setup-secret="([^"]+)"', page).group(1) not in first
    save_card(localstripe, page)
    paid = client.post(card_url, data={"csrf_token": csrf_token_on(page)})
    assert paid.status_code == 303
    assert wait_for_raised(client, "mutual-aid", 3750)["raised"] == 3750
    receipt = client.get(paid.headers["Location"]).get_data(as_text=True)
    assert 'lang="es"' in receipt and "Recibido" in receipt
    assert run(lambda s: s.query(Gift).one().status) == "paid"


def test_without_javascript_no_card_is_saved_and_the_donor_is_told_so_in_their_language(client, localstripe, pool):
    token = csrf_token_on(client.get("/pools/mutual-aid?lang=fr").get_data(as_text=True))
    form = {"csrf_token": token, "currency": "PLN", "preset": "25.00", "frequency": "once"}
    card_url = client.post("/pools/mutual-aid/give?lang=fr", data=form).headers["Location"]
    response, _page = pay(client, card_url)
    page = response.get_data(as_text=True)
    assert response.status_code == 402 and 'lang="fr"' in page
    assert "Aucune carte n'a été saisie" in page and 'id="give-button"' in page
    assert "Choisir un autre montant ou une autre façon de donner" in page


def test_a_monthly_gift_declined_then_given_with_another_card_starts(
    client, live_server, localstripe, config, pool, run
):
    localstripe.send_webhooks_to(f"{live_server}/stripe/webhook", config.stripe_webhook_secret)
    card_url = give(client, "mutual-aid", frequency="monthly")
    save_card(localstripe, client.get(card_url).get_data(as_text=True), DECLINED_ON_CHARGE)
    declined, _page = pay(client, card_url)
    assert declined.status_code == 402 and 'id="card-element"' in declined.get_data(as_text=True)
    assert run(lambda s: s.query(MonthlyGift).one().status) == "pending"
    save_card(localstripe, declined.get_data(as_text=True))
    started = client.post(card_url, data={"csrf_token": csrf_token_on(declined.get_data(as_text=True))})
    assert started.status_code == 303
    assert wait_for_raised(client, "mutual-aid", 2500)["raised"] == 2500
    assert run(lambda s: s.query(MonthlyGift).one().status) == "active"


def test_a_donor_who_chose_arabic_reads_arabic_on_every_page_of_the_gift(client, live_server, localstripe, config,
                                                                        pool, stripe):
    localstripe.send_webhooks_to(f"{live_server}/stripe/webhook", config.stripe_webhook_secret)
    token = csrf_token_on(client.get("/pools/mutual-aid?lang=ar").get_data(as_text=True))
    form = {"csrf_token": token, "currency": "PLN", "preset": "25.00", "frequency": "monthly"}
    card_url = client.post("/pools/mutual-aid/give?lang=ar", data=form).headers["Location"]
    assert "lang=" not in card_url
    card_page = client.get(card_url).get_data(as_text=True)
    assert 'lang="ar" dir="rtl"' in card_page
    save_card(localstripe, card_page)
    monthly_url = client.post(card_url, data={"csrf_token": csrf_token_on(card_page)}).headers["Location"]
    wait_for_raised(client, "mutual-aid", 2500)
    monthly = client.get(monthly_url).get_data(as_text=True)
    assert 'lang="ar"' in monthly
    asked = client.post(f"{monthly_url}/stop", data={"csrf_token": csrf_token_on(monthly)})
    assert 'lang="ar"' in asked.get_data(as_text=True)
    stopped = client.post(f"{monthly_url}/stop", data={"csrf_token": csrf_token_on(monthly), "confirmed": "yes"})
    assert 'lang="ar"' in client.get(stopped.headers["Location"]).get_data(as_text=True)
    month = re.search(r'href="(/gifts/[^"?]+)', client.get(monthly_url).get_data(as_text=True)).group(1)
    assert 'lang="ar"' in client.get(month).get_data(as_text=True)
    # the address still wins when the donor picks another language
    assert 'lang="fr"' in client.get(f"{monthly_url}?lang=fr").get_data(as_text=True)


def test_when_the_bank_asks_the_donor_confirms_and_the_gift_is_booked(
    client, live_server, localstripe, config, pool
):
    localstripe.send_webhooks_to(f"{live_server}/stripe/webhook", config.stripe_webhook_secret)
    card_url = give(client, "mutual-aid")
    save_card(localstripe, client.get(card_url).get_data(as_text=True), NEEDS_THE_BANK)
    response, _page = pay(client, card_url)
    assert response.status_code == 200
    secret = re.search(r'data-confirm-secret="([^"]+)"', response.get_data(as_text=True)).group(1)
    # What confirmCardPayment does in the stand-in Stripe.js when the donor completes the check.
    intent = secret.split("_secret_")[0]
    answer = requests.post(f"{localstripe.url}/v1/payment_intents/{intent}/_authenticate?success=true",
                           json={"key": PUBLISHABLE_KEY, "client_secret": secret}, timeout=10)
    assert answer.json()["status"] == "succeeded"
    assert wait_for_raised(client, "mutual-aid", 2500)["raised"] == 2500
