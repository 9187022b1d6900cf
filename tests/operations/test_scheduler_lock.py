"""The lock that keeps a deployment to one scheduler, on each backend."""

from __future__ import annotations

import os

from sqlalchemy import create_engine, text

from funds.operations.scheduler_lock import Heartbeat, acquire, lock_for


def test_a_second_scheduler_started_by_mistake_is_refused_while_the_first_holds_the_lock(app, database_url):
    first = lock_for(database_url)
    assert first.try_acquire()
    try:
        refused = app.test_cli_runner().invoke(args=["scheduler", "--no-standby"])
        assert refused.exit_code == 1
        assert "another scheduler holds the" in refused.output and "not starting a second one" in refused.output
        assert "scheduled " not in refused.output
        # In standby it waits (here, for a moment) instead of running anything.
        said = []
        assert not acquire(lock_for(database_url), standby=True, poll=0.05, say=said.append, give_up_after=0.3)
        assert said and "standing by" in said[0]
    finally:
        first.release()
    second = lock_for(database_url)
    try:
        assert second.try_acquire(), "the lock is free once its holder let go"
    finally:
        second.release()


def test_a_scheduler_that_loses_its_lock_stops_running_jobs(database_url, tmp_path):
    lock = lock_for(database_url)
    assert lock.try_acquire()
    stopped = []
    tick_file = tmp_path / "ticks"
    heartbeat = Heartbeat(lock, lambda: stopped.append(True), str(tick_file))
    try:
        heartbeat()
        assert tick_file.read_text().startswith(f"{os.getpid()} ") and not heartbeat.lost
        if database_url.startswith("sqlite"):
            # someone deletes the lock file: a new scheduler could lock a new file of that name
            lock.path.unlink()
        else:
            # the database drops the scheduler's connection (a restart, a failover, an operator)
            admin = create_engine(database_url, isolation_level="AUTOCOMMIT")
            with admin.connect() as connection:
                connection.execute(
                    text(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                        " WHERE application_name = 'ayni-scheduler' AND datname = current_database()"
                    )
                )
            admin.dispose()
        heartbeat()
    finally:
        lock.release()
    assert heartbeat.lost and stopped == [True]
    assert len(tick_file.read_text().splitlines()) == 1, "no tick after the lock was lost"
