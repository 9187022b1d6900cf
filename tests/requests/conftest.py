"""Recipient fixtures: pools whose committee members hold keys (the private halves stay here, in
the test, as they would in members' browsers), and a person filling in the forms."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from nacl.public import PrivateKey

from funds.committees.models import Committee, Member
from funds.pools.domain import create_pool

TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
CODENAME = re.compile(r'<p class="codename" dir="auto">([^<]+)</p>')
ALL_NAMES = {
    "en": ("Emergency aid", "For anyone in the community."),
    "fr": ("Aide d'urgence", "Pour toute personne de la communauté."),
    "es": ("Ayuda de emergencia", "Para cualquier persona de la comunidad."),
    "ar": ("مساعدة طارئة", "لأي شخص في المجتمع."),
    "zh": ("紧急援助", "帮助社区里的任何人。"),
}


@dataclass
class Pools:
    #: the private keys of the members of the committee running every pool but "unready"
    member_keys: dict[int, PrivateKey]


@pytest.fixture
def config(config):
    return config.with_overrides(
        codename_pepper="p" * 40, request_rate_limit="50 per hour", status_rate_limit="80 per hour"
    )


@pytest.fixture
def pools(run) -> Pools:
    """aid (cap 100.00 PLN), medical (once a year per codename), closed, and unready (no keys)."""
    keys: dict[int, PrivateKey] = {}

    def work(session):
        committee = Committee(name="Peers")
        members = [Member(committee=committee, display_name=name) for name in ("Ana", "Bea")]
        for member in members:
            member.public_key = bytes(_keep(member, keys).public_key)
        session.add_all(members)
        create_pool(
            session, committee, slug="aid", currency="PLN", request_cap=10_000, names=ALL_NAMES, is_default=True
        )
        create_pool(
            session,
            committee,
            slug="medical",
            currency="PLN",
            request_cap=50_000,
            frequency_cap=(1, 365),
            names={lang: ("Medical " + lang, "") for lang in ALL_NAMES},
        )
        closed = create_pool(session, committee, slug="closed", currency="PLN", request_cap=10_000, names=ALL_NAMES)
        closed.is_open = False
        unready = Committee(name="Newcomers")
        session.add(Member(committee=unready, display_name="Cai"))
        create_pool(session, unready, slug="unready", currency="PLN", request_cap=10_000, names=ALL_NAMES)
        session.flush()
        return {member.id: keys.pop(member.display_name) for member in members}

    return Pools(member_keys=run(work))


def _keep(member: Member, keys: dict) -> PrivateKey:
    keys[member.display_name] = PrivateKey.generate()
    return keys[member.display_name]


def token(client, path: str, **environ) -> str:
    page = client.get(path, **environ).get_data(as_text=True)
    return TOKEN.search(page).group(1)


@pytest.fixture
def ask(client):
    """Send the request form like a person would: open it, fill it, send it."""

    def send(lang: str = "en", environ: dict | None = None, headers: dict | None = None, **fields):
        kwargs = {"environ_base": environ or {}, "headers": headers or {}}
        form = {
            "csrf_token": token(client, f"/request?lang={lang}", **kwargs),
            "lang": lang,
            "pool": "aid",
            "amount": "50",
            "category": "food",
            "method": "cash",
            "contact": "Signal +48 600 100 200",
            "note": "",
        }
        form.update(fields)
        return client.post("/request", data=form, **kwargs)

    return send


def codename_in(response) -> str:
    found = CODENAME.search(response.get_data(as_text=True))
    assert found, response.get_data(as_text=True)
    return found.group(1)


@pytest.fixture
def look_up(client):
    def send(codename: str, lang: str = "en"):
        form = {"csrf_token": token(client, f"/status?lang={lang}"), "lang": lang, "codename": codename}
        return client.post("/status", data=form)

    return send
