"""Background jobs (APScheduler), run by exactly one process: ``flask --app app scheduler``.

Areas register their jobs here at import time of the area's ``jobs`` module; each job is a
function taking the app and doing its work in its own transactions. Web workers never start a
scheduler, so running several gunicorn workers does not run a job several times; and a lock
(funds/operations/scheduler_lock.py) keeps a second scheduler started by mistake in standby.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import click
from flask import Flask, current_app
from flask.cli import with_appcontext


@dataclass(frozen=True)
class Job:
    name: str
    run: Callable[[Flask], object]
    #: seconds between runs, or a function of the app's Config giving them (a configurable interval)
    every: int | Callable[[object], int]
    help: str

    def interval(self, app: Flask) -> int:
        return self.every(app.extensions["ayni.config"]) if callable(self.every) else self.every


JOBS: dict[str, Job] = {}


def job(name: str, *, every: int | Callable[[object], int], help: str) -> Callable:
    """Register ``func(app)`` as a job named ``name`` run every ``every`` seconds (or every
    ``every(config)`` seconds, for an interval the deployment sets)."""

    def register(func: Callable[[Flask], object]) -> Callable[[Flask], object]:
        JOBS[name] = Job(name, func, every, help)
        return func

    return register


def run_job(app: Flask, name: str) -> object:
    """Run one job now (tests, cron, or ``flask scheduler --once NAME``)."""
    return JOBS[name].run(app)


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

    from funds.operations.scheduler_lock import Heartbeat, acquire, lock_for

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
