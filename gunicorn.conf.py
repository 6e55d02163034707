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

# (Not `from marketplace import config`: gunicorn reads a module-level `config` as its own.)
from marketplace.config import limits_per_process, missing_public_url


def _flag(name: str) -> bool:
    """A yes/no environment setting: 1, true, yes or on."""
    return os.environ.get(name, "").strip().lower() in {"1", "true", "yes", "on"}


def _settings(app) -> dict:
    """The loaded app's settings (with --preload), else the environment's as config.py
    reads them."""
    if app is not None:
        return {**app.config, "DEBUG": app.debug}
    return {
        "PUBLIC_URL": os.environ.get("PUBLIC_URL"),
        "DEBUG": _flag("FLASK_DEBUG"),
        "RATELIMIT_STORAGE_URI": os.environ.get("RATELIMIT_STORAGE_URI"),
    }


def per_worker_limits(settings, workers: int) -> str | None:
    """Why the rate limits would be counted per worker; None when the workers share them."""
    uri = limits_per_process(settings)
    if workers <= 1 or uri is None:
        return None
    return (
        f"{workers} gunicorn workers with RATELIMIT_STORAGE_URI={uri}: each worker would count "
        f"the rate limits (sign-in, registration, mail) alone, so {workers} times the limit "
        f"would get through. Set RATELIMIT_STORAGE_URI=redis://HOST:6379 (one storage for "
        f"every worker), or run one worker, or set RATELIMIT_ALLOW_PER_WORKER=1 to accept "
        f"limits per worker (never in production)."
    )


def on_starting(server):
    """Refuse to start without PUBLIC_URL, or with rate limits counted per worker (see the
    module's docstring)."""
    settings = _settings(server.app.wsgi() if server.cfg.preload_app else None)
    missing = missing_public_url(settings)
    if missing is not None:
        raise RuntimeError(f"refusing to start: {missing}")
    problem = per_worker_limits(settings, server.cfg.workers)
    if problem is None:
        return
    if _flag("RATELIMIT_ALLOW_PER_WORKER"):
        server.log.warning("RATE LIMITS PER WORKER (RATELIMIT_ALLOW_PER_WORKER=1): %s", problem)
        return
    # gunicorn prints a RuntimeError raised here as "Error: ..." and exits with status 1.
    raise RuntimeError(f"refusing to start: {problem}")
