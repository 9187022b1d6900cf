"""The background jobs' register. Each area's ``jobs`` module registers its jobs here when the
area's ``init_app`` imports it; each job is a function taking the app and doing its work in its
own transactions.

Exactly one process runs them on their intervals: ``flask --app app scheduler``
(:mod:`funds.operations.cli`). Web workers never start a scheduler, so running several gunicorn
workers does not run a job several times; and a lock (:mod:`funds.operations.scheduler_lock`)
keeps a second scheduler started by mistake in standby.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import Flask


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
