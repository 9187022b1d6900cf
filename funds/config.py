"""Settings, read once from the environment into a frozen value."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field, replace
from pathlib import Path

INSTANCE_DIR = Path(os.environ.get("AYNI_INSTANCE_DIR", Path(__file__).resolve().parent.parent / "instance"))


@dataclass(frozen=True)
class Config:
    #: SQLAlchemy URL; SQLite (WAL) by default, PostgreSQL in production
    database_url: str = f"sqlite:///{INSTANCE_DIR / 'ayni.sqlite3'}"
    #: signs session cookies and CSRF tokens; must be set in production
    secret_key: str = field(default_factory=lambda: secrets.token_hex(32))
    #: names the log in signed checkpoints, e.g. "ayni.example.org/ledger"
    ledger_origin: str = "ayni.local/ledger"
    #: a C2SP note signer key ("PRIVATE+KEY+name+hash+base64"), or empty to use ledger_key_file
    ledger_signing_key: str = ""
    #: where a development signing key is created and kept when none is configured
    ledger_key_file: str = str(INSTANCE_DIR / "ledger-signing.key")
    #: "production" refuses to start with development defaults
    environment: str = "development"
    testing: bool = False

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Config:
        """Read ``AYNI_*`` variables; anything unset keeps its development default."""
        env = os.environ if environ is None else environ
        values: dict[str, object] = {}
        for name, kind in (
            ("database_url", str),
            ("secret_key", str),
            ("ledger_origin", str),
            ("ledger_signing_key", str),
            ("ledger_key_file", str),
            ("environment", str),
        ):
            raw = env.get(f"AYNI_{name.upper()}")
            if raw is not None and raw != "":
                values[name] = kind(raw)
        config = cls(**values)
        config.check()
        return config

    def with_overrides(self, **changes: object) -> Config:
        return replace(self, **changes)

    def check(self) -> None:
        """Refuse production settings that would be unsafe, with the variable to set."""
        if self.environment == "production":
            if not os.environ.get("AYNI_SECRET_KEY"):
                raise RuntimeError("set AYNI_SECRET_KEY: production needs a stable secret key")
            if not self.ledger_signing_key:
                raise RuntimeError("set AYNI_LEDGER_SIGNING_KEY: production checkpoints need a kept key")
