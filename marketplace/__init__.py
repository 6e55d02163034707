"""Application factory: create_app() builds the app in named steps."""

from pathlib import Path
from urllib.parse import urlsplit

from flask import Flask, abort, request
from flask_login import current_user
from werkzeug.wsgi import host_is_trusted

from marketplace import config as settings


def create_app(test_config: dict | None = None) -> Flask:
    """Create the Flask app: configuration, extensions, blueprints, error pages, CLI."""
    app = Flask(__name__, instance_relative_config=True)
    configure(app, test_config)
    use_public_url(app)
    warn_of_limits_per_process(app)
    keep_certificate_pages(app)
    trust_proxies(app)
    register_extensions(app)
    register_models()
    register_database_events(app)
    register_shared_results(app)
    register_transaction_boundary(app)
    register_i18n(app)
    register_inputs(app)
    register_blueprints(app)
    register_error_pages(app)
    register_security_headers(app)
    register_template_helpers(app)
    register_transfer(app)
    register_cli(app)
    return app


def configure(app: Flask, test_config: dict | None) -> None:
    """Load settings from the environment, then any overrides given by tests."""
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    app.config.from_mapping(settings.load(app.instance_path))
    if test_config:
        app.config.from_mapping(test_config)
    if not app.config.get("SECRET_KEY"):
        raise RuntimeError(
            "SECRET_KEY is not set: export SECRET_KEY or run `make run`, "
            "which writes one to instance/secret_key"
        )


# Without PUBLIC_URL, a debug or test app's links start with `flask run`'s own address.
DEVELOPMENT_URL = "http://127.0.0.1:5000"
# A site on a loopback name answers to both (make run's 127.0.0.1 is opened as localhost).
LOOPBACK_HOSTS = ("localhost", "127.0.0.1")
# Host headers found allowed are kept (per process, up to this many) and not checked again.
TRUSTED_HOSTS_KEPT = 16


def use_public_url(app: Flask) -> None:
    """Links in mail start with PUBLIC_URL; requests must name its host or ALLOWED_HOSTS.

    Whoever sends a request chooses its Host header, so a link built on it could send a
    password-reset link to another site. Outside debug and testing, an app without
    PUBLIC_URL answers every request 503 and says why in the log (gunicorn, through
    gunicorn.conf.py, refuses to start without it); `flask` commands, which send no links,
    still run. ALLOWED_HOSTS becomes PUBLIC_URL's host plus the setting's names, and
    a request for any other host is answered 400 before anything else runs. (Not through
    Flask's TRUSTED_HOSTS: that refuses the host before the request can build a link, so the
    error page itself could not be drawn.)
    """
    url = app.config.get("PUBLIC_URL")
    missing = settings.missing_public_url({**app.config, "DEBUG": app.debug})
    if missing is not None:
        app.logger.error(missing)

        @app.before_request
        def refuse_without_public_url():
            """503 for every request: no link may be built on the Host header."""
            app.logger.error(missing)
            abort(503)

        return
    if not url:
        url = DEVELOPMENT_URL
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.hostname or parts.query or parts.fragment:
        raise RuntimeError(
            f"PUBLIC_URL must be an http:// or https:// address such as "
            f"https://prakerja.example, not {url!r}"
        )
    app.config["PUBLIC_URL"] = url.rstrip("/")
    hosts = [parts.hostname, *app.config.get("ALLOWED_HOSTS", ())]
    if parts.hostname in LOOPBACK_HOSTS:
        hosts.extend(LOOPBACK_HOSTS)
    app.config["ALLOWED_HOSTS"] = allowed = list(dict.fromkeys(hosts))

    trusted: set[str] = set()  # Host headers already found allowed (a handful: name[:port])

    @app.before_request
    def refuse_other_hosts():
        """A 400 for a Host header naming neither PUBLIC_URL's host nor ALLOWED_HOSTS."""
        host = request.host
        if host in trusted:
            return
        if not host_is_trusted(host, allowed):
            app.logger.warning("Refused a request for host %r: not in ALLOWED_HOSTS", host[:100])
            abort(400)
        if len(trusted) < TRUSTED_HOSTS_KEPT:
            trusted.add(host)


def warn_of_limits_per_process(app: Flask) -> None:
    """Say loudly, outside debug and testing, that the rate limits live in this process.

    Every process started this way counts sign-ins alone: several of them (workers of any
    server, or servers behind one address) let several times the limit through. gunicorn
    refuses that outright (gunicorn.conf.py); any other way of starting several processes
    gets this warning in its log.
    """
    storage = settings.limits_per_process(app.config)
    if storage is not None and not (app.debug or app.testing):
        app.logger.warning(
            "RATE LIMITS PER PROCESS: RATELIMIT_STORAGE_URI=%s counts the limits inside this "
            "process only. Run a single process, or set RATELIMIT_STORAGE_URI=redis://HOST:6379 "
            "so that every process shares them.",
            storage,
        )


def keep_certificate_pages(app: Flask) -> None:
    """Certificate pages answered whole from what the process keeps, checked against the
    certificate's revocation (web/certificates/kept.py). Installed before the proxy fix,
    which then wraps it: the Host it keys on is the one the proxy passed on."""
    from marketplace.web.certificates.kept import install

    install(app)


def trust_proxies(app: Flask) -> None:
    """Behind TRUSTED_PROXIES reverse proxies, take the client's address from X-Forwarded-For.

    Without it every request behind a proxy comes from the proxy's address, and the limits
    per address (sign-in, registration) would be one limit for everybody.
    """
    proxies = int(app.config.get("TRUSTED_PROXIES") or 0)
    if proxies > 0:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)


def register_extensions(app: Flask) -> None:
    """Bind the unbound extensions to this app."""
    from flask_babel import gettext

    from marketplace.core import N_
    from marketplace.extensions import csrf, db, limiter, login_manager, migrate

    db.init_app(app)
    migrate.init_app(app, db, directory=str(Path(app.root_path).parent / "migrations"))
    csrf.init_app(app)
    limiter.init_app(app)
    # Templates get `current_user` as the lazy proxy (see web/auth/session.py) rather than
    # Flask-Login's context processor, which loads the user on every render.
    login_manager.init_app(app, add_context_processor=False)
    login_manager.login_view = "auth.login"
    login_manager.login_message_category = "info"
    # Shown when a page needs signing in: in the page's language, and saying what to do.
    login_manager.login_message = N_(
        "Sign in to see this page. After signing in you come back here."
    )
    login_manager.localize_callback = gettext
    login_manager.session_protection = "basic"

    from marketplace.web.auth.session import SessionCookie, load_user, signed_in_user

    app.session_interface = SessionCookie()
    login_manager.user_loader(load_user)
    app.add_template_global(current_user, name="current_user")
    app.add_template_global(signed_in_user)


# Every feature package with tables; their mapped classes must all be known before the
# first query (relationships name each other by class name) and for `flask db migrate`.
FEATURE_PACKAGES = (
    "core",
    "people",
    "programme",
    "catalogue",
    "money",
    "orders",
    "learning",
    "certificates",
    "curation",
    "incentives",
)


def register_models() -> None:
    """Import the models of every feature package (see FEATURE_PACKAGES)."""
    from importlib import import_module

    for package in FEATURE_PACKAGES:
        import_module(f"marketplace.{package}.models")


def register_database_events(app: Flask) -> None:
    """SQLite pragmas on every new connection: WAL, foreign keys, a busy timeout."""
    from marketplace.core.database import install_sqlite_pragmas

    install_sqlite_pragmas(app)


def register_shared_results(app: Flask) -> None:
    """Catalogue result pages shared by every process through RESULTS_STORE_URL, if set
    (catalogue/shared_results.py)."""
    from marketplace.catalogue import shared_results

    shared_results.install(app)


def register_transaction_boundary(app: Flask) -> None:
    """Each request commits once at its end, or rolls back (web/transaction.py)."""
    from marketplace.web.transaction import register

    register(app)


def register_i18n(app: Flask) -> None:
    """Flask-Babel with Indonesian as the default language and English as the second."""
    from marketplace.extensions import babel
    from marketplace.web.i18n import install_template_callables, select_locale

    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(Path(app.root_path) / "translations")
    babel.init_app(app, locale_selector=select_locale, default_timezone="Asia/Jakarta")
    install_template_callables(app)


def register_inputs(app: Flask) -> None:
    """Where input enters: the `<id:...>` path converter, and the check before every view
    that refuses bodies that are not forms, unasked-for files and control characters."""
    from marketplace.web.inputs import register

    register(app)


def register_blueprints(app: Flask) -> None:
    """One blueprint per area of the site."""
    from marketplace.web.account import bp as account_bp
    from marketplace.web.admin import bp as admin_bp
    from marketplace.web.auth.views import bp as auth_bp
    from marketplace.web.catalogue.views import bp as catalogue_bp
    from marketplace.web.certificates import bp as certificates_bp
    from marketplace.web.checkout.views import bp as checkout_bp
    from marketplace.web.learning import bp as learning_bp
    from marketplace.web.payouts import bp as payouts_bp
    from marketplace.web.provider import bp as provider_bp
    from marketplace.web.public.views import bp as public_bp

    app.register_blueprint(public_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(catalogue_bp)
    app.register_blueprint(checkout_bp)
    app.register_blueprint(account_bp)
    app.register_blueprint(learning_bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(provider_bp)
    app.register_blueprint(certificates_bp)
    app.register_blueprint(payouts_bp)


def register_error_pages(app: Flask) -> None:
    """Error pages for 400, 403, 404, 405, 429 and 500 in the page's language."""
    from marketplace.web.errors import register

    register(app)


def register_security_headers(app: Flask) -> None:
    """Security headers on every response (CSP without inline script, nosniff, framing)."""
    from marketplace.web.security import add_security_headers

    app.after_request(add_security_headers)


def register_template_helpers(app: Flask) -> None:
    """Filters and globals for money, dates and times shown the Indonesian way, and the
    `kept` block for page parts drawn once (web/fragments.py)."""
    from marketplace.web import fragments
    from marketplace.web.formatting import register

    register(app)
    fragments.install(app)


def register_transfer(app: Flask) -> None:
    """Text answers gzipped for clients that accept it (web/compression.py), and static files
    at their current version kept by browsers for a year (web/formatting.py's static_url).
    Registered last: Flask runs after-request functions in reverse order, so the compression
    sees the body every other one has shaped (the transaction's commit still runs after it)."""
    from marketplace.web.compression import register
    from marketplace.web.formatting import cache_static_files

    app.after_request(cache_static_files)
    register(app)


def register_cli(app: Flask) -> None:
    """Flask commands; they call services, never models directly."""
    from marketplace.cli import register

    register(app)
