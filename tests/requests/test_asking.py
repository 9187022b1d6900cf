"""A person asks for support, keeps their codename and checks on their request."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from funds.requests import sealing
from funds.requests.models import Request, SealedDetails

from .conftest import TOKEN, codename_in, token


def test_a_person_asks_with_no_name_and_gets_a_four_word_codename(ask, pools, run):
    response = ask(contact="Signal +48 600 100 200", note="for my kids", payout="MM 0700")
    assert response.status_code == 200
    codename = codename_in(response)
    assert len(codename.split()) == 4

    def stored(session):
        aid = session.scalar(select(Request))
        return aid.state, aid.amount, aid.category, [(d.member_id, bytes(d.sealed)) for d in aid.sealed_details]

    state, amount, category, copies = run(stored)
    assert (state, amount, category) == ("submitted", 5_000, "food")
    assert {member_id for member_id, _ in copies} == set(pools.member_keys)
    for member_id, sealed in copies:
        opened = sealing.unseal_details(pools.member_keys[member_id], sealed)
        assert opened == {"contact": "Signal +48 600 100 200", "note": "for my kids", "payout": "MM 0700"}


def test_the_form_asks_for_no_name_id_address_proof_or_reason(client, pools):
    page = client.get("/request").get_data(as_text=True).lower()
    names = set(re.findall(r'<(?:input|select|textarea)[^>]* name="([^"]+)"', page))
    assert names == {
        "csrf_token",
        "lang",
        "pool",
        "amount",
        "category",
        "method",
        "contact",
        "note",
        "payout",
        "codename",
    }
    for word in ("your name", "passport", "id number", "address", "proof of", "why do you"):
        assert word not in page.replace("we will not ask your name", "").replace("an id or any proof", "")


def test_typing_the_codename_back_saves_it_and_a_mistake_shows_it_again(client, ask, pools):
    codename = codename_in(ask())
    shown = client.post(
        "/request/confirm",
        data={"csrf_token": _confirm_token(client, ask), "shown": codename, "typed": "something else entirely"},
    )
    assert shown.status_code == 422
    assert codename_in(shown) == codename
    saved = client.post(
        "/request/confirm",
        data={
            "csrf_token": _confirm_token(client, ask),
            "shown": codename,
            "typed": "  " + codename.upper().replace(" ", "-"),
        },
    )
    assert saved.status_code == 200
    assert "your request was sent" in saved.get_data(as_text=True).lower()


def _confirm_token(client, ask) -> str:
    return TOKEN.search(ask().get_data(as_text=True)).group(1)


def test_the_codename_opens_the_status_page_and_a_wrong_one_gets_a_generic_answer(ask, look_up, pools):
    codename = codename_in(ask(amount="12,50", category="medical"))
    found = look_up(codename.lower())
    assert found.status_code == 200
    page = found.get_data(as_text=True)
    assert "Waiting for the committee" in page and "12.50" in page and "Health and medicine" in page
    assert "Would you like to help others too?" in page
    wrong = look_up("these words are wrong")
    assert wrong.status_code == 404
    assert "We could not find a request with this codename" in wrong.get_data(as_text=True)


def test_a_codename_never_travels_in_a_url(ask, client, pools):
    page = ask().get_data(as_text=True)
    assert 'method="get"' not in page.lower()
    codename = codename_in(ask())
    assert client.get(f"/status?codename={codename}").status_code == 200  # the page ignores it
    assert codename not in client.get(f"/status?codename={codename}").get_data(as_text=True)


def test_a_person_withdraws_their_request_and_it_is_closed(ask, look_up, client, pools, run):
    codename = codename_in(ask())
    request_id = run(lambda s: s.scalar(select(Request.id)))
    form = {"csrf_token": token(client, "/status"), "codename": codename, "request_id": str(request_id)}
    asked = client.post("/status/withdraw", data=form).get_data(as_text=True)
    # asked once more, with a way back that keeps the request, before anything changes
    assert "Withdraw your request?" in asked and "Yes, withdraw my request" in asked and 'href="/status' in asked
    assert run(lambda s: s.get(Request, request_id).state) == "submitted"
    withdrawn = client.post("/status/withdraw", data={**form, "confirmed": "yes"})
    assert withdrawn.status_code == 200
    assert "Your request was withdrawn." in withdrawn.get_data(as_text=True)
    assert run(lambda s: (s.get(Request, request_id).state, s.get(Request, request_id).closed_at is not None)) == (
        "withdrawn",
        True,
    )
    again = client.post("/status/withdraw", data={**form, "csrf_token": token(client, "/status")})
    assert again.status_code == 409
    other = client.post(
        "/status/withdraw", data={**form, "codename": "not my codename at all", "csrf_token": token(client, "/status")}
    )
    assert other.status_code == 404


def test_asking_again_with_the_same_codename_is_capped_but_a_new_codename_is_accepted(ask, pools, run):
    codename = codename_in(ask(pool="medical", amount="100"))
    run(lambda s: setattr(s.scalar(select(Request)), "state", "paid"))
    capped = ask(pool="medical", amount="100", codename=codename)
    assert capped.status_code == 422
    assert "reached that limit" in capped.get_data(as_text=True)
    assert ask(pool="aid", codename=codename).status_code == 200  # other pools have no cap
    assert ask(pool="medical", amount="100").status_code == 200  # a new codename is not policed
    assert run(lambda s: s.scalar(select(func.count()).select_from(Request))) == 3


def test_a_second_request_under_a_kept_codename_shows_on_the_same_status_page(ask, look_up, pools):
    codename = codename_in(ask(amount="10"))
    again = ask(amount="20", codename=codename)
    assert codename_in(again) == codename
    page = look_up(codename).get_data(as_text=True)
    assert page.count('class="request"') == 2


def test_a_pool_whose_committee_has_no_keys_refuses_and_keeps_nothing(ask, pools, run):
    refused = ask(pool="unready", contact="never stored")
    assert refused.status_code == 503
    assert "Nothing you wrote was kept" in refused.get_data(as_text=True)
    assert run(
        lambda s: (
            s.scalar(select(func.count()).select_from(Request)),
            s.scalar(select(func.count()).select_from(SealedDetails)),
        )
    ) == (0, 0)


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        ({"amount": "100.01"}, "Ce fonds peut donner jusqu"),
        ({"amount": "0"}, "Écrivez un montant supérieur à zéro."),
        ({"amount": "deux cents"}, "Écrivez le montant en chiffres"),
        ({"amount": ""}, "Écrivez de combien vous avez besoin."),
        ({"pool": "nowhere"}, "Ce fonds ne reçoit pas de demandes."),
        ({"pool": "closed"}, "Ce fonds ne reçoit pas de demandes."),
        ({"contact": "x" * 301}, "Merci de ne pas dépasser 300 caractères."),
        ({"note": "x" * 2001}, "Merci de ne pas dépasser 2000 caractères."),
        ({"contact": ""}, "Dites-nous comment vous joindre"),
        ({"category": "rent-for-a-yacht"}, "Choisissez à quoi elle va servir."),
        ({"method": "crypto"}, "Choisissez comment vous voulez la recevoir."),
        ({"codename": "unknown words here please"}, "Nous n'avons pas trouvé ce nom de code."),
        ({"csrf_token": "forged"}, "Ce formulaire n'a pas pu être vérifié."),
    ],
)
def test_bad_input_re_renders_the_form_with_the_reason_in_the_persons_language(ask, pools, run, fields, reason):
    response = ask(lang="fr", **fields)
    assert 400 <= response.status_code < 500
    page = response.get_data(as_text=True)
    assert reason.replace("'", "&#39;") in page or reason in page
    assert '<form method="post" action="/request"' in page
    assert run(lambda s: s.scalar(select(func.count()).select_from(Request))) == 0


def test_invalid_utf8_and_oversized_bodies_get_a_4xx_in_the_persons_language(client, pools):
    form_token = token(client, "/request?lang=es")
    body = f"csrf_token={form_token}&lang=es&pool=aid&amount=5&category=food&method=cash&contact=%FF%FEhola".encode()
    response = client.post("/request", data=body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400
    assert "No se pudo leer parte de lo que enviaste." in response.get_data(as_text=True)
    huge = client.post("/request?lang=es", data={"csrf_token": form_token, "note": "x" * 70_000})
    assert huge.status_code == 413
    assert "El texto era demasiado largo" in huge.get_data(as_text=True)


def test_amounts_typed_with_commas_arabic_or_full_width_digits_are_understood(ask, pools, run):
    for typed, minor_units in (("12,5", 1_250), ("٢٥", 2_500), ("３０", 3_000), ("7.05", 705)):
        assert ask(amount=typed).status_code == 200
        assert run(lambda s: s.scalar(select(Request.amount).order_by(Request.id.desc()).limit(1))) == minor_units


def test_changing_language_on_the_codename_page_keeps_the_codename_out_of_the_address(client, ask, pools):
    asked = ask()
    codename = codename_in(asked)
    form_token = TOKEN.search(asked.get_data(as_text=True)).group(1)
    arabic = client.post("/request/confirm", data={"csrf_token": form_token, "shown": codename, "lang": "ar"})
    assert arabic.status_code == 200
    assert codename_in(arabic) == codename and 'dir="rtl"' in arabic.get_data(as_text=True)


def test_a_mistyped_codename_keeps_what_was_typed_and_points_to_help_for_a_lost_one(client, pools):
    page = client.post("/status", data={"csrf_token": token(client, "/status"), "codename": "apple river stone moon",
                                        "lang": "en"})
    text = page.get_data(as_text=True)
    assert page.status_code == 404 and 'value="apple river stone moon"' in text
    lost = client.get("/status/lost?lang=fr")
    assert lost.status_code == 200 and "nom de code" in lost.get_data(as_text=True)
    assert 'href="/status/lost?lang=en"' in client.get("/status?lang=en").get_data(as_text=True)
    assert "Set-Cookie" not in lost.headers and lost.headers["Cache-Control"].startswith("no-store")
