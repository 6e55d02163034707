"""gunicorn's settings for the marketplace, read by gunicorn from the directory it starts in.

Without PUBLIC_URL (the site's address, which every link in mail starts with) gunicorn
refuses to start: the app would answer every request 503.

Rate limits (sign-in, registration, mail; Flask-Limiter) are counted in the limiter's storage.
The default storage, memory://, lives inside one worker process: with several workers each
counts alone, so four workers let about four times the limit through. So with more than one
worker gunicorn refuses to start (before it binds or forks) unless

- RATELIMIT_STORAGE_URI names a storage the workers share (redis://host:6379), or
- RATELIMIT_ALLOW_PER_WORKER=1 accepts limits per worker (benchmarks, never production),
  which logs a warning instead.

The settings judged are the environment's, as marketplace/config.py reads them; with
--preload they are those of the loaded app, so a test that gives create_app() its own
RATELIMIT_ENABLED or RATELIMIT_STORAGE_URI is judged by them.
"""

import os

# Limiter storages that live inside one process (the limits library's names).
PER_PROCESS_STORAGES = {"memory", "async+memory"}


def _flag(name: str) -> bool:
    """A yes/no environment setting: 1, true, yes or on."""
    return os.environ.get(name, "").strip().lower() in {"1", "true", "yes", "on"}


def per_worker_limits(settings, workers: int) -> str | None:
    """Why the rate limits would be counted per worker; None when the workers share them.

    `settings` is the loaded app's config, or None to read the environment.
    """
    if settings is None:
        settings = {"RATELIMIT_STORAGE_URI": os.environ.get("RATELIMIT_STORAGE_URI")}
    if workers <= 1 or not settings.get("RATELIMIT_ENABLED", True):
        return None
    uri = settings.get("RATELIMIT_STORAGE_URI") or "memory://"
    if uri.partition("://")[0].lower() not in PER_PROCESS_STORAGES:
        return None
    return (
        f"{workers} gunicorn workers with RATELIMIT_STORAGE_URI={uri}: each worker would count "
        f"the rate limits (sign-in, registration, mail) alone, so {workers} times the limit "
        f"would get through. Set RATELIMIT_STORAGE_URI=redis://HOST:6379 (one storage for "
        f"every worker), or run one worker, or set RATELIMIT_ALLOW_PER_WORKER=1 to accept "
        f"limits per worker (never in production)."
    )


def missing_public_url(settings) -> str | None:
    """Why the site can't serve: no PUBLIC_URL (links in mail are built only on it)."""
    if settings is None:
        settings = {"PUBLIC_URL": os.environ.get("PUBLIC_URL")}
    if settings.get("PUBLIC_URL") or settings.get("TESTING") or settings.get("DEBUG"):
        return None
    return (
        "PUBLIC_URL is not set: export the site's address as people reach it, e.g. "
        "PUBLIC_URL=https://prakerja.example. Links in mail are built on it, never on a "
        "request's Host header."
    )


def on_starting(server):
    """Refuse to start without PUBLIC_URL, or with rate limits counted per worker (see the
    module's docstring)."""
    app = server.app.wsgi() if server.cfg.preload_app else None
    missing = missing_public_url(getattr(app, "config", None))
    if missing is not None:
        raise RuntimeError(f"refusing to start: {missing}")
    problem = per_worker_limits(getattr(app, "config", None), server.cfg.workers)
    if problem is None:
        return
    if _flag("RATELIMIT_ALLOW_PER_WORKER"):
        server.log.warning("RATE LIMITS PER WORKER (RATELIMIT_ALLOW_PER_WORKER=1): %s", problem)
        return
    # gunicorn prints a RuntimeError raised here as "Error: ..." and exits with status 1.
    raise RuntimeError(f"refusing to start: {problem}")
