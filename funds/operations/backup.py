"""Backups of the whole database, and restoring one into an empty database.

- SQLite: the online backup API (``sqlite3.Connection.backup``) copies a consistent snapshot
  while the service keeps running (in WAL mode readers never block writers, nor writers them).
- PostgreSQL: ``pg_dump --format=custom`` (a consistent snapshot too) and ``pg_restore``.

A backup is written to a temporary file beside the target and renamed into place once complete
and synced, so a crash never leaves half a backup under the real name. A restore goes into an
empty database only (``force`` overwrites); run ``flask ledger verify`` afterwards.
"""

from __future__ import annotations

import glob
import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy import URL, inspect, make_url

from funds.db import make_engine

#: tables every Ayni database has; a file without them is not one of our backups
REQUIRED_TABLES = ("alembic_version", "ledger_tree_head")


class BackupError(RuntimeError):
    """A backup or restore that cannot be done, with what to do about it."""


def backup(database_url: str, out: Path, *, pg_bindir: str = "") -> None:
    """Write a backup of the database at ``database_url`` to ``out``."""
    url = make_url(database_url)
    out = Path(out)
    partial = out.with_name(f".{out.name}.partial")
    partial.unlink(missing_ok=True)
    # Readable by the service's user only: a backup holds sealed details and the committee's hashes.
    os.close(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    try:
        if url.get_backend_name() == "sqlite":
            _sqlite_backup(_sqlite_path(url), partial)
        else:
            _run(_pg_tool("pg_dump", pg_bindir), url, "--format=custom", f"--file={partial}")
        with open(partial, "rb") as written:
            os.fsync(written.fileno())
        os.replace(partial, out)
    finally:
        partial.unlink(missing_ok=True)


def is_empty(database_url: str) -> bool:
    """Whether the database holds no tables at all (a fresh one to restore into)."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite" and not _sqlite_path(url).exists():
        return True
    engine = make_engine(database_url)
    try:
        return not inspect(engine).get_table_names()
    finally:
        engine.dispose()


def restore(database_url: str, source: Path, *, force: bool = False, pg_bindir: str = "") -> None:
    """Load the backup ``source`` into the database at ``database_url``.

    Refuses a database that holds any table unless ``force``; nothing may be using it meanwhile.
    """
    url = make_url(database_url)
    source = Path(source)
    if not source.is_file():
        raise BackupError(f"no backup file at {source}")
    if not force and not is_empty(database_url):
        raise BackupError(
            "the database is not empty: restore into a new, empty database (or use --force to "
            "overwrite it, after stopping every process that uses it)"
        )
    if url.get_backend_name() == "sqlite":
        _sqlite_restore(source, _sqlite_path(url))
    else:
        options = ["--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction"]
        if force:
            options += ["--clean", "--if-exists"]
        _run(_pg_tool("pg_restore", pg_bindir), url, *options, str(source))


def _sqlite_path(url: URL) -> Path:
    if not url.database or url.database == ":memory:":
        raise BackupError("an in-memory SQLite database has nothing to back up or restore into")
    return Path(url.database)


def _sqlite_backup(database: Path, out: Path) -> None:
    if not database.exists():
        raise BackupError(f"no database at {database}")
    source = sqlite3.connect(database, timeout=30)
    target = sqlite3.connect(out)
    try:
        _check_ours(source, database)
        # pages=-1: one step, one snapshot; in WAL mode writers go on meanwhile.
        source.backup(target)
        # The copy is one self-contained file: reading it later leaves no -wal or -shm beside it.
        target.execute("PRAGMA journal_mode=DELETE")
    finally:
        target.close()
        source.close()


def _sqlite_restore(backup_file: Path, database: Path) -> None:
    database.parent.mkdir(parents=True, exist_ok=True)
    source = sqlite3.connect(f"file:{backup_file}?mode=ro", uri=True)
    target = sqlite3.connect(database)
    try:
        _check_ours(source, backup_file)
        if source.execute("PRAGMA quick_check").fetchone()[0] != "ok":
            raise BackupError(f"{backup_file} is damaged (PRAGMA quick_check failed)")
        source.backup(target)
        target.execute("PRAGMA journal_mode=WAL")
    finally:
        target.close()
        source.close()


def _check_ours(connection: sqlite3.Connection, where: Path) -> None:
    try:
        names = {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    except sqlite3.DatabaseError as error:
        raise BackupError(f"{where} is not a SQLite database: {error}") from None
    missing = [name for name in REQUIRED_TABLES if name not in names]
    if missing:
        raise BackupError(f"{where} is not an Ayni database (no {', '.join(missing)} table)")


def _pg_tool(name: str, bindir: str) -> str:
    """``pg_dump`` or ``pg_restore``: from ``bindir``, the PATH, or the newest Debian install."""
    if bindir:
        found = Path(bindir) / name
        if not found.exists():
            raise BackupError(f"{found} does not exist (AYNI_PG_BINDIR)")
        return str(found)
    on_path = shutil.which(name)
    if on_path:
        return on_path
    installed = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), key=_version_of, reverse=True)
    if installed:
        return installed[0]
    raise BackupError(f"{name} was not found: install postgresql-client or set AYNI_PG_BINDIR")


def _version_of(path: str) -> int:
    version = Path(path).parent.parent.name
    return int(version) if version.isdigit() else 0


def _run(tool: str, url: URL, *arguments: str) -> None:
    """Run a PostgreSQL tool against ``url``; the password travels in the environment, not argv."""
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    libpq_url = url.set(drivername="postgresql", password=None).render_as_string(hide_password=False)
    result = subprocess.run(
        [tool, f"--dbname={libpq_url}", *arguments], env=env, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise BackupError(f"{Path(tool).name} failed: {result.stderr.strip()}")
