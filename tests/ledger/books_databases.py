"""A fresh database for each example of the books' state machine.

On SQLite, a copy of the migrated template; on PostgreSQL, a database created from
``ayni_template`` in the session's throwaway cluster.
"""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Callable
from pathlib import Path

from hypothesis import HealthCheck, settings
from hypothesis.stateful import RuleBasedStateMachine, run_state_machine_as_test
from sqlalchemy import Engine, text

from funds.db import make_engine

#: a new database per example: returns its engine and a function that throws it away
DatabaseFactory = Callable[[], tuple[Engine, Callable[[], None]]]


def sqlite_databases(template: Path, directory: Path) -> DatabaseFactory:
    def new_database():
        path = directory / f"books-{uuid.uuid4().hex}.sqlite3"
        shutil.copy(template, path)
        engine = make_engine(f"sqlite:///{path}")

        def throw_away():
            engine.dispose()
            for leftover in directory.glob(f"{path.name}*"):
                leftover.unlink()

        return engine, throw_away

    return new_database


def postgres_databases(admin: Engine, url_of: Callable[[str], str]) -> DatabaseFactory:
    def new_database():
        name = f"books_{uuid.uuid4().hex}"
        with admin.connect() as connection:
            connection.execute(text(f"CREATE DATABASE {name} TEMPLATE ayni_template"))
        engine = make_engine(url_of(name))

        def throw_away():
            engine.dispose()
            with admin.connect() as connection:
                connection.execute(text(f"DROP DATABASE {name} WITH (FORCE)"))

        return engine, throw_away

    return new_database


def run_on_backend(
    machine: type[RuleBasedStateMachine],
    new_database: DatabaseFactory,
    examples: int,
    steps: int,
    *,
    also_suppress: tuple[HealthCheck, ...] = (),
) -> None:
    """Run a state machine whose examples each get a fresh database from ``new_database``."""
    on_backend = type(f"{machine.__name__}OnThisBackend", (machine,), {"new_database": staticmethod(new_database)})
    run_state_machine_as_test(
        on_backend,
        settings=settings(
            max_examples=examples,
            stateful_step_count=steps,
            deadline=None,
            database=None,
            suppress_health_check=[HealthCheck.too_slow, *also_suppress],
        ),
    )
