"""Background jobs (APScheduler), run by exactly one process: ``flask --app app scheduler``.

Areas register their jobs here at import time of the area's ``jobs`` module; each job is a
function taking the app and doing its work in its own transactions. Web workers never start a
scheduler, so running several gunicorn workers does not run a job several times.
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
    #: seconds between runs
    every: int
    help: str


JOBS: dict[str, Job] = {}


def job(name: str, *, every: int, help: str) -> Callable:
    """Register ``func(app)`` as a job named ``name`` run every ``every`` seconds."""

    def register(func: Callable[[Flask], object]) -> Callable[[Flask], object]:
        JOBS[name] = Job(name, func, every, help)
        return func

    return register


def run_job(app: Flask, name: str) -> object:
    """Run one job now (tests, cron, or ``flask scheduler --once NAME``)."""
    return JOBS[name].run(app)


@click.command("scheduler")
@click.option("--once", "once", metavar="JOB", help="Run one job now and exit.")
@with_appcontext
def scheduler_command(once: str | None) -> None:
    """Run every background job on its interval; start exactly one of these per deployment."""
    from apscheduler.schedulers.blocking import BlockingScheduler

    app = current_app._get_current_object()
    if once:
        if once not in JOBS:
            raise click.BadParameter(f"unknown job {once!r}; jobs: {', '.join(sorted(JOBS))}")
        click.echo(f"{once}: {run_job(app, once)}")
        return
    scheduler = BlockingScheduler(timezone="UTC")
    for registered in JOBS.values():
        scheduler.add_job(
            registered.run, "interval", seconds=registered.every, args=[app], id=registered.name,
            max_instances=1, coalesce=True,
        )
        click.echo(f"scheduled {registered.name} every {registered.every}s: {registered.help}")
    scheduler.start()
