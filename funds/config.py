"""Settings, read once from the environment into a frozen value."""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
from dataclasses import dataclass, field, replace
from pathlib import Path

INSTANCE_DIR = Path(os.environ.get("AYNI_INSTANCE_DIR", Path(__file__).resolve().parent.parent / "instance"))


def _flag(raw: str) -> bool:
    if raw.lower() in ("1", "true", "yes", "on"):
        return True
    if raw.lower() in ("0", "false", "no", "off"):
        return False
    raise ValueError(f"{raw!r} is not yes or no (use 1 or 0)")


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
    #: keys the codename lookup id (HMAC before Argon2id): without it a copied database cannot be
    #: searched for codenames. Required in production; in development it derives from secret_key.
    codename_pepper: str = ""
    #: days after a request closes before its sealed contact, note and payout details are deleted
    retention_days: int = 30
    #: request forms sent per client address (Flask-Limiter syntax, ";" separates limits)
    request_rate_limit: str = "10 per hour;30 per day"
    #: codename look-ups, confirmations and withdrawals per client address
    status_rate_limit: str = "30 per hour;100 per day"
    #: reverse proxies in front of the app that append X-Forwarded-For (0: none, trust no header)
    proxy_count: int = 0
    #: Stripe's secret key (sk_live_... in production; any sk_... works with localstripe)
    stripe_secret_key: str = "sk_test_localstripe"  # noqa: S105 (a localstripe key; production refuses it)
    #: the key Stripe.js uses in the donor's browser (pk_...)
    stripe_publishable_key: str = "pk_test_localstripe"
    #: signs Stripe's webhooks to /stripe/webhook (whsec_...)
    stripe_webhook_secret: str = ""
    #: where the Stripe API lives: localstripe's URL in development and tests
    stripe_api_base: str = "https://api.stripe.com"
    #: the Stripe.js the give page loads; localstripe serves a stand-in at <its URL>/js.stripe.com/v3/
    stripe_js_url: str = "https://js.stripe.com/v3/"
    #: bounds of one online gift, in minor units of the pool's currency
    gift_minimum: int = 100
    gift_maximum: int = 1_000_000
    #: bound of one offline gift a treasurer records (a grant can be large; a typo should not be)
    offline_gift_maximum: int = 100_000_000
    #: session cookies only over HTTPS; browsers accept Secure cookies from http://localhost too,
    #: so turn it off (AYNI_SECURE_COOKIES=0) only when serving plain http under another name
    secure_cookies: bool = True
    #: a committee member is signed out after this many minutes without a request
    session_idle_minutes: int = 30
    #: and after this many hours whatever they do, so a stolen session cookie dies soon
    session_absolute_hours: int = 12
    #: wrong passwords or codes in a row before an account pauses, and for how long
    login_max_failures: int = 5
    login_lockout_minutes: int = 15
    #: how long a committee invitation link works
    invitation_valid_hours: int = 72
    #: Argon2id cost for committee passwords; raising them rehashes each password at its next login
    password_time_cost: int = 3
    password_memory_kib: int = 65536
    password_parallelism: int = 4
    #: a member's approval or decline lapses if the request is not decided within this many hours
    vote_valid_hours: int = 72
    #: reminders: a request waiting for decisions, an approved one not yet paid, votes about to lapse
    remind_waiting_hours: int = 48
    remind_unpaid_hours: int = 72
    remind_votes_expiring_hours: int = 12
    #: days after which a request nobody decided is closed as expired (0: never)
    request_expiry_days: int = 60
    #: reminder emails go out through this SMTP server (empty: reminders stay on the dashboard)
    smtp_host: str = ""
    smtp_port: int = 587
    smtp_username: str = ""
    smtp_password: str = ""
    smtp_starttls: bool = True
    smtp_from: str = "ayni@localhost"
    #: how often the scheduler signs a checkpoint of the public books, if they grew
    checkpoint_interval_minutes: int = 60
    #: "text", or "json" for one JSON object per log line (still with no address or user agent)
    log_format: str = "text"
    #: how often the one scheduler checks it still holds its lock (and exits if it lost it)
    scheduler_heartbeat_seconds: int = 30
    #: for tests and diagnosis: the scheduler appends "<pid> <unix time>" here at each heartbeat
    scheduler_tick_file: str = ""
    #: where pg_dump and pg_restore live (empty: the PATH, then /usr/lib/postgresql/*/bin)
    pg_bindir: str = ""
    #: the 360Giving publisher prefix 360Giving assigns the fund ("360G-..."); grant ids start with it
    giving360_prefix: str = "360G-ayni"
    #: the funder named in the 360Giving export, and its organisation identifier (org-id.guide,
    #: e.g. "GB-CHC-1234567"; empty: the publisher prefix, as 360Giving asks of unregistered groups)
    funder_name: str = "Ayni mutual aid fund"
    funder_id: str = ""
    #: the 360Giving grant reason (GTIR codelist) every grant carries: Ayni asks nobody why
    giving360_grant_reason: str = "GTIR100"
    #: keys the 360Giving grant and recipient ids (HMAC of the request's ledger reference); empty:
    #: derived from secret_key. Set it so that changing the secret key does not renumber grants.
    giving360_id_key: str = ""

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
            ("codename_pepper", str),
            ("retention_days", int),
            ("request_rate_limit", str),
            ("status_rate_limit", str),
            ("proxy_count", int),
            ("secure_cookies", _flag),
            ("session_idle_minutes", int),
            ("session_absolute_hours", int),
            ("login_max_failures", int),
            ("login_lockout_minutes", int),
            ("invitation_valid_hours", int),
            ("password_time_cost", int),
            ("password_memory_kib", int),
            ("password_parallelism", int),
            ("vote_valid_hours", int),
            ("remind_waiting_hours", int),
            ("remind_unpaid_hours", int),
            ("remind_votes_expiring_hours", int),
            ("request_expiry_days", int),
            ("smtp_host", str),
            ("smtp_port", int),
            ("smtp_username", str),
            ("smtp_password", str),
            ("smtp_starttls", _flag),
            ("smtp_from", str),
            ("stripe_secret_key", str),
            ("stripe_publishable_key", str),
            ("stripe_webhook_secret", str),
            ("stripe_api_base", str),
            ("stripe_js_url", str),
            ("gift_minimum", int),
            ("gift_maximum", int),
            ("offline_gift_maximum", int),
            ("log_format", str),
            ("scheduler_heartbeat_seconds", int),
            ("scheduler_tick_file", str),
            ("pg_bindir", str),
            ("giving360_prefix", str),
            ("funder_name", str),
            ("funder_id", str),
            ("giving360_grant_reason", str),
            ("giving360_id_key", str),
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
            if len(self.codename_pepper) < 32:
                raise RuntimeError("set AYNI_CODENAME_PEPPER (32+ random characters): codename look-ups need it")
            if self.stripe_secret_key or self.stripe_publishable_key:
                self._check_stripe()
        if self.retention_days < 0 or self.proxy_count < 0:
            raise RuntimeError("AYNI_RETENTION_DAYS and AYNI_PROXY_COUNT cannot be negative")
        if self.log_format not in ("text", "json"):
            raise RuntimeError("AYNI_LOG_FORMAT is text or json")
        if self.scheduler_heartbeat_seconds < 1:
            raise RuntimeError("AYNI_SCHEDULER_HEARTBEAT_SECONDS must be at least 1")
        if self.checkpoint_interval_minutes < 1:
            raise RuntimeError("AYNI_CHECKPOINT_INTERVAL_MINUTES must be at least 1")
        if not re.fullmatch(r"360G-[A-Za-z0-9_.-]+", self.giving360_prefix):
            raise RuntimeError("AYNI_GIVING360_PREFIX is the 360Giving publisher prefix, e.g. 360G-ayni")
        if not re.fullmatch(r"GTIR(0[1-9]|1[0-2])0", self.giving360_grant_reason):
            raise RuntimeError("AYNI_GIVING360_GRANT_REASON is a 360Giving grant reason code, GTIR010-GTIR120")
        if self.vote_valid_hours < 1 or self.request_expiry_days < 0:
            raise RuntimeError("AYNI_VOTE_VALID_HOURS must be at least 1 and AYNI_REQUEST_EXPIRY_DAYS not negative")

    @property
    def cards_enabled(self) -> bool:
        """Whether the fund takes cards: with no Stripe keys it runs on bank transfers and offline gifts."""
        return bool(self.stripe_secret_key and self.stripe_publishable_key)

    @property
    def effective_funder_id(self) -> str:
        return self.funder_id or self.giving360_prefix

    @property
    def effective_giving360_id_key(self) -> bytes:
        """The configured key, else one derived from the secret key."""
        if self.giving360_id_key:
            return self.giving360_id_key.encode()
        return hmac.new(self.secret_key.encode(), b"ayni 360giving ids", hashlib.sha256).digest()

    @property
    def effective_codename_pepper(self) -> bytes:
        """The configured pepper, else (development only) one derived from the secret key."""
        if self.codename_pepper:
            return self.codename_pepper.encode()
        return hmac.new(self.secret_key.encode(), b"ayni codename pepper", hashlib.sha256).digest()

    def _check_stripe(self) -> None:
        """Production takes real money: live keys, Stripe's own hosts, a webhook secret."""
        if not self.stripe_secret_key.startswith(("sk_live_", "rk_live_")):
            raise RuntimeError("set AYNI_STRIPE_SECRET_KEY to a live key (sk_live_... or rk_live_...)")
        if not self.stripe_publishable_key.startswith("pk_live_"):
            raise RuntimeError("set AYNI_STRIPE_PUBLISHABLE_KEY to a live key (pk_live_...)")
        if not self.stripe_webhook_secret.startswith("whsec_"):
            raise RuntimeError("set AYNI_STRIPE_WEBHOOK_SECRET to the endpoint's signing secret (whsec_...)")
        if not (self.stripe_api_base.startswith("https://") and self.stripe_js_url.startswith("https://")):
            raise RuntimeError("AYNI_STRIPE_API_BASE and AYNI_STRIPE_JS_URL must be https in production")
