"""localstripe beside the app, for the dev command and the tests: a stateful Stripe API on loopback.

It serves a stand-in Stripe.js at ``<url>/js.stripe.com/v3/`` and sends correctly signed webhooks
to the URL registered with it, so a newcomer can give a test gift with no network and no account.
It books no fees and sends no refund or dispute events; those paths are tested with events we sign.

``python -m funds.donations.localstripe`` serves it on a free loopback port and prints the URL.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from dataclasses import dataclass

from funds.config import Config

#: localstripe accepts any key of the right shape
SECRET_KEY = "sk_test_localstripe"  # noqa: S105 (localstripe takes any sk_ key)
PUBLISHABLE_KEY = "pk_test_localstripe"


@dataclass
class LocalStripe:
    process: subprocess.Popen
    url: str

    @classmethod
    def start(cls, timeout: float = 20) -> LocalStripe:
        """Start the server, and return once it answers."""
        process = subprocess.Popen(
            [sys.executable, "-m", "funds.donations.localstripe"], stdout=subprocess.PIPE, text=True
        )
        first_line = process.stdout.readline().strip()
        if not first_line.startswith("listening on "):
            process.kill()
            raise RuntimeError(f"localstripe did not start: {first_line!r}")
        server = cls(process, first_line.removeprefix("listening on "))
        deadline = time.monotonic() + timeout
        while True:
            try:
                with urllib.request.urlopen(server.js_url, timeout=2):  # noqa: S310 (our loopback URL)
                    return server
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    server.stop()
                    raise RuntimeError(f"localstripe at {server.url} did not answer in {timeout}s") from None
                time.sleep(0.05)

    @property
    def js_url(self) -> str:
        return f"{self.url}/js.stripe.com/v3/"

    def send_webhooks_to(self, url: str, secret: str) -> None:
        """Register (or move) the one webhook endpoint localstripe signs events for."""
        request = urllib.request.Request(  # noqa: S310 (our loopback URL)
            f"{self.url}/_config/webhooks/ayni",
            data=json.dumps({"url": url, "secret": secret}).encode(),
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=5):  # noqa: S310
            pass

    def configure(self, config: Config, webhook_secret: str) -> Config:
        """``config`` pointed at this server for the API, Stripe.js and webhooks."""
        return config.with_overrides(
            stripe_secret_key=SECRET_KEY,
            stripe_publishable_key=PUBLISHABLE_KEY,
            stripe_webhook_secret=webhook_secret,
            stripe_api_base=self.url,
            stripe_js_url=self.js_url,
        )

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.process.stdout:
            self.process.stdout.close()


def serve() -> None:
    """Run localstripe on 127.0.0.1 only (its own start() listens on every interface)."""
    from aiohttp import web
    from localstripe import resources, server

    # It pickles its whole store to one shared /tmp file on every write; we never load it back,
    # and two servers (the dev one and a test run) would overwrite each other's.
    resources.Store.dump_to_disk = lambda self: None
    threading.Thread(target=_exit_with_parent, args=(os.getppid(),), daemon=True).start()
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    print(f"listening on http://127.0.0.1:{sock.getsockname()[1]}", flush=True)
    web.run_app(server.app, sock=sock, print=None, access_log=None)


def _exit_with_parent(parent: int) -> None:
    """Stop when whoever started us is gone (killed without the chance to stop us)."""
    while os.getppid() == parent:
        time.sleep(1)
    os._exit(0)


if __name__ == "__main__":
    serve()
