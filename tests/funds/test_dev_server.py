"""The README's run command: `flask dev` on a fresh database serves the demo and runs every
scheduled job in the background, as a deployment's scheduler would (so checkpoints are signed
after midnight and the waitlist moves on without a second process)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.slow
def test_flask_dev_serves_the_demo_and_schedules_every_job(tmp_path):
    port = free_port()
    env = {**os.environ, "AYNI_DATABASE_URL": f"sqlite:///{tmp_path / 'dev.sqlite3'}", "AYNI_SECURE_COOKIES": "0"}
    env.pop("AYNI_ENVIRONMENT", None)
    server = subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "app", "dev", "--port", str(port)], cwd=ROOT,
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    said = []
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and not any("Ayni is running" in line for line in said):
            line = server.stdout.readline()
            if not line:
                break
            said.append(line)
        scheduled = next(line for line in said if line.startswith("running "))
        # the same jobs `flask scheduler` runs in a deployment
        deployment = subprocess.run([sys.executable, "-m", "flask", "--app", "app", "scheduler", "--once", "nothing"],
                                    cwd=ROOT, env=env, capture_output=True, text=True).stderr
        jobs = deployment.split("jobs: ", 1)[1].split("'")[0].strip().split(", ")
        assert len(jobs) >= 6 and "sign-checkpoints" in jobs
        assert scheduled.strip() == f"running {len(jobs)} scheduled jobs in the background: {', '.join(jobs)}"
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/pools?lang=es", timeout=30) as page:
            assert page.status == 200 and "Donde más se necesita" in page.read().decode()
    finally:
        server.terminate()
        server.wait(timeout=30)
        server.stdout.close()
