"""The web layer every area shares: security headers and the Content-Security-Policy
(:mod:`.headers`), the labels people read (:mod:`.labels`), template globals
(:mod:`.templating`), problem pages (:mod:`.problems`), public marks and CSRF (:mod:`.access`),
charts (:mod:`.charts`) and refusing unreadable bodies (:mod:`.bodies`).

It sits below every area: it imports the core, never an area.
"""

from __future__ import annotations

from flask import Flask

from . import headers, problems, templating


def init_app(app: Flask) -> None:
    templating.init_app(app)
    problems.init_app(app)
    app.after_request(headers.every_page_headers)
