"""Two gunicorn workers and two schedulers (one started by mistake): every tick runs once.

The scheduler's heartbeat job writes one line per run to ``AYNI_SCHEDULER_TICK_FILE`` (pid and
time). Every process of the deployment has that setting; only the lock holder may write.
"""

from __future__ import annotations

import json
import time

import pytest

from tests.operations.services import (
    free_port,
    healthy,
    service_env,
    start_gunicorn,
    start_scheduler,
    wait_for,
)

TICK = 1.0
#: seconds to wait for something that takes a tick or a start-up: reached only if it never happens
PATIENCE = 120
#: tick times are written with three decimals
ROUNDING = 0.01


def ticks(path) -> list[tuple[int, float]]:
    if not path.exists():
        return []
    return [(int(pid), float(moment)) for pid, moment in (line.split() for line in path.read_text().splitlines())]


def count(path, pid: int) -> int:
    return sum(holder == pid for holder, _ in ticks(path))


@pytest.mark.slow
def test_two_workers_and_a_second_scheduler_never_run_a_tick_twice(database_url, tmp_path):
    tick_file = tmp_path / "ticks"
    env = service_env(
        database_url,
        tmp_path,
        scheduler_heartbeat_seconds=str(int(TICK)),
        scheduler_tick_file=str(tick_file),
        log_format="json",
    )
    port = free_port()
    started = []
    try:
        web = start_gunicorn(env, tmp_path, port, workers=2)
        started.append(web)
        # Wall-clock times, as the ticks are written: no scheduler can run a job before these.
        first_began = time.time()
        first = start_scheduler(env, tmp_path, "first")
        started.append(first)
        wait_for(lambda: healthy(f"http://127.0.0.1:{port}"), PATIENCE, "gunicorn to answer /healthz")
        wait_for(lambda: count(tick_file, first.pid) >= 1, PATIENCE, "the first scheduler's tick")
        # Started by mistake while the first runs: it must stand by, not run jobs.
        second = start_scheduler(env, tmp_path, "second", "--poll", "0.2")
        started.append(second)
        wait_for(lambda: "standing by" in second.output(), PATIENCE, "the second scheduler to stand by")
        standing_by_at = count(tick_file, first.pid)
        wait_for(lambda: count(tick_file, first.pid) >= standing_by_at + 3, PATIENCE, "three ticks while it stands by")
        assert count(tick_file, second.pid) == 0, "the standby ran a job while the first held the lock"
        handover_began = time.time()
        first.kill()  # kill -9: the lock goes with the process
        wait_for(lambda: count(tick_file, second.pid) >= 5, PATIENCE, "five ticks of the standby")
        assert healthy(f"http://127.0.0.1:{port}")
    finally:
        for service in reversed(started):
            service.stop()

    runs = ticks(tick_file)
    assert {pid for pid, _ in runs} == {first.pid, second.pid}, "only a lock holder runs jobs, never a web worker"
    # The first ran every tick until it died, then only the standby did: no overlap.
    holders = [pid for pid, _ in runs]
    handover = holders.index(second.pid)
    assert set(holders[:handover]) == {first.pid} and set(holders[handover:]) == {second.pid}
    # No tick twice: a holder's n-th run comes at least n intervals after it could first have
    # scheduled anything. A late run only makes this wider, so a slow machine cannot fail it.
    for holder, since in ((first.pid, first_began), (second.pid, handover_began)):
        own = [moment for pid, moment in runs if pid == holder]
        assert own[-1] - since >= len(own) * TICK - ROUNDING, f"more runs than intervals: {own} since {since}"
    assert "holding the" in first.output() and "holding the" in second.output()
    assert "scheduled " not in second.output().split("holding the")[0], "the standby scheduled jobs before the lock"
    # Structured logs: every line any process wrote to its log is JSON, and none names an address.
    for service in (web, first, second):
        for line in service.errors().splitlines():
            assert "127.0.0.1" not in line
            if line.strip():
                assert json.loads(line)["level"]
