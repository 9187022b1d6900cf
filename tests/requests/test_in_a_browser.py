"""Real browsers, no JavaScript needed: asking in French and in Arabic gives a codename."""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.sqlite_only, pytest.mark.browser]


@pytest.mark.parametrize(
    ("lang", "button", "saved"),
    [("fr", "Envoyer ma demande", "Merci, votre demande a été envoyée"), ("ar", "أرسل طلبي", "شكرًا، تم إرسال طلبك")],
)
def test_a_person_asks_in_their_language_and_keeps_their_codename(live_server, browser, pools, lang, button, saved):
    context = browser.new_context(java_script_enabled=False, locale=lang)
    page = context.new_page()
    page.goto(f"{live_server}/request?lang={lang}")
    assert page.locator("html").get_attribute("dir") == ("rtl" if lang == "ar" else "ltr")
    page.fill("#amount", "٤٠" if lang == "ar" else "40,50")
    page.check("input[name=category][value=food]")
    page.check("input[name=method][value=mobile-money]")
    page.fill("#contact", "Signal +33 6 00 00 00 00")
    page.click(f"text={button}")
    codename = page.locator(".codename").inner_text().strip()
    assert len(codename.split()) == 4
    page.fill("#typed", codename)
    page.click("main form button[type=submit]")
    assert saved in page.locator("h1").inner_text()
    context.close()
