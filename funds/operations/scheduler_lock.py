"""One scheduler per deployment, even when a second one is started by mistake.

The deployment runs ``flask --app app scheduler`` as exactly one process; this lock is the belt and
braces behind that rule. On PostgreSQL the scheduler holds a session-level advisory lock on a
connection of its own for as long as it lives; on SQLite (one machine) it holds an ``flock`` on a
file next to the database. Either is released by the operating system or the database server the
moment the process dies, even by ``kill -9``, so a standby scheduler takes over without anyone
cleaning up. A scheduler that finds the lock taken waits (standby) or, if told, refuses to start.

While it runs jobs, the holder checks its lock at every heartbeat (``AYNI_SCHEDULER_HEARTBEAT_SECONDS``)
and stops if it was lost (its PostgreSQL connection dropped, or the lock file was replaced), so two
schedulers never run jobs side by side for longer than one heartbeat.
"""

from __future__ import annotations

import fcntl
import logging
import os
import time
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import create_engine, make_url, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.pool import NullPool

log = logging.getLogger(__name__)

#: the advisory lock's two keys: "Ayni" and 1 for "the scheduler" (advisory locks are per database)
ADVISORY_KEYS = (0x41796E69, 1)


class SchedulerLock:
    """A lock at most one process holds; subclasses say where it lives."""

    #: where the lock is, for messages
    where = ""

    def try_acquire(self) -> bool:
        raise NotImplementedError

    def still_held(self) -> bool:
        raise NotImplementedError

    def release(self) -> None:
        raise NotImplementedError


class AdvisoryLock(SchedulerLock):
    """``pg_try_advisory_lock`` held by a dedicated connection that lives as long as the process."""

    def __init__(self, url: str) -> None:
        # Keepalives so a dead network is noticed (and the lock known lost) within a minute or so.
        self._engine = create_engine(
            url,
            poolclass=NullPool,
            connect_args={
                "application_name": "ayni-scheduler",
                "keepalives": 1,
                "keepalives_idle": 30,
                "keepalives_interval": 10,
                "keepalives_count": 3,
            },
        )
        self._connection = None
        self.where = f"PostgreSQL advisory lock {ADVISORY_KEYS} in database {make_url(url).database}"

    def _connect(self):
        if self._connection is None:
            self._connection = self._engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        return self._connection

    def try_acquire(self) -> bool:
        try:
            return bool(
                self._connect()
                .execute(
                    text("SELECT pg_try_advisory_lock(CAST(:a AS integer), CAST(:b AS integer))"),
                    {"a": ADVISORY_KEYS[0], "b": ADVISORY_KEYS[1]},
                )
                .scalar()
            )
        except SQLAlchemyError as error:
            log.warning("could not ask PostgreSQL for the scheduler lock: %s", error.__class__.__name__)
            self._drop()
            return False

    def still_held(self) -> bool:
        if self._connection is None:
            return False
        try:
            held = self._connection.execute(
                text(
                    "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted"
                    " AND pid = pg_backend_pid() AND classid::bigint = :a AND objid::bigint = :b AND objsubid = 2"
                ),
                {"a": ADVISORY_KEYS[0], "b": ADVISORY_KEYS[1]},
            ).scalar()
        except SQLAlchemyError:
            self._drop()
            return False
        return held == 1

    def release(self) -> None:
        # Closing the session releases its advisory locks.
        self._drop()
        self._engine.dispose()

    def _drop(self) -> None:
        if self._connection is not None:
            try:
                self._connection.close()
            except SQLAlchemyError:
                pass
            self._connection = None


class FileLock(SchedulerLock):
    """An exclusive ``flock`` on ``<database>.scheduler-lock``: one machine, one scheduler."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.where = f"lock file {path}"
        self._fd: int | None = None

    def try_acquire(self) -> bool:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return False
        # The holder's pid, for whoever wonders which process runs the jobs.
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        self._fd = fd
        return True

    def still_held(self) -> bool:
        # Someone deleting the file would let a new scheduler lock a new file of the same name.
        if self._fd is None:
            return False
        try:
            return os.stat(self.path).st_ino == os.fstat(self._fd).st_ino
        except FileNotFoundError:
            return False

    def release(self) -> None:
        # Never unlink: a scheduler waiting on this file would then hold a lock nobody else sees.
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


class ProcessLock(SchedulerLock):
    """An in-memory SQLite database lives in one process: nothing else can run its jobs."""

    where = "this process (in-memory database)"

    def try_acquire(self) -> bool:
        return True

    def still_held(self) -> bool:
        return True

    def release(self) -> None:
        pass


def lock_for(database_url: str) -> SchedulerLock:
    """The scheduler lock of the database at ``database_url``."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        if not url.database or url.database == ":memory:":
            return ProcessLock()
        return FileLock(Path(url.database).with_name(Path(url.database).name + ".scheduler-lock"))
    return AdvisoryLock(database_url)


def acquire(
    lock: SchedulerLock, *, standby: bool, poll: float, say: Callable[[str], None], give_up_after: float | None = None
) -> bool:
    """Take ``lock``, waiting for it in standby unless told not to; False if it was not taken."""
    waited_since = time.monotonic()
    told = False
    while not lock.try_acquire():
        if not standby:
            return False
        if give_up_after is not None and time.monotonic() - waited_since > give_up_after:
            return False
        if not told:
            say(f"another scheduler holds the {lock.where}; standing by until it stops")
            told = True
        time.sleep(poll)
    return True


class Heartbeat:
    """The scheduler's own job: check the lock is still ours, else stop running jobs."""

    def __init__(self, lock: SchedulerLock, stop: Callable[[], None], tick_file: str = "") -> None:
        self.lock = lock
        self.stop = stop
        self.tick_file = tick_file
        #: set when the lock was found lost; the scheduler command then exits non-zero
        self.lost = False

    def __call__(self) -> None:
        if not self.lock.still_held():
            log.error("the scheduler lost its %s; stopping so that no job runs twice", self.lock.where)
            self.lost = True
            self.stop()
            return
        if self.tick_file:
            # One short O_APPEND write per tick: lines from several processes never interleave.
            fd = os.open(self.tick_file, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            try:
                os.write(fd, f"{os.getpid()} {time.time():.3f}\n".encode())
            finally:
                os.close(fd)
