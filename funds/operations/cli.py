"""``flask --app app backup --out FILE`` and ``flask --app app restore FILE [--force]``."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy.orm import sessionmaker

from funds.db import make_engine, snapshot_session
from ledger import stream

from .backup import BackupError, backup, restore


def _config():
    return current_app.extensions["ayni.config"]


@click.command("backup")
@click.option(
    "--out",
    required=True,
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="File to write (SQLite: a database file; PostgreSQL: a pg_dump custom-format archive).",
)
@with_appcontext
def backup_command(out: Path) -> None:
    """Back up the whole database while the service runs (a consistent snapshot)."""
    config = _config()
    try:
        backup(config.database_url, out, pg_bindir=config.pg_bindir)
    except BackupError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"backup written to {out} ({out.stat().st_size} bytes)")


@click.command("restore")
@click.argument("source", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Overwrite a database that is not empty (stop the service first).")
@with_appcontext
def restore_command(source: Path, force: bool) -> None:
    """Load a backup into the configured database, which must be empty; then check the books
    with `flask --app app ledger verify`."""
    config = _config()
    # This process's own connections would hold the database open during the restore.
    current_app.extensions["ayni.engine"].dispose()
    try:
        restore(config.database_url, source, force=force, pg_bindir=config.pg_bindir)
    except BackupError as error:
        raise click.ClickException(str(error)) from None
    size, root = _tree_head(config.database_url)
    click.echo(
        f"restored {source}: the books hold {size} entries, root {root}. "
        "Run `flask --app app ledger verify` before serving it."
    )


def _tree_head(database_url: str) -> tuple[int, str]:
    engine = make_engine(database_url)
    try:
        with snapshot_session(sessionmaker(bind=engine)) as session:
            current = stream.head(session)
    finally:
        engine.dispose()
    return (current.size, current.root.hex()) if current else (0, "none")
