"""Refusals people read: why what they asked cannot be done, in their own language.

Domain functions raise a :class:`Refusal` (or a subclass named for the rule: an amount, a gift,
a pool's settings) with a lazy message; it is translated only when shown, so the same refusal
reads in Arabic on an Arabic page and in English in a command's output. Views show it with
:func:`funds.web.refusals.show` beside the form field at fault, keeping what was typed.
"""

from __future__ import annotations


class Refusal(ValueError):
    """What a person asked cannot be done. ``message`` says why (a lazy string, translated when
    shown); ``status`` is the HTTP status that fits; ``field`` names the form field at fault, if any."""

    status = 422

    def __init__(self, message, *, status: int | None = None, field: str | None = None):
        super().__init__(message)
        self.message = message
        if status is not None:
            self.status = status
        self.field = field

    def __str__(self) -> str:
        return str(self.message)
