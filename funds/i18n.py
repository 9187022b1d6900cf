"""Languages: the person chooses (``?lang=`` or the form's ``lang`` field), else the language the
page's own record remembers (a gift keeps the language its donor gave in, :func:`use_page_language`),
else the language a signed-in committee member chose earlier (kept in their session,
:data:`SESSION_KEY`), else the browser's preference. Recipient and donor pages set no cookie for it. Arabic pages render
right-to-left."""

from __future__ import annotations

from flask import Flask, g, request, session
from flask_babel import Babel, get_locale, refresh

from .vocabulary import LANGUAGES, RTL_LANGUAGES

LANGUAGE_NAMES = {"en": "English", "fr": "Français", "es": "Español", "ar": "العربية", "zh": "中文"}


#: where a committee member's chosen language is kept between pages (their session cookie)
SESSION_KEY = "lang"


def chosen_language() -> str | None:
    """The language this request names, if it names one Ayni speaks."""
    chosen = request.values.get("lang", "")
    return chosen if chosen in LANGUAGES else None


def use_page_language(lang: str | None) -> None:
    """Speak ``lang`` on this page unless the address names a language: for records that remember
    their reader's language when a redirect or another site's return drops ``?lang``."""
    if lang in LANGUAGES:
        g.page_language = lang
        refresh()


def select_language() -> str:
    remembered = session.get(SESSION_KEY) if request.cookies else None
    return chosen_language() or g.get("page_language") or (remembered if remembered in LANGUAGES else None) or (
        request.accept_languages.best_match(LANGUAGES) or "en"
    )


def text_direction(lang: str) -> str:
    """``rtl`` for a language written right to left, else ``ltr`` (pages and charts alike)."""
    return "rtl" if lang in RTL_LANGUAGES else "ltr"


def init_app(app: Flask) -> None:
    Babel(app, locale_selector=select_language)

    @app.context_processor
    def _language():
        lang = str(get_locale() or "en")
        return {
            "lang": lang,
            "text_direction": text_direction(lang),
            "languages": LANGUAGE_NAMES,
        }
