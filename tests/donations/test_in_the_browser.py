"""A donor in a real browser (chromium) gives on a pool page; localstripe charges the card and its
signed webhook raises the pool's total."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.sqlite_only, pytest.mark.browser]


@pytest.fixture
def donor_page(page, live_server, localstripe, config, pool):
    localstripe.send_webhooks_to(f"{live_server}/stripe/webhook", config.stripe_webhook_secret)
    problems: list[str] = []

    def watch(message) -> None:
        # Errors only (a CSP refusal would show here); the browser's own favicon guess is not ours,
        # and a refused card is answered 402 (by Stripe, and by our card page), which it logs.
        if message.type == "error" and "favicon" not in message.location.get("url", "") \
                and "status of 402" not in message.text:
            problems.append(message.text)

    page.on("console", watch)
    page.goto(f"{live_server}/pools/mutual-aid")
    yield page
    assert problems == []


def enter_card(page, number: str = "4242 4242 4242 4242") -> None:
    """Type into the card field (localstripe's stand-in for Stripe's Element)."""
    card = page.locator("#card-element")
    card.get_by_placeholder("number").fill(number.replace(" ", ""))
    card.get_by_placeholder("exp_month").fill("12")
    card.get_by_placeholder("exp_year").fill("34")
    card.get_by_placeholder("cvc").fill("123")
    card.get_by_placeholder("postal_code").fill("00001")


def see_raised(page, live_server: str, amount: str) -> None:
    """Reload the pool page until the webhook has been booked (it comes about a second later)."""
    page.goto(f"{live_server}/pools/mutual-aid")
    for _attempt in range(30):
        if page.locator("#raised").inner_text() == amount:
            return
        page.wait_for_timeout(500)
        page.reload()
    expect(page.locator("#raised")).to_have_text(amount)


def test_a_donor_gives_25_once_with_a_test_card_and_sees_the_pool_rise(donor_page, live_server):
    page = donor_page
    expect(page.locator("#raised")).to_have_text("PLN\xa00.00")
    page.get_by_label("25.00").check()
    page.get_by_label("Once").check()
    page.get_by_role("button", name="Continue to card details").click()
    expect(page.get_by_role("heading", name="Your card")).to_be_visible()
    enter_card(page)
    page.get_by_role("button", name="Give PLN\xa025.00").click()
    page.wait_for_url(re.compile(r"/gifts/[A-Za-z0-9_-]{22}$"))
    expect(page.locator(".status")).to_contain_text("Received and booked in the public ledger", timeout=15_000)
    see_raised(page, live_server, "PLN\xa025.00")


def test_a_donor_gives_25_every_month_and_sees_the_first_month_raise_the_pool(donor_page, live_server):
    page = donor_page
    page.get_by_label("25.00").check()
    page.get_by_label("Every month").check()
    page.get_by_label("Name to thank in public").fill("Basia's book club")
    page.get_by_role("button", name="Continue to card details").click()
    enter_card(page)
    page.get_by_role("button", name="Give PLN\xa025.00 every month").click()
    page.wait_for_url(re.compile(r"/monthly/[A-Za-z0-9_-]{22}$"))
    expect(page.locator(".status")).to_have_text("Active", timeout=15_000)
    see_raised(page, live_server, "PLN\xa025.00")
    expect(page.locator(".thanked")).to_contain_text("Basia's book club")


SPANISH_DECLINE = "Tu banco rechazó esta tarjeta. Prueba con otra tarjeta o pregunta a tu banco por qué."


@pytest.mark.parametrize("declined", ["4000 0000 0000 0341", "4000 0000 0000 0002"])
def test_a_declined_card_is_told_in_spanish_and_another_card_gives_in_one_step(donor_page, live_server, declined):
    """0341 is declined when charged (our server answers), 0002 when saved (Stripe.js answers)."""
    page = donor_page
    page.goto(f"{live_server}/pools/mutual-aid?lang=es")
    page.get_by_label("Escribe otra cantidad").fill("37,50")
    page.get_by_role("button", name="Continuar a los datos de la tarjeta").click()
    enter_card(page, declined)
    page.get_by_role("button", name=re.compile("^Donar .*37,50")).click()
    if declined.endswith("0341"):
        expect(page.locator(".problem")).to_have_text(SPANISH_DECLINE)
    else:
        expect(page.locator("#card-status")).to_have_text(SPANISH_DECLINE)
    # the same gift, in Spanish, with the card field back: another card is one step
    expect(page.locator("html")).to_have_attribute("lang", "es")
    expect(page.locator(".summary")).to_contain_text("37,50")
    enter_card(page)
    page.get_by_role("button", name=re.compile("^Donar .*37,50")).click()
    page.wait_for_url(re.compile(r"/gifts/[A-Za-z0-9_-]{22}$"))
    expect(page.locator("html")).to_have_attribute("lang", "es")
    expect(page.locator(".status")).to_contain_text("Recibido", timeout=15_000)
    see_raised(page, live_server, "PLN\xa037.50")


def test_without_javascript_a_declined_card_returns_to_the_card_step_in_french(
    browser, live_server, localstripe, config, pool
):
    """Our pages without JavaScript; the card itself is saved at localstripe with the requests its
    stand-in Stripe.js makes (Stripe's card field cannot work without JavaScript)."""
    from tests.donations.test_giving_by_card import DECLINED_ON_CHARGE, save_card

    localstripe.send_webhooks_to(f"{live_server}/stripe/webhook", config.stripe_webhook_secret)
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{live_server}/pools/mutual-aid?lang=fr")
    page.get_by_role("button", name="Continuer vers la carte bancaire").click()
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    # no card entered: told so in French, with the way back
    page.get_by_role("button", name=re.compile("^Donner")).click()
    expect(page.get_by_role("alert")).to_contain_text("Aucune carte n'a été saisie")
    save_card(localstripe, page.content(), DECLINED_ON_CHARGE)
    page.get_by_role("button", name=re.compile("^Donner")).click()
    expect(page.get_by_role("alert")).to_have_text(
        "Votre banque a refusé cette carte. Merci d'essayer une autre carte, ou de demander la raison à votre banque.")
    save_card(localstripe, page.content())
    page.get_by_role("button", name=re.compile("^Donner")).click()
    page.wait_for_url(re.compile(r"/gifts/[A-Za-z0-9_-]{22}$"))
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    for _attempt in range(30):  # the receipt reloads itself (a Refresh header) until the webhook is booked
        if "Reçu" in page.locator(".status").inner_text():
            break
        page.wait_for_timeout(500)
        page.reload()
    expect(page.locator(".status")).to_contain_text("Reçu")
    context.close()


def test_a_donor_who_chose_arabic_reads_arabic_from_the_pool_page_to_the_receipt(donor_page, live_server):
    page = donor_page
    page.goto(f"{live_server}/pools/mutual-aid?lang=ar")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    page.get_by_role("button", name="تابع إلى بيانات البطاقة").click()
    expect(page.locator("html")).to_have_attribute("lang", "ar")
    enter_card(page)
    page.locator("#give-button").click()
    page.wait_for_url(re.compile(r"/gifts/[A-Za-z0-9_-]{22}$"))
    expect(page.locator("html")).to_have_attribute("lang", "ar")
    expect(page.locator("h1")).to_have_text("شكرًا لك")
    expect(page.locator(".status")).to_contain_text("وصل وسُجّل", timeout=15_000)
