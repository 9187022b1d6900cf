"""The web layer's single definitions: what each kind of page may load, and a word for every code
a person may read."""

from __future__ import annotations

import pytest

from funds.committees.models import ROLES
from funds.decisions.models import CHOICES
from funds.requests.states import STATES
from funds.vocabulary import CATEGORIES, PAYOUT_METHODS
from funds.web import headers, labels


@pytest.fixture
def app_context():
    """A bare Flask request: enough for a form, no database."""
    from flask import Flask

    app = Flask(__name__)
    with app.test_request_context():
        yield


def directives(policy: str) -> dict[str, str]:
    return dict(part.split(" ", 1) for part in policy.split("; "))


def test_recipient_pages_load_nothing_but_our_stylesheet_and_images_and_run_no_script():
    policy = directives(headers.RECIPIENT_POLICY)
    assert policy["default-src"] == "'none'" and "script-src" not in policy
    assert policy["style-src"] == "'self'" and policy["img-src"] == "'self'"
    assert policy["form-action"] == "'self'" and policy["frame-ancestors"] == "'none'"


def test_committee_pages_run_only_our_scripts_and_libsodiums_webassembly():
    policy = directives(headers.COMMITTEE_POLICY)
    assert policy["script-src"] == "'self' 'wasm-unsafe-eval'" and policy["object-src"] == "'none'"


def test_only_the_card_page_lets_stripe_in_and_only_from_its_configured_host():
    plain = directives(headers.public_policy())
    assert plain["script-src"] == "'self'" and plain["frame-src"] == "'self'"
    card = directives(headers.public_policy(stripe_js_url="https://js.stripe.com/v3/",
                                            stripe_api_base="https://api.stripe.com"))
    assert card["script-src"] == "'self' https://js.stripe.com"
    assert card["frame-src"] == "https://js.stripe.com https://hooks.stripe.com"
    assert card["connect-src"] == "'self' https://js.stripe.com https://api.stripe.com"
    local = directives(headers.public_policy(stripe_js_url="http://127.0.0.1:8420/js.stripe.com/v3/",
                                             stripe_api_base="http://127.0.0.1:8420"))
    assert local["script-src"] == "'self' http://127.0.0.1:8420" and local["connect-src"] == "'self' http://127.0.0.1:8420"


def test_the_json_api_allows_nothing_to_run_or_frame_it():
    assert headers.API_POLICY == "default-src 'none'; base-uri 'none'; frame-ancestors 'none'"


@pytest.mark.parametrize(
    ("codes", "words"),
    [(CATEGORIES, labels.CATEGORIES), (PAYOUT_METHODS, labels.PAYOUT_METHODS), (STATES, labels.REQUEST_STATES),
     (ROLES, labels.ROLES), (CHOICES, labels.VOTES)],
)
def test_every_code_a_person_may_read_has_its_words_and_no_stray_ones(codes, words):
    assert set(words) == set(codes)


def test_a_refusal_stands_beside_its_field_keeping_what_was_typed_or_heads_the_page_without_one(app_context):
    from flask_wtf import FlaskForm
    from wtforms import HiddenField, StringField

    from funds.refusals import Refusal
    from funds.web.refusals import show

    class GiftForm(FlaskForm):
        class Meta:
            csrf = False

        amount = StringField()
        currency = HiddenField()

    form = GiftForm(data={"amount": "25,5,0"})
    assert show(Refusal("Please write the amount in numbers.", field="amount"), form) is None
    assert form.amount.errors == ["Please write the amount in numbers."] and form.amount.data == "25,5,0"
    assert show(Refusal("This pool takes gifts in PLN.", field="currency"), form) == "This pool takes gifts in PLN."
    assert show(Refusal("This pool is closed.", status=409), form) == "This pool is closed."
