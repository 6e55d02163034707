"""Settings read from the environment.

Without DATABASE_URL the app uses a SQLite file under instance/ (WAL mode);
with DATABASE_URL=postgresql+psycopg://... it uses PostgreSQL.
"""

import os
from pathlib import Path


def _secret(name: str, key_file: Path) -> str | None:
    """A secret from the environment variable `name`, else from `key_file` (written by
    `make run`, mode 0600), else None."""
    if os.environ.get(name):
        return os.environ[name]
    if key_file.exists():
        return key_file.read_text().strip()
    return None


def _secret_key(instance_path: Path) -> str | None:
    """SECRET_KEY from the environment, else from instance/secret_key (written by `make run`)."""
    return _secret("SECRET_KEY", instance_path / "secret_key")


def _flag(name: str) -> bool:
    """A yes/no setting: 1, true, yes or on."""
    return os.environ.get(name, "").strip().lower() in {"1", "true", "yes", "on"}


def _names(value: str) -> list[str]:
    """A list setting: names separated by commas or spaces, in lower case."""
    return [name.lower() for name in value.replace(",", " ").split()]


def load(instance_path: str) -> dict:
    """Build the configuration mapping for an app whose instance folder is instance_path."""
    instance = Path(instance_path)
    database_url = os.environ.get("DATABASE_URL") or f"sqlite:///{instance / 'marketplace.db'}"
    if database_url.startswith("postgres://"):
        database_url = "postgresql+psycopg://" + database_url.removeprefix("postgres://")
    elif database_url.startswith("postgresql://"):
        database_url = "postgresql+psycopg://" + database_url.removeprefix("postgresql://")
    secure_cookies = os.environ.get("SESSION_COOKIE_SECURE", "0") == "1"
    return {
        "SECRET_KEY": _secret_key(instance),
        "SQLALCHEMY_DATABASE_URI": database_url,
        # hide_parameters: a database error's message (logged with its traceback) must not
        # carry the bound values, which can be a NIK.
        "SQLALCHEMY_ENGINE_OPTIONS": {
            "pool_pre_ping": database_url.startswith("postgresql"),
            "hide_parameters": True,
        },
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": secure_cookies,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": secure_cookies,
        "BABEL_DEFAULT_LOCALE": "id",
        "BABEL_DEFAULT_TIMEZONE": "Asia/Jakarta",
        "LANGUAGES": ("id", "en"),
        "RATELIMIT_STORAGE_URI": os.environ.get("RATELIMIT_STORAGE_URI", "memory://"),
        # How many reverse proxies in front of the app set X-Forwarded-For (0: none).
        "TRUSTED_PROXIES": int(os.environ.get("TRUSTED_PROXIES") or 0),
        "RATELIMIT_HEADERS_ENABLED": True,
        "WTF_CSRF_TIME_LIMIT": None,
        "CATALOGUE_PAGE_SIZE": 20,
        "MAX_CONTENT_LENGTH": 2 * 1024 * 1024,
        # Participants' uploaded files (skill demonstrations), outside the static folder;
        # the demonstration form alone takes bodies up to UPLOAD_MAX_CONTENT_LENGTH.
        "UPLOAD_DIR": os.environ.get("UPLOAD_DIR") or str(instance / "uploads"),
        "UPLOAD_MAX_CONTENT_LENGTH": 6 * 1024 * 1024,
        # Mail: without MAIL_SERVER messages stay in the outbox table and the log
        # (`flask mail outbox`); with it the worker sends them by SMTP once their transaction
        # has committed.
        "MAIL_SERVER": os.environ.get("MAIL_SERVER") or None,
        "MAIL_PORT": int(os.environ.get("MAIL_PORT") or 25),
        "MAIL_USERNAME": os.environ.get("MAIL_USERNAME") or None,
        "MAIL_PASSWORD": os.environ.get("MAIL_PASSWORD") or None,
        "MAIL_USE_TLS": _flag("MAIL_USE_TLS"),  # STARTTLS
        "MAIL_SENDER": os.environ.get("MAIL_SENDER") or "Prakerja <no-reply@localhost>",
        "MAIL_TIMEOUT": float(os.environ.get("MAIL_TIMEOUT") or 10),
        # Mail older than this (seconds) that is still unsent and has no error noted lost its
        # delivery task (a killed worker): the worker's periodic resend enqueues it again.
        "MAIL_RESEND_AFTER": int(os.environ.get("MAIL_RESEND_AFTER") or 300),
        # The task queue (marketplace/core/tasks.py; the worker is `flask worker`): Huey on a
        # SQLite file under instance/ by default, on Redis with redis://host:6379/1 when web
        # servers and workers run on several machines.
        "TASK_QUEUE_URL": os.environ.get("TASK_QUEUE_URL") or f"sqlite:///{instance / 'tasks.db'}",
        # Catalogue result pages shared by every worker and machine (catalogue/
        # shared_results.py): redis://host:6379/2. Unset, each process keeps its own only.
        "RESULTS_STORE_URL": os.environ.get("RESULTS_STORE_URL") or None,
        "RESULTS_STORE_SECONDS": int(os.environ.get("RESULTS_STORE_SECONDS") or 600),
        # Run every job in the enqueuing process when it is enqueued (no worker). Unset: on
        # exactly when TESTING.
        "TASK_QUEUE_IMMEDIATE": _flag("TASK_QUEUE_IMMEDIATE")
        if os.environ.get("TASK_QUEUE_IMMEDIATE")
        else None,
        # The site's address as people reach it (https://prakerja.example): every link in
        # mail starts with it, never with a request's Host header. Required outside debug
        # and testing (create_app refuses to start without it); `make run` sets it.
        "PUBLIC_URL": os.environ.get("PUBLIC_URL") or None,
        # More host names requests may be addressed to besides PUBLIC_URL's, comma-separated
        # (e.g. the name a load balancer's health check uses). Any other Host gets a 400.
        "ALLOWED_HOSTS": _names(os.environ.get("ALLOWED_HOSTS", "")),
        # The programme office's complaint channel, shown on /contact, /privacy,
        # /accessibility and in the footer: set both to the real ones in production.
        "CONTACT_EMAIL": os.environ.get("CONTACT_EMAIL") or "pengaduan@prakerja.example",
        "CONTACT_PHONE": os.environ.get("CONTACT_PHONE") or "+62 21 0000 0000",
        # The programme's Ed25519 key that signs the Open Badges credentials
        # (certificates/credential.py): CERTIFICATE_SIGNING_KEY holds it as a PKCS#8 PEM or
        # as the base64 of its 32-byte seed; without it the key is read from
        # CERTIFICATE_SIGNING_KEY_FILE (default instance/certificate-signing-key.pem), which
        # is written (mode 0600) on first use. Never in the repository.
        "CERTIFICATE_SIGNING_KEY": os.environ.get("CERTIFICATE_SIGNING_KEY") or None,
        "CERTIFICATE_SIGNING_KEY_FILE": os.environ.get("CERTIFICATE_SIGNING_KEY_FILE")
        or str(instance / "certificate-signing-key.pem"),
        # The payout gateway incentives are paid through (incentives/gateway.py): its address,
        # and the secret shared with it that signs our calls and its webhooks (from the
        # environment, else instance/payout_gateway_secret, written by `make run`). `make run`
        # starts the project's sandbox gateway on PAYOUT_SANDBOX_PORT beside the app and sets
        # PAYOUT_GATEWAY_URL to it; there is no default, so a server started without it pays
        # nothing (and says so) rather than "paying" through a sandbox someone left running.
        "PAYOUT_GATEWAY_URL": os.environ.get("PAYOUT_GATEWAY_URL") or None,
        "PAYOUT_GATEWAY_SECRET": _secret(
            "PAYOUT_GATEWAY_SECRET", instance / "payout_gateway_secret"
        ),
        "PAYOUT_GATEWAY_TIMEOUT": float(os.environ.get("PAYOUT_GATEWAY_TIMEOUT") or 5),
        # A webhook older (or newer) than this many seconds is refused as a replay.
        "PAYOUT_WEBHOOK_TOLERANCE": int(os.environ.get("PAYOUT_WEBHOOK_TOLERANCE") or 300),
        # The disburser's pace (incentives/disbursement.Settings): payments claimed per
        # transaction; seconds a payment may stay "paying" before the gateway is asked about
        # it; the first wait after a failure (doubled each time); tries before the office.
        "PAYOUT_BATCH": int(os.environ.get("PAYOUT_BATCH") or 50),
        "PAYOUT_RECONCILE_AFTER": float(os.environ.get("PAYOUT_RECONCILE_AFTER") or 600),
        "PAYOUT_RETRY_AFTER": float(os.environ.get("PAYOUT_RETRY_AFTER") or 1800),
        "PAYOUT_RETRY_LIMIT": int(os.environ.get("PAYOUT_RETRY_LIMIT") or 5),
    }


# --- what a serving process needs (read by create_app and by gunicorn.conf.py) ---------

MISSING_PUBLIC_URL = (
    "PUBLIC_URL is not set: export the site's address as people reach it, e.g. "
    "PUBLIC_URL=https://prakerja.example (`make run` sets it). Links in mail are built on it, "
    "never on a request's Host header, so the site refuses to serve until it is set."
)
# Limiter storages that live inside one process (the limits library's names).
PER_PROCESS_STORAGES = frozenset({"memory", "async+memory"})


def missing_public_url(settings) -> str | None:
    """Why the site can't serve: no PUBLIC_URL outside debug and testing; None when fine."""
    if settings.get("PUBLIC_URL") or settings.get("DEBUG") or settings.get("TESTING"):
        return None
    return MISSING_PUBLIC_URL


def limits_per_process(settings) -> str | None:
    """The limiter's storage when it lives inside one process (so several processes would
    each count the rate limits alone); None when the limits are off or shared."""
    if not settings.get("RATELIMIT_ENABLED", True):
        return None
    uri = settings.get("RATELIMIT_STORAGE_URI") or "memory://"
    return uri if uri.partition("://")[0].lower() in PER_PROCESS_STORAGES else None
