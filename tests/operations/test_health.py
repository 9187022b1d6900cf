"""A load balancer or supervisor asks each worker whether it can serve: /healthz."""

from __future__ import annotations

from app import create_app
from funds.config import Config
from tests.operations.services import free_port


def test_a_healthy_worker_says_so_with_the_size_of_the_books(client, books):
    answer = client.get("/healthz")
    assert answer.status_code == 200
    assert answer.json == {
        "status": "ok",
        "database": "ok",
        "migrations": "at head",
        "ledger_size": answer.json["ledger_size"],
    }
    assert answer.json["ledger_size"] >= 7  # the pool's accounts, five gifts, a reservation
    # Nothing personal and nothing kept: no cookie, no caching.
    assert "Set-Cookie" not in answer.headers
    assert answer.headers["Cache-Control"] == "no-store"


def test_anyone_may_ask_without_signing_in(client):
    assert client.get("/healthz").status_code == 200
    assert client.head("/healthz").status_code == 200


def test_a_worker_whose_database_is_down_answers_503(tmp_path):
    nobody_listens = f"postgresql+psycopg://ayni@127.0.0.1:{free_port()}/ayni"
    app = create_app(
        Config(database_url=nobody_listens, secret_key="x", ledger_key_file=str(tmp_path / "key"), testing=True)
    )
    try:
        answer = app.test_client().get("/healthz")
    finally:
        app.extensions["ayni.engine"].dispose()
    assert answer.status_code == 503
    assert answer.json["status"] == "unavailable" and answer.json["database"] == "unreachable"
    assert "127.0.0.1" not in answer.get_data(as_text=True)


def test_a_worker_on_a_database_nobody_migrated_answers_503(tmp_path):
    app = create_app(
        Config(
            database_url=f"sqlite:///{tmp_path / 'new.sqlite3'}",
            secret_key="x",
            ledger_key_file=str(tmp_path / "key"),
            testing=True,
        )
    )
    try:
        answer = app.test_client().get("/healthz")
    finally:
        app.extensions["ayni.engine"].dispose()
    assert answer.status_code == 503
    assert answer.json["database"] == "ok"
    assert answer.json["migrations"] == "none applied: run flask db upgrade"
