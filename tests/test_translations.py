"""Donors and visitors read Ayni in fr, es, ar and zh completely: the home page, pool pages, the
give and card pages, receipts and the API's reasons; Arabic reads right to left.

(Recipient pages have their own test: tests/requests/test_translations.py.)
"""

from __future__ import annotations

import html
import re
from datetime import date
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from funds.books import app_signer
from funds.committees.models import Committee
from funds.donations.domain import record_offline_gift
from funds.donations.models import Gift, MonthlyGift
from funds.pools import accounts
from funds.pools.domain import add_round, create_pool
from funds.pools.models import Pool
from funds.vocabulary import LANGUAGES
from ledger import audit, store
from ledger.entry import Entry, Posting
from tests.conftest import csrf_token_on
from tests.donations import conftest as donor_fixtures
from tests.donations.conftest import event

# The donor tests' fixtures: the app pointed at localstripe, card gifts, signed webhooks.
config, localstripe, stripe = donor_fixtures.config, donor_fixtures.localstripe, donor_fixtures.stripe
charged_gift, deliver = donor_fixtures.charged_gift, donor_fixtures.deliver

ROOT = Path(__file__).resolve().parents[1]
CATALOGUES = ROOT / "funds" / "translations"
#: what donor and public pages are made of (babel.cfg extracts the whole project the same way)
DONOR_SOURCES = [
    ("funds/donations", [("**.py", "python")]),
    ("funds/pools", [("**.py", "python")]),
    ("funds/public", [("**.py", "python")]),
    ("funds/web", [("**.py", "python")]),
    ("funds", [("money.py", "python")]),
    ("templates", [("base.html", "jinja2"), ("problem.html", "jinja2"), ("public/**.html", "jinja2"),
                   ("pools/**.html", "jinja2"), ("donations/**.html", "jinja2")]),
]
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "_l": None, "lazy_gettext": None}
PLACEHOLDER = re.compile(r"%\(\w+\)\w")
NAMES = {
    "en": ("Rent and food", "For anyone in the community."),
    "fr": ("Loyer et nourriture", "Pour toute personne de la communauté."),
    "es": ("Alquiler y comida", "Para cualquier persona de la comunidad."),
    "ar": ("الإيجار والطعام", "لأي شخص في المجتمع."),
    "zh": ("房租和食物", "帮助社区里的任何人。"),
}


def donor_msgids() -> set[str]:
    found = set()
    for folder, method_map in DONOR_SOURCES:
        for _file, _line, message, _comments, _context in extract_from_dir(
            ROOT / folder, method_map, keywords=KEYWORDS, comment_tags=()
        ):
            found.add(message if isinstance(message, str) else message[0])
    return found


def catalogue(lang: str):
    with open(CATALOGUES / lang / "LC_MESSAGES" / "messages.po", "rb") as po:
        return read_po(po)


def test_every_string_of_the_donor_and_public_pages_is_translated_in_every_language():
    msgids = donor_msgids()
    assert len(msgids) > 150
    for lang in LANGUAGES:
        catalog = catalogue(lang)
        with open(CATALOGUES / lang / "LC_MESSAGES" / "messages.mo", "rb") as mo:
            compiled = read_mo(mo)
        for msgid in msgids:
            message = catalog.get(msgid)
            assert message is not None and message.string and not message.fuzzy, f"{lang}: {msgid!r}"
            assert compiled.get(msgid) is not None and compiled.get(msgid).string == message.string, (
                f"{lang}: messages.mo is older than messages.po; run pybabel compile"
            )
            assert sorted(PLACEHOLDER.findall(msgid)) == sorted(PLACEHOLDER.findall(message.string)), (lang, msgid)


@pytest.fixture
def pool(run):
    """An open pool named in every language, with a round; and a closed one."""

    def work(session):
        committee = Committee(name="Peer committee")
        session.add(committee)
        session.flush()
        found = create_pool(session, committee, slug="mutual-aid", currency="PLN", goal=1_000_000,
                            request_cap=100_000, names=NAMES)
        closed = create_pool(session, committee, slug="closed", currency="PLN", request_cap=100_000, names=NAMES)
        closed.is_open = False
        add_round(session, found, name="2026-03", budget=1_200_000, target_recipients=40,
                  opens_on=date(2026, 3, 1), closes_on=date(2026, 3, 31))
        return found.id

    return run(work)


@pytest.fixture
def receipts(app, config, run, pool, deliver, charged_gift) -> dict[str, str]:
    """A card gift (covered by a signed checkpoint), a named cash gift, payouts, a pending monthly gift."""
    gift_id, intent = charged_gift(2500)
    assert deliver(event("payment_intent.succeeded", intent)).status_code == 200
    offline = run(lambda s: record_offline_gift(s, s.get(Pool, pool), 10**9, amount_text="150", method="cash",
                                                public_name="Zofia").token)
    for number, (category, amount) in enumerate((("food", 3000), ("rent", 2000))):
        run(lambda s, c=category, a=amount, n=number: store.post(s, Entry(f"test:payout:{n}", "transfer", (
            Posting(accounts.available(pool), "PLN", -a), Posting(accounts.paid(pool, c), "PLN", a),
        ), {"what": "payout", "pool": "mutual-aid"})))
    run(lambda s: audit.checkpoint(s, app_signer(app), config.ledger_origin))

    def monthly(session):
        row = MonthlyGift(pool_id=pool, amount=1000, currency="PLN")
        session.add(row)
        session.flush()
        return row.token

    return {"card": run(lambda s: s.get(Gift, gift_id).token), "offline": offline, "monthly": run(monthly)}


def give(client, lang: str, **fields):
    token = csrf_token_on(client.get(f"/pools/mutual-aid?lang={lang}").get_data(as_text=True))
    form = {"csrf_token": token, "currency": "PLN", "preset": "25.00", "frequency": "once", **fields}
    return client.post(f"/pools/mutual-aid/give?lang={lang}", data=form)


def donor_pages(client, receipts: dict[str, str], lang: str) -> dict[str, str]:
    card_step = give(client, lang)
    assert card_step.status_code == 303, card_step.get_data(as_text=True)
    pending = re.search(r"/gifts/([^/]+)/pay", card_step.headers["Location"]).group(1)
    pages = {
        "home": client.get(f"/?lang={lang}"),
        "pools": client.get(f"/pools?lang={lang}"),
        "pool": client.get(f"/pools/mutual-aid?lang={lang}"),
        "closed pool": client.get(f"/pools/closed?lang={lang}"),
        "give": client.get(f"/pools/mutual-aid/give?lang={lang}"),
        "closed give": client.get(f"/pools/closed/give?lang={lang}"),
        "too small": give(client, lang, preset="other", custom_amount="0.50"),
        "not a number": give(client, lang, preset="other", custom_amount="twenty"),
        "no amount": give(client, lang, preset="other"),
        "bad email": give(client, lang, email="someone at home"),
        "name too long": give(client, lang, public_name="x" * 61),
        "card": client.get(f"/gifts/{pending}/pay?lang={lang}"),
        "card receipt": client.get(f"/gifts/{receipts['card']}?lang={lang}"),
        "cash receipt": client.get(f"/gifts/{receipts['offline']}?lang={lang}"),
        "pending receipt": client.get(f"/gifts/{pending}?lang={lang}"),
        "monthly": client.get(f"/monthly/{receipts['monthly']}?lang={lang}"),
    }
    for name, response in pages.items():
        assert response.status_code < 500, name
    return {name: response.get_data(as_text=True) for name, response in pages.items()}


def english_left(page: str, translated: dict[str, str]) -> list[str]:
    """The English source strings still on ``page``: sentences anywhere, short labels as whole texts."""
    flat = re.sub(r"\s+", " ", html.unescape(page))
    flat = re.sub(r">\s+", ">", re.sub(r"\s+<", "<", flat))
    found = []
    for msgid in translated:
        if len(msgid) >= 12 and " " in msgid:
            # the longest stretch of English between placeholders ("raised of a" in "%(raised)s raised of a ...")
            words = max(PLACEHOLDER.split(msgid), key=len).strip()
            if len(words) >= 8 and words in flat:
                found.append(msgid)
        elif "%(" not in msgid and (f">{msgid}<" in flat or f'="{msgid}"' in flat):
            found.append(msgid)
    return found


#: a sentence each page must show in the reader's language, so a page cannot pass by being empty
#: (with its values, where it has placeholders)
EXPECTED: dict[str, str | tuple[str, dict]] = {
    "home": "Ayni — mutual aid, by and for the community",
    "pools": "Pools you can give to",
    "pool": "Latest lines of the public ledger",
    "closed pool": "This pool is closed and takes no gifts now.",
    "give": "Continue to card details",
    "closed give": "This pool is closed and takes no gifts now.",
    "too small": "Back to the pool",
    "not a number": "Please write the amount in numbers, for example 250.",
    "no amount": "Please write an amount.",
    "bad email": "This does not look like an email address.",
    "name too long": ("Please keep this under %(max)d characters.", {"max": 60}),
    "card": "Card number, expiry date and security code",
    "card receipt": "In the public ledger",
    "cash receipt": "offline, recorded by the committee's treasurer",
    "pending receipt": "Not paid: the card step was not finished, and nothing was charged.",
    "monthly": "Stop my monthly gift",
}


@pytest.mark.parametrize("lang", ["fr", "es", "ar", "zh"])
def test_donor_and_public_pages_in_another_language_show_no_english(client, receipts, lang):
    catalog = catalogue(lang)
    translated = {m: catalog.get(m).string for m in donor_msgids() if catalog.get(m).string != m}
    pages = donor_pages(client, receipts, lang)
    assert set(pages) == set(EXPECTED)
    for name, page in pages.items():
        assert f'<html lang="{lang}" dir="{"rtl" if lang == "ar" else "ltr"}">' in page, name
        msgid, values = EXPECTED[name] if isinstance(EXPECTED[name], tuple) else (EXPECTED[name], None)
        assert (translated[msgid] % values if values else translated[msgid]) in html.unescape(page), name
        assert english_left(page, translated) == [], name
    assert NAMES[lang][0] in pages["pool"] and NAMES["en"][0] not in pages["pool"]


@pytest.mark.parametrize("lang", ["fr", "es", "ar", "zh"])
def test_the_api_gives_its_reasons_in_the_readers_language(client, pool, lang):
    answer = client.get(f"/api/v1/pools/no-such-pool?lang={lang}")
    wanted = catalogue(lang).get("There is no pool called “%(slug)s”.").string % {"slug": "no-such-pool"}
    assert answer.status_code == 404 and answer.json["error"] == wanted


def test_the_english_check_finds_english_left_on_a_page():
    translated = {"Where the pool stands": "Où en est le fonds", "Raised": "Collecté",
                  "%(raised)s raised of a %(goal)s goal": "%(raised)s collectés sur un objectif de %(goal)s"}
    assert english_left("<h2>Où en est le fonds</h2><dt>\n  Collecté </dt><p>1 € collectés</p>", translated) == []
    page = '<h2>Where the pool\n stands</h2><dt> Raised\n</dt><p>PLN 1.00 raised of a PLN 9.00 goal</p>'
    assert english_left(page, translated) == list(translated)
    assert english_left('<nav aria-label="Raised">', translated) == ["Raised"]
