"""An operator backs up the running service and restores it into a fresh database: the books
verify and have the same root, on SQLite (online backup API) and PostgreSQL (pg_dump)."""

from __future__ import annotations

import re

from app import create_app
from ledger import audit


def root_of(app, run) -> tuple[int, str]:
    report = run(audit.verify)
    return report.size, report.root.hex()


def test_a_backup_restored_into_an_empty_database_verifies_with_the_same_root(
    app, run, books, config, empty_database_url, tmp_path
):
    size, root = root_of(app, run)
    backup_file = tmp_path / "ayni.backup"
    backed_up = app.test_cli_runner().invoke(args=["backup", "--out", str(backup_file)])
    assert backed_up.exit_code == 0, backed_up.output
    assert backup_file.stat().st_size > 0 and backup_file.stat().st_mode & 0o077 == 0

    restored_app = create_app(config.with_overrides(database_url=empty_database_url))
    try:
        runner = restored_app.test_cli_runner()
        restored = runner.invoke(args=["restore", str(backup_file)])
        assert restored.exit_code == 0, restored.output
        assert f"the books hold {size} entries, root {root}" in restored.output

        verified = runner.invoke(args=["ledger", "verify"])
        assert verified.exit_code == 0, verified.output
        assert re.search(rf"ok: {size} entries, root {root}, 1 checkpoints", verified.output), verified.output
        health = restored_app.test_client().get("/healthz")
        assert health.status_code == 200 and health.json["ledger_size"] == size
    finally:
        restored_app.extensions["ayni.engine"].dispose()


def test_restore_refuses_a_database_that_is_not_empty_unless_forced(app, run, books, config, tmp_path):
    size, root = root_of(app, run)
    backup_file = tmp_path / "ayni.backup"
    runner = app.test_cli_runner()
    assert runner.invoke(args=["backup", "--out", str(backup_file)]).exit_code == 0

    refused = runner.invoke(args=["restore", str(backup_file)])
    assert refused.exit_code != 0
    assert "not empty" in refused.output

    forced = runner.invoke(args=["restore", "--force", str(backup_file)])
    assert forced.exit_code == 0, forced.output
    verified = runner.invoke(args=["ledger", "verify"])
    assert verified.exit_code == 0 and f"root {root}" in verified.output, verified.output


def test_restore_refuses_a_file_that_is_not_an_ayni_backup(app, config, empty_database_url, tmp_path):
    stranger = tmp_path / "holiday-photos.backup"
    stranger.write_bytes(b"not a database at all" * 100)
    restored_app = create_app(config.with_overrides(database_url=empty_database_url))
    try:
        refused = restored_app.test_cli_runner().invoke(args=["restore", str(stranger)])
        assert refused.exit_code != 0
        assert "Error" in refused.output
    finally:
        restored_app.extensions["ayni.engine"].dispose()
