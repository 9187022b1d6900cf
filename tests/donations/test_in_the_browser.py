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
        # Errors only (a CSP refusal would show here); the browser's own favicon guess is not ours.
        if message.type == "error" and "favicon" not in message.location.get("url", ""):
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
