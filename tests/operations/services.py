"""The service as production runs it, on loopback: gunicorn workers and `flask scheduler` processes.

Each process starts in a session (process group) of its own, so that a test can kill -9 a whole
gunicorn (master and workers at once) and always cleans up whatever it started.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FLASK = str(Path(sys.executable).with_name("flask"))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def service_env(database_url: str, workdir: Path, **settings: str) -> dict[str, str]:
    """The environment of every process of one deployment: ``AYNI_*`` from ``settings`` only."""
    env = {name: value for name, value in os.environ.items() if not name.startswith("AYNI_")}
    env.update(
        {
            "AYNI_DATABASE_URL": database_url,
            "AYNI_INSTANCE_DIR": str(workdir),
            "AYNI_SECRET_KEY": "operations-test-secret",
            "AYNI_LEDGER_KEY_FILE": str(workdir / "ledger-signing.key"),
            "PYTHONPATH": str(ROOT),
        }
    )
    env.update({f"AYNI_{name.upper()}": value for name, value in settings.items()})
    return env


@dataclass
class Service:
    """One started process group, its output files, and how to end it."""

    process: subprocess.Popen
    name: str
    out: Path
    err: Path
    opened: list = field(default_factory=list)

    @property
    def pid(self) -> int:
        return self.process.pid

    def kill(self, sig: int = signal.SIGKILL) -> None:
        """Send ``sig`` to the whole group (gunicorn's master and workers at once) and reap it."""
        if self.process.poll() is None:
            try:
                os.killpg(self.process.pid, sig)
            except ProcessLookupError:
                pass
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=15)
        # Workers of a killed master may linger for a moment as orphans of the same group.
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        for stream in self.opened:
            stream.close()
        self.opened.clear()

    def stop(self) -> None:
        """Ask politely (SIGTERM), then insist."""
        if self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGTERM)
                self.process.wait(timeout=15)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                pass
        self.kill()

    def output(self) -> str:
        return self.out.read_text(errors="replace")

    def errors(self) -> str:
        return self.err.read_text(errors="replace")


def start(command: list[str], env: dict[str, str], workdir: Path, name: str) -> Service:
    out, err = workdir / f"{name}.out", workdir / f"{name}.err"
    streams = [open(out, "ab"), open(err, "ab")]  # noqa: SIM115 (closed by Service.kill)
    process = subprocess.Popen(
        command,
        env=env,
        cwd=ROOT,
        stdout=streams[0],
        stderr=streams[1],
        stdin=subprocess.DEVNULL,
        start_new_session=True,
    )
    return Service(process, name, out, err, streams)


def start_gunicorn(
    env: dict[str, str], workdir: Path, port: int, *, workers: int = 2, name: str = "gunicorn", threads: int = 4
) -> Service:
    """The production command from the README, on a loopback port."""
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "-c",
        "funds/gunicorn_conf.py",
        "-w",
        str(workers),
        "--worker-class",
        "gthread",
        "--threads",
        str(threads),
        "--bind",
        f"127.0.0.1:{port}",
        "--preload",
        "--graceful-timeout",
        "5",
        "app:create_app()",
    ]
    return start(command, env, workdir, name)


def start_scheduler(env: dict[str, str], workdir: Path, name: str, *options: str) -> Service:
    return start([FLASK, "--app", "app", "scheduler", *options], env, workdir, name)


def healthy(base_url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{base_url}/healthz", timeout=2) as answer:  # noqa: S310 (loopback)
            return answer.status == 200
    except OSError:
        return False


def wait_for(condition: Callable[[], bool], timeout: float, what: str, pause: float = 0.05) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up after {timeout}s waiting for {what}")
        time.sleep(pause)
