"""Browser-test fixtures: the test app on a loopback server, Debian's chromium, a catalogue.

The browser is Debian's /usr/bin/chromium driven by Playwright; a Playwright browser is
never downloaded. Without chromium the browser tests are skipped, except in CI (env CI
set), where they fail because `make install-dev` installs it.
"""

import os
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from browser import accessibility
from werkzeug.serving import make_server

from marketplace.catalogue.models import Course, Method

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 360, "height": 740}
TIMEOUT_MS = 5_000


def _unavailable(reason: str) -> None:
    """Skip locally; fail in CI, where the Makefile installs chromium and Playwright."""
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI is set, so this is an error: run `make install-dev`)")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser():
    """One headless Debian chromium for the whole run."""
    if not os.access(CHROMIUM, os.X_OK):
        _unavailable(f"{CHROMIUM} is missing: install Debian's chromium (`make chromium`)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("Playwright for Python is not installed (`make install-dev`)")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


@pytest.fixture
def live_server(app) -> Iterator[str]:
    """The test app served on a free loopback port in a daemon thread; yields the base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(
        target=server.serve_forever,
        kwargs={"poll_interval": 0.05},
        name="live-server",
        daemon=True,
    )
    base = f"http://127.0.0.1:{server.server_port}"
    app.config["PUBLIC_URL"] = base  # links in mail lead to the served site
    thread.start()
    try:
        yield base
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture
def new_context(browser, live_server) -> Iterator[Callable]:
    """new_context(**options) -> a fresh browser context (own cookies) on the live server.

    Every page a context loads is checked with axe-core (tests/browser/accessibility.py):
    the test fails at its end on any serious or critical violation."""
    contexts = []

    def _new(**options):
        options.setdefault("viewport", DESKTOP)
        options.setdefault("base_url", live_server)
        context = browser.new_context(**options)
        context.set_default_timeout(TIMEOUT_MS)
        context.set_default_navigation_timeout(TIMEOUT_MS)
        contexts.append((context, accessibility.watch(context)))
        return context

    yield _new
    problems = []
    for context, checked in contexts:
        accessibility.finish(context)
        problems += checked.problems()
        context.close()
    assert not problems, "axe-core found serious or critical problems:\n" + "\n".join(problems)


@pytest.fixture
def page(new_context):
    """A page in a new 1280×800 context, so cookies never leak between tests."""
    return new_context().new_page()


@pytest.fixture
def phone_page(new_context):
    """A page in a new context like a small Android phone: 360×740, touch, mobile viewport."""
    return new_context(viewport=PHONE, is_mobile=True, has_touch=True).new_page()


@dataclass(frozen=True)
class Shelf:
    """The catalogue the browser tests browse."""

    excel: Course  # Teknologi Informasi, self-paced
    webinar: Course  # Penjualan dan Pemasaran, webinar with sessions
    offline: Course  # Penjualan dan Pemasaran, offline in Bandung
    total: int  # listed courses: more than one page of 20
    it_webinars: int  # Teknologi Informasi webinars: also more than one page


@pytest.fixture
def shelf(factory) -> Shelf:
    """Three categories, two providers, every method, 31 courses (two pages)."""
    it = factory.category("Teknologi Informasi", "Information Technology")
    sales = factory.category("Penjualan dan Pemasaran", "Sales and Marketing")
    food = factory.category("Kuliner", "Culinary")
    jakarta = factory.province("31", "DKI Jakarta")
    west_java = factory.province("32", "Jawa Barat")
    cahaya = factory.provider(
        "LPK Cahaya Mandiri", platform=factory.platform("Tokopedia"), province=jakarta
    )
    bina = factory.provider(
        "Lembaga Kursus Bina Terampil", platform=factory.platform("Pintaria"), province=west_java
    )
    excel = factory.course(
        "Microsoft Excel untuk Pemula",
        provider=cahaya,
        category=it,
        price=350_000,
        modules=3,
        rating_avg=4.8,
        rating_count=120,
        enrolment_count=900,
    )
    webinar = factory.course(
        "Strategi Pemasaran Digital untuk UMKM",
        provider=cahaya,
        category=sales,
        method=Method.WEBINAR,
        price=1_250_000,
        sessions=2,
        rating_avg=4.1,
        rating_count=15,
        enrolment_count=300,
    )
    offline = factory.course(
        "Manajemen Kafe dan Penjualan Kopi",
        provider=bina,
        category=food,
        method=Method.OFFLINE,
        price=500_000,
        sessions=1,
        province=west_java,
        city="Bandung",
    )
    it_webinars = 22
    for number in range(1, it_webinars + 1):
        factory.course(
            f"Jaringan Komputer Seri {number:02d}",
            provider=bina,
            category=it,
            method=Method.WEBINAR,
            price=200_000 + number * 1_000,
            modules=1,
            enrolment_count=number,
        )
    for title in ("Desain Grafis dengan Canva", "Dasar Pemrograman Python"):
        factory.course(title, provider=cahaya, category=it, modules=1)
    for title in (
        "Teknik Penjualan Online",
        "Public Speaking untuk Pemasar",
        "Membuat Kue Kering untuk Usaha",
        "Fotografi Produk dengan Ponsel",
    ):
        factory.course(title, provider=bina, category=sales, modules=1)
    return Shelf(excel=excel, webinar=webinar, offline=offline, total=31, it_webinars=it_webinars)
