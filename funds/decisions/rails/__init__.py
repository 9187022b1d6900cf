"""Payout rails: one small module per way of paying many people at once (a SEPA credit-transfer
file for the fund's bank, Wise's batch CSV...). Each turns a :class:`Batch` into the bytes of a
file to upload to the bank or service; none stores anything or talks to the network.

A new rail (mobile money, another bank's format) is one module with a ``RAIL`` of this shape,
added to :data:`RAILS`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from funds.refusals import Refusal


class RailRefused(Refusal):
    """This batch cannot go by this rail (a currency it does not carry, too many rows...)."""

    status = 400


@dataclass(frozen=True)
class Payout:
    """One transfer to a person: the name and account the treasurer's browser opened, the amount
    from the books (minor units) and the references the bank carries."""

    request_id: int
    name: str
    iban: str
    bic: str | None
    amount: int
    currency: str
    #: unique per payout, shown on the person's statement by some banks: carries nothing of ours
    end_to_end: str
    #: the text on the person's statement
    remittance: str


@dataclass(frozen=True)
class Batch:
    """A distribution day's transfers from the fund's account."""

    batch_id: str
    debtor_name: str
    debtor_iban: str
    debtor_bic: str | None
    currency: str
    execution_date: date
    payouts: tuple[Payout, ...]


@dataclass(frozen=True)
class Rail:
    key: str
    #: what the treasurer downloads: its media type and file name extension
    media_type: str
    extension: str
    render: Callable[[Batch], bytes]


def rails() -> dict[str, Rail]:
    from . import sepa, wise

    return {rail.key: rail for rail in (sepa.RAIL, wise.RAIL)}
