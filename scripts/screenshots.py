"""Screenshots of the main pages at 360 px, as a participant on a phone sees them.

    .venv/bin/python scripts/screenshots.py [--out docs/screenshots]   (or: make screenshots)

Builds a fresh demo database in a temporary directory (`flask db upgrade`, `flask seed`),
serves it on a free loopback port, and takes full-page screenshots with Debian's chromium
(Playwright, never a downloaded browser) of: the start page, the catalogue, a course page,
the demo participant's order page and her account page, "Pelatihan Saya", the course she
is learning and a module, in Bahasa Indonesia. Only loopback
traffic; the server is stopped at exit.
"""

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
PHONE = {"width": 360, "height": 740}
PARTICIPANT = ("peserta@example.com", "Prakerja2020!")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def flask(env: dict, *args: str) -> None:
    # The project's own flask command, with fixed arguments.
    subprocess.run([str(REPO / ".venv/bin/flask"), *args], cwd=REPO, env=env, check=True)  # noqa: S603


def wait_until_up(base: str, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit("the server stopped before answering")
        try:
            with urllib.request.urlopen(f"{base}/healthz", timeout=2):  # noqa: S310  # http loopback
                return
        except OSError:
            time.sleep(0.2)
    sys.exit("the server did not answer /healthz within 60 s")


def shoot(base: str, out: Path) -> list[Path]:
    from playwright.sync_api import sync_playwright

    taken = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        context = browser.new_context(
            viewport=PHONE, is_mobile=True, has_touch=True, base_url=base, locale="id-ID"
        )
        page = context.new_page()

        def save(name: str) -> None:
            path = out / f"{name}.png"
            page.screenshot(path=str(path), full_page=True)
            taken.append(path)

        page.goto("/")
        save("start")
        page.goto("/courses")
        save("courses")
        page.locator(".course-card a").first.click()
        page.wait_for_load_state()
        save("course")
        page.goto("/login")
        page.fill("#email", PARTICIPANT[0])
        page.fill("#password", PARTICIPANT[1])
        page.locator("form button[type=submit]").last.click()
        page.wait_for_load_state()
        page.goto("/account")
        save("account")
        order = page.locator("a[href*='/orders/']").first
        if order.count():
            order.click()
            page.wait_for_load_state()
            save("order")
        # Pelatihan Saya, then the course she is in the middle of and its open module.
        page.goto("/account/courses")
        save("my-courses")
        learning = page.locator("main a[href^='/learn/']").first
        if learning.count():
            learning.click()
            page.wait_for_load_state()
            save("learning")
            module = page.locator("main a[href*='/modules/']").last
            if module.count():
                module.click()
                page.wait_for_load_state()
                save("module")
        browser.close()
    return taken


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(REPO / "docs" / "screenshots"))
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory() as directory:
        env = {
            **os.environ,
            "FLASK_APP": "wsgi.py",
            "DATABASE_URL": f"sqlite:///{directory}/demo.db",
            "SECRET_KEY": "screenshots",
            "PUBLIC_URL": base,
            "TASK_QUEUE_IMMEDIATE": "1",
        }
        flask(env, "db", "upgrade")
        flask(env, "seed")
        server = subprocess.Popen(  # noqa: S603  # the project's flask, fixed arguments
            [str(REPO / ".venv/bin/flask"), "run", "--port", str(port)],
            cwd=REPO,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            wait_until_up(base, server)
            for path in shoot(base, out):
                print(path.relative_to(REPO) if path.is_relative_to(REPO) else path)
        finally:
            server.terminate()
            server.wait(timeout=15)


if __name__ == "__main__":
    main()
