"""The booking path's statements, run on the database driver's cursor: internal to :mod:`ledger.store`.

The statements are SQLAlchemy Core, compiled once per dialect by SQLAlchemy (its SQL, paramstyle,
and type conversions in and out). Only their execution skips SQLAlchemy's per-call machinery (an
execution context, events, a result object): on SQLite that costs five times what the database
spends on a one-row write, and booking one gift runs five of them. They run in the caller's
transaction, on the connection SQLAlchemy began (``BEGIN IMMEDIATE`` on SQLite), and a driver
error is raised as SQLAlchemy's, so callers that retry on ``DBAPIError`` see no difference.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from operator import itemgetter
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql import Executable


@dataclass(frozen=True, slots=True)
class Prepared:
    """One statement as the driver takes it."""

    sql: str
    #: values fixed when the statement was built (``where(id == 1)``)
    fixed: dict[str, Any]
    #: SQLAlchemy's conversion of a Python value for this driver, by bind name (date -> text on SQLite)
    to_driver: dict[str, Callable[[Any], Any]]
    #: the driver's parameters from the values by name: a tuple in placeholder order (qmark), or
    #: None when the driver takes the mapping itself (pyformat)
    pick: Callable[[dict[str, Any]], tuple] | None
    #: SQLAlchemy's conversion of selected columns back (integer -> bool on SQLite), by position
    from_driver: tuple[tuple[int, Callable[[Any], Any]], ...]

    def bind(self, values: dict[str, Any]) -> tuple | dict:
        if self.fixed:
            values = self.fixed | values
        if self.to_driver:
            values = dict(values)
            for name, convert in self.to_driver.items():
                if values.get(name) is not None:
                    values[name] = convert(values[name])
        return values if self.pick is None else self.pick(values)

    def bind_many(self, rows: Sequence[dict[str, Any]]) -> list:
        if self.fixed or self.to_driver or self.pick is None:
            return [self.bind(row) for row in rows]
        return list(map(self.pick, rows))  # the common case, without a Python call per row


def _picker(names: tuple[str, ...]) -> Callable[[dict[str, Any]], tuple]:
    if len(names) == 1:
        (name,) = names
        return lambda values: (values[name],)
    return itemgetter(*names)


#: per dialect (one per engine), the statements compiled for it
_prepared: weakref.WeakKeyDictionary[Dialect, dict[Executable, Prepared]] = weakref.WeakKeyDictionary()


def _compile(statement: Executable, dialect: Dialect) -> Prepared:
    """``statement`` as ``dialect``'s driver takes it (once per dialect: statements are built once too)."""
    compiled = statement.compile(dialect=dialect)
    to_driver = {}
    for name, bind in compiled.binds.items():
        convert = bind.type.dialect_impl(dialect).bind_processor(dialect)
        if convert is not None:
            to_driver[name] = convert
    columns = getattr(statement, "selected_columns", ())
    from_driver = tuple(
        (i, convert)
        for i, column in enumerate(columns)
        if (convert := column.type.dialect_impl(dialect).result_processor(dialect, None)) is not None
    )
    pick = _picker(tuple(compiled.positiontup)) if compiled.positional else None
    fixed = {k: v for k, v in compiled.params.items() if v is not None}
    return Prepared(compiled.string, fixed, to_driver, pick, from_driver)


class Driver:
    """One booking's statements on the driver cursor of the caller's connection."""

    __slots__ = ("_dialect", "_prepared", "_cursor")

    def __init__(self, connection: Connection):
        self._dialect = connection.dialect
        self._prepared = _prepared.get(self._dialect)
        if self._prepared is None:
            self._prepared = _prepared[self._dialect] = {}
        self._cursor = connection.connection.dbapi_connection.cursor()

    def __enter__(self) -> Driver:
        return self

    def __exit__(self, *_exc) -> None:
        self._cursor.close()

    def execute(self, statement: Executable, values: dict[str, Any]) -> None:
        """Run a write with one set of values."""
        prepared = self._prepare(statement)
        self._run(prepared, self._cursor.execute, prepared.bind(values))

    def execute_many(self, statement: Executable, rows: Sequence[dict[str, Any]]) -> None:
        """Run a write once per row, in one driver call."""
        prepared = self._prepare(statement)
        self._run(prepared, self._cursor.executemany, prepared.bind_many(rows))

    def fetch_all(self, statement: Executable, values: dict[str, Any]) -> list[tuple]:
        """Run a read; its rows as tuples in the order of the statement's columns."""
        prepared = self._prepare(statement)
        self._run(prepared, self._cursor.execute, prepared.bind(values))
        rows = self._cursor.fetchall()
        if not prepared.from_driver:
            return rows
        converted = []
        for row in rows:
            row = list(row)
            for i, convert in prepared.from_driver:
                if row[i] is not None:
                    row[i] = convert(row[i])
            converted.append(tuple(row))
        return converted

    def _prepare(self, statement: Executable) -> Prepared:
        prepared = self._prepared.get(statement)
        if prepared is None:
            prepared = self._prepared[statement] = _compile(statement, self._dialect)
        return prepared

    def _run(self, prepared: Prepared, method: Callable, params) -> None:
        dbapi_error = self._dialect.loaded_dbapi.Error
        try:
            method(prepared.sql, params)
        except dbapi_error as error:
            raise DBAPIError.instance(prepared.sql, params, error, dbapi_error, dialect=self._dialect) from error
