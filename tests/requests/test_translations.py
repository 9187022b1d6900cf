"""Every recipient page speaks en, fr, es, ar and zh completely; Arabic reads right to left."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from funds.vocabulary import LANGUAGES

from .conftest import codename_in

ROOT = Path(__file__).resolve().parents[2]
CATALOGUES = ROOT / "funds" / "translations"
#: what the recipient pages are made of (babel.cfg extracts the whole project the same way)
RECIPIENT_SOURCES = [
    ("funds/requests", [("**.py", "python")]),
    ("funds", [("privacy.py", "python"), ("money.py", "python")]),
    ("funds/web", [("**.py", "python")]),
    ("templates", [("base.html", "jinja2"), ("problem.html", "jinja2"), ("requests/**.html", "jinja2")]),
]
KEYWORDS = {"_": None, "gettext": None, "_l": None, "lazy_gettext": None}


def recipient_msgids() -> set[str]:
    found = set()
    for folder, method_map in RECIPIENT_SOURCES:
        for _file, _line, message, _comments, _context in extract_from_dir(
            ROOT / folder, method_map, keywords=KEYWORDS, comment_tags=()
        ):
            found.add(message if isinstance(message, str) else message[0])
    return found


def test_every_string_of_the_recipient_pages_is_translated_in_every_language():
    msgids = recipient_msgids()
    assert len(msgids) > 100
    for lang in LANGUAGES:
        with open(CATALOGUES / lang / "LC_MESSAGES" / "messages.po", "rb") as po:
            catalog = read_po(po)
        with open(CATALOGUES / lang / "LC_MESSAGES" / "messages.mo", "rb") as mo:
            compiled = read_mo(mo)
        for msgid in msgids:
            message = catalog.get(msgid)
            assert message is not None and message.string and not message.fuzzy, f"{lang}: {msgid!r}"
            assert compiled.get(msgid) is not None and compiled.get(msgid).string == message.string, (
                f"{lang}: messages.mo is older than messages.po; run pybabel compile"
            )
            assert set(re.findall(r"%\(\w+\)\w", msgid)) == set(re.findall(r"%\(\w+\)\w", message.string)), msgid


def _pages(client, ask, look_up, lang):
    asked = ask(lang=lang)
    codename = codename_in(asked)
    pages = {
        "form": client.get(f"/request?lang={lang}"),
        "codename": asked,
        "status": look_up(codename, lang=lang),
        "lookup": client.get(f"/status?lang={lang}"),
        "errors": ask(lang=lang, amount="0", contact=""),
        "too long": client.post(f"/request?lang={lang}", data={"note": "x" * 70_000}),
    }
    return {name: response.get_data(as_text=True) for name, response in pages.items()}


@pytest.mark.parametrize("lang", ["fr", "es", "ar", "zh"])
def test_pages_in_another_language_show_no_english_sentence(client, ask, look_up, pools, lang):
    english = [m for m in recipient_msgids() if len(m) >= 12 and " " in m]
    with open(CATALOGUES / lang / "LC_MESSAGES" / "messages.po", "rb") as po:
        catalog = read_po(po)
    for name, page in _pages(client, ask, look_up, lang).items():
        text = re.sub(r"<[^>]+>", " ", page).replace("&#39;", "'").replace("&#34;", '"')
        assert f'<html lang="{lang}" dir="{"rtl" if lang == "ar" else "ltr"}">' in page, name
        for msgid in english:
            # the longest run of English between placeholders ("%(time)s (UTC)" has none worth looking for)
            fragment = max(re.split(r"%\(\w+\)\w", msgid), key=len).strip()
            if catalog.get(msgid).string != msgid and len(fragment) >= 12:
                assert fragment not in text, f"{lang} {name}: {msgid!r}"


def test_every_page_offers_every_language_by_plain_links(client, pools):
    page = client.get("/request?pool=medical&lang=zh").get_data(as_text=True)
    for lang in ("en", "fr", "es", "ar"):
        assert re.search(rf'href="/request\?pool=medical&amp;lang={lang}"', page), lang
    assert 'aria-current="page">中文' in page


def test_english_pages_read_left_to_right_and_arabic_right_to_left(client, pools):
    assert '<html lang="en" dir="ltr">' in client.get("/request").get_data(as_text=True)
    arabic = client.get("/request", headers={"Accept-Language": "ar-EG,ar;q=0.9"}).get_data(as_text=True)
    assert '<html lang="ar" dir="rtl">' in arabic and "اطلب الدعم" in arabic
