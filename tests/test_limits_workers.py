"""Rate limits hold across gunicorn workers (issue 9, part 4), tested with two processes.

gunicorn.conf.py refuses to start several workers on the in-memory limiter storage, where each
worker counts alone. With Redis (Debian's redis-server, installed by `make install-dev`,
started here on a free loopback port) two workers share one count: of 60 wrong sign-ins from
one address at once, at most the limit of 10 a minute gets through. The control, two workers
on memory:// through the escape hatch, shows the defect the refusal prevents.
"""

import contextlib
import http.client
import http.cookiejar
import os
import re
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from support.servers import HOST, answers_healthz, free_port, redis_server, stop

REPO = Path(__file__).resolve().parent.parent
HTTP = "https://prakerja.example"
WORKERS = 2
ATTEMPTS = 60
LIMIT = 10  # web/auth/views.py PER_ADDRESS: 10 per minute


def server_env(database_url: str, **settings: str) -> dict[str, str]:
    """A production-like environment: the test's database, a key, the public URL."""
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("RATELIMIT_", "FLASK_"))
        and name not in {"DATABASE_URL", "TEST_DATABASE_URL", "MAIL_SERVER", "PUBLIC_URL"}
    }
    env.update(
        DATABASE_URL=database_url,
        SECRET_KEY="limits-test-key",
        PUBLIC_URL=f"http://{HOST}",
        PYTHONUNBUFFERED="1",
        **settings,
    )
    return env


def gunicorn_command(port: int, workers: int = WORKERS) -> list[str]:
    """gunicorn serving wsgi:app from the repository (so gunicorn.conf.py is read)."""
    return [
        sys.executable, "-m", "gunicorn",
        "--workers", str(workers),
        "--worker-class", "sync",
        "--bind", f"{HOST}:{port}",
        "--timeout", "30",
        "--graceful-timeout", "5",
        "wsgi:app",
    ]  # fmt: skip


def wait_for(port: int, process: subprocess.Popen, log: Path, timeout: float = 30) -> None:
    """Until something answers on the port (gunicorn: /healthz 200)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, f"exited {process.returncode}:\n{log.read_text()}"
        if answers_healthz(HOST, port):
            return
        time.sleep(0.1)
    raise AssertionError(f"no answer on port {port} in {timeout} s:\n{log.read_text()}")


@contextlib.contextmanager
def gunicorn(env: dict[str, str], log: Path):
    """A running gunicorn with two workers; yields its base URL."""
    port = free_port()
    with log.open("ab") as output:
        process = subprocess.Popen(
            gunicorn_command(port), cwd=REPO, env=env, stdout=output, stderr=subprocess.STDOUT
        )
        try:
            wait_for(port, process, log)
            yield f"http://{HOST}:{port}"
        finally:
            stop(process)


@pytest.fixture
def redis_url(tmp_path):
    """A throwaway redis-server on a free loopback port, no persistence."""
    with redis_server(tmp_path) as url:
        yield url


def wrong_sign_ins(base: str) -> list[int]:
    """ATTEMPTS wrong sign-ins from this one address, eight at a time; their status codes."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    with opener.open(f"{base}/login", timeout=30) as response:
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', response.read().decode())
    assert token, "no CSRF token on /login"

    def attempt(n: int) -> int:
        body = urllib.parse.urlencode(
            {"csrf_token": token.group(1), "email": f"x{n}@example.com", "password": "salah-salah"}
        ).encode()
        try:
            with opener.open(f"{base}/login", data=body, timeout=60) as response:
                return response.status
        except urllib.error.HTTPError as error:
            return error.code

    with ThreadPoolExecutor(max_workers=8) as pool:
        return list(pool.map(attempt, range(ATTEMPTS)))


# --- refusing -------------------------------------------------------------------------------


@pytest.mark.parametrize("storage", [None, "memory://"])
def test_several_workers_on_memory_storage_refuse_to_start(database_url, tmp_path, storage):
    env = server_env(database_url, **({"RATELIMIT_STORAGE_URI": storage} if storage else {}))
    result = subprocess.run(
        gunicorn_command(free_port()),
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode != 0
    assert "refusing to start: 2 gunicorn workers with RATELIMIT_STORAGE_URI=memory://" in (
        result.stderr
    )
    assert "Booting worker" not in result.stderr  # refused before any worker started


def test_one_worker_on_memory_storage_starts(database_url, tmp_path):
    port = free_port()
    log = tmp_path / "gunicorn.log"
    with log.open("ab") as output:
        process = subprocess.Popen(
            gunicorn_command(port, workers=1),
            cwd=REPO,
            env=server_env(database_url),
            stdout=output,
            stderr=subprocess.STDOUT,
        )
        try:
            wait_for(port, process, log)
        finally:
            stop(process)


# --- two processes, one count ------------------------------------------------------------------


def test_two_workers_on_redis_let_at_most_the_limit_through(database_url, redis_url, tmp_path):
    log = tmp_path / "gunicorn.log"
    with gunicorn(server_env(database_url, RATELIMIT_STORAGE_URI=redis_url), log) as base:
        codes = wrong_sign_ins(base)
    assert set(codes) <= {400, 429}, codes
    assert codes.count(400) <= LIMIT, f"{codes.count(400)} of {ATTEMPTS} got through"
    assert codes.count(429) >= ATTEMPTS - LIMIT
    assert "Refusing" not in log.read_text() and "PER WORKER" not in log.read_text()


def test_control_two_workers_on_memory_let_more_than_the_limit_through(database_url, tmp_path):
    # The escape hatch starts them anyway (with a warning): each worker counts alone.
    log = tmp_path / "gunicorn.log"
    env = server_env(database_url, RATELIMIT_ALLOW_PER_WORKER="1")
    with gunicorn(env, log) as base:
        codes = wrong_sign_ins(base)
    assert "RATE LIMITS PER WORKER" in log.read_text()
    assert codes.count(400) > LIMIT, f"only {codes.count(400)} got through: one worker served all?"


# --- any other way of starting several processes ------------------------------------------


@pytest.mark.parametrize("storage", [None, "memory://"])
def test_an_app_with_limits_in_its_own_process_says_so_loudly(monkeypatch, caplog, storage):
    from marketplace import create_app

    monkeypatch.delenv("RATELIMIT_STORAGE_URI", raising=False)
    settings = {"SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": "sqlite://", "PUBLIC_URL": HTTP}
    if storage:
        settings["RATELIMIT_STORAGE_URI"] = storage
    create_app(settings)
    assert "RATE LIMITS PER PROCESS" in caplog.text


def test_an_app_with_shared_limits_says_nothing(monkeypatch, caplog):
    from marketplace import create_app

    create_app(
        {
            "SECRET_KEY": "x",
            "SQLALCHEMY_DATABASE_URI": "sqlite://",
            "PUBLIC_URL": HTTP,
            "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6399",
        }
    )
    assert "RATE LIMITS PER PROCESS" not in caplog.text
