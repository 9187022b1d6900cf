"""``flask --app app backup --out FILE`` and ``flask --app app restore FILE [--force]``."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy.orm import sessionmaker

from funds.db import make_engine, snapshot_session
from funds.scheduler import JOBS, run_job
from ledger import stream

from .backup import BackupError, backup, restore
from .scheduler_lock import Heartbeat, acquire, lock_for


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


@click.command("scheduler")
@click.option("--once", "once", metavar="JOB", help="Run one job now and exit.")
@click.option("--standby/--no-standby", default=True, show_default=True,
              help="If another scheduler holds the lock, wait and take over when it stops, or exit 1.")
@click.option("--poll", default=10.0, show_default=True, help="Seconds between tries for the lock in standby.")
@with_appcontext
def scheduler_command(once: str | None, standby: bool, poll: float) -> None:
    """Run every background job on its interval; start exactly one of these per deployment.

    A lock (PostgreSQL advisory lock, or a lock file next to a SQLite database) keeps a second
    scheduler started by mistake from running jobs: it stands by, or with --no-standby exits.
    """
    from apscheduler.schedulers.blocking import BlockingScheduler

    app = current_app._get_current_object()
    if once:
        if once not in JOBS:
            raise click.BadParameter(f"unknown job {once!r}; jobs: {', '.join(sorted(JOBS))}")
        click.echo(f"{once}: {run_job(app, once)}")
        return
    config = app.extensions["ayni.config"]
    lock = lock_for(config.database_url)
    if not acquire(lock, standby=standby, poll=poll, say=click.echo):
        raise click.ClickException(f"another scheduler holds the {lock.where}; not starting a second one")
    click.echo(f"holding the {lock.where}")
    scheduler = BlockingScheduler(timezone="UTC")
    heartbeat = Heartbeat(lock, lambda: scheduler.shutdown(wait=False), config.scheduler_tick_file)
    # Like every job, its first run is one interval after the lock was taken: a scheduler taking
    # over from one that died runs nothing sooner than a full interval after that one's last run.
    scheduler.add_job(heartbeat, "interval", seconds=config.scheduler_heartbeat_seconds, id="scheduler-heartbeat",
                      max_instances=1, coalesce=True)
    for registered in JOBS.values():
        scheduler.add_job(
            registered.run, "interval", seconds=registered.interval(app), args=[app], id=registered.name,
            max_instances=1, coalesce=True,
        )
        click.echo(f"scheduled {registered.name} every {registered.interval(app)}s: {registered.help}")
    try:
        scheduler.start()
    finally:
        lock.release()
    if heartbeat.lost:
        raise click.ClickException(f"lost the {lock.where}; exiting so that a supervisor restarts this scheduler")
