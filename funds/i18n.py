"""Languages: the person chooses (``?lang=`` or the form's ``lang`` field), else the browser's
preference; no cookie is set for it. Arabic pages render right-to-left."""

from __future__ import annotations

from flask import Flask, request
from flask_babel import Babel, get_locale

from .vocabulary import LANGUAGES, RTL_LANGUAGES

LANGUAGE_NAMES = {"en": "English", "fr": "Français", "es": "Español", "ar": "العربية", "zh": "中文"}


def select_language() -> str:
    chosen = request.values.get("lang", "")
    if chosen in LANGUAGES:
        return chosen
    return request.accept_languages.best_match(LANGUAGES) or "en"


def init_app(app: Flask) -> None:
    Babel(app, locale_selector=select_language)

    @app.context_processor
    def _language():
        lang = str(get_locale() or "en")
        return {
            "lang": lang,
            "text_direction": "rtl" if lang in RTL_LANGUAGES else "ltr",
            "languages": LANGUAGE_NAMES,
        }
