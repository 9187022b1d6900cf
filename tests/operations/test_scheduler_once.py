"""Two gunicorn workers and two schedulers (one started by mistake): every tick runs once.

The scheduler's heartbeat job writes one line per run to ``AYNI_SCHEDULER_TICK_FILE`` (pid and
time). Every process of the deployment has that setting; only the lock holder may write.
"""

from __future__ import annotations

import json

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


def ticks(path) -> list[tuple[int, float]]:
    if not path.exists():
        return []
    return [(int(pid), float(moment)) for pid, moment in (line.split() for line in path.read_text().splitlines())]


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
        first = start_scheduler(env, tmp_path, "first")
        started.append(first)
        wait_for(lambda: healthy(f"http://127.0.0.1:{port}"), 30, "gunicorn to answer /healthz")
        wait_for(lambda: any(pid == first.pid for pid, _ in ticks(tick_file)), 30, "the first scheduler's tick")
        # Started by mistake while the first runs: it must stand by, not run jobs.
        second = start_scheduler(env, tmp_path, "second", "--poll", "0.2")
        started.append(second)
        wait_for(lambda: "standing by" in second.output(), 30, "the second scheduler to stand by")
        wait_for(lambda: len(ticks(tick_file)) >= 6, 15, "six ticks")
        first.kill()  # kill -9: the lock goes with the process
        wait_for(lambda: any(pid == second.pid for pid, _ in ticks(tick_file)), 10, "the standby to take over")
        wait_for(lambda: sum(pid == second.pid for pid, _ in ticks(tick_file)) >= 3, 10, "three ticks of the standby")
        assert healthy(f"http://127.0.0.1:{port}")
    finally:
        for service in reversed(started):
            service.stop()

    runs = ticks(tick_file)
    assert {pid for pid, _ in runs} == {first.pid, second.pid}, "only a lock holder runs jobs, never a web worker"
    # The first ran every tick until it died, then only the standby did: no overlap, no tick twice.
    holders = [pid for pid, _ in runs]
    handover = holders.index(second.pid)
    assert set(holders[:handover]) == {first.pid} and set(holders[handover:]) == {second.pid}
    gaps = [later - earlier for (_, earlier), (_, later) in zip(runs, runs[1:], strict=False)]
    assert min(gaps) > TICK / 2, f"two runs in one tick: {runs}"
    for holder in (first.pid, second.pid):
        own = [moment for pid, moment in runs if pid == holder]
        steps = [later - earlier for earlier, later in zip(own, own[1:], strict=False)]
        assert max(steps) < TICK * 1.5, f"a holder skipped a tick: {own}"
    assert "holding the" in first.output() and "holding the" in second.output()
    assert "scheduled " not in second.output().split("holding the")[0], "the standby scheduled jobs before the lock"
    # Structured logs: every line any process wrote to its log is JSON, and none names an address.
    for service in (web, first, second):
        for line in service.errors().splitlines():
            assert "127.0.0.1" not in line
            if line.strip():
                assert json.loads(line)["level"]
