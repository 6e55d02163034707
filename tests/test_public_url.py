"""Links in mail come from PUBLIC_URL only, never from a request's Host header (issue 9, part 3).

A request naming a host other than PUBLIC_URL's (or one in ALLOWED_HOSTS) is refused with a
400 before it can cause any mail; a production app without PUBLIC_URL refuses every
request (503) and gunicorn refuses to start it;
`make run` gives its flask commands the address it serves on.
"""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from marketplace import create_app
from marketplace.core import mail

REPO = Path(__file__).resolve().parent.parent
PUBLIC = "https://prakerja.example"
LINK = re.compile(r"https?://[^/\s]+/\S*")


@pytest.fixture
def app_config():
    return {"PUBLIC_URL": PUBLIC + "/", "ALLOWED_HOSTS": ["internal.example"]}


def all_mail(app) -> list[str]:
    """Every message body in the outbox."""
    with app.app_context():
        return [message.body for message in mail.recent(last=1000)]


def forgot(client, email: str, **headers):
    return client.post("/password/forgot", data={"email": email}, headers=headers)


# --- requests for a foreign host ------------------------------------------------------------


def test_a_reset_asked_for_a_foreign_host_is_refused_and_mails_nothing(app, client, factory):
    email = factory.user().email
    for host in ("evil.example", "evil.example:80", "prakerja.example.evil.example", "localhost"):
        response = forgot(client, email, Host=host)
        assert response.status_code == 400, host
    assert all_mail(app) == []


def test_every_link_in_mail_starts_with_public_url_whatever_host_is_allowed(app, client, factory):
    # internal.example is allowed (ALLOWED_HOSTS), yet the link is on PUBLIC_URL.
    first, second = factory.user().email, factory.user().email
    assert forgot(client, first, Host="internal.example").status_code == 200
    assert forgot(client, second, Host="prakerja.example").status_code == 200
    bodies = all_mail(app)
    assert len(bodies) == 2
    links = [link for body in bodies for link in LINK.findall(body)]
    assert links and all(link.startswith(PUBLIC + "/password/reset/") for link in links)


def test_registration_mail_links_to_public_url(app, client):
    response = client.post(
        "/register",
        data={
            "name": "Budi Santoso",
            "email": "budi@example.com",
            "password": "kopi pagi di teras",
        },
        headers={"Host": "internal.example"},
    )
    assert response.status_code == 302
    (body,) = all_mail(app)
    assert LINK.search(body).group(0).startswith(PUBLIC + "/verify-email/")


def test_the_400_for_a_foreign_host_is_the_error_page_in_the_page_language(app):
    client = app.test_client(use_cookies=False)  # so the Cookie header below is sent as it is
    response = client.get("/courses", headers={"Host": "evil.example"})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Permintaan tidak dapat dipahami" in page  # the 400 page's title, in Indonesian
    assert "evil.example" not in page
    english = client.get("/courses", headers={"Host": "evil.example", "Cookie": "lang=en"})
    assert "The request could not be understood" in english.get_data(as_text=True)


class TestBehindAProxy:
    @pytest.fixture
    def app_config(self):
        return {"PUBLIC_URL": PUBLIC, "TRUSTED_PROXIES": 1}

    def test_a_forwarded_foreign_host_is_refused(self, app, client, factory):
        email = factory.user().email
        response = forgot(client, email, Host="prakerja.example", **{"X-Forwarded-Host": "evil"})
        assert response.status_code == 400
        assert forgot(client, email, Host="prakerja.example").status_code == 200
        (body,) = all_mail(app)
        assert LINK.search(body).group(0).startswith(PUBLIC + "/password/reset/")


# --- starting without PUBLIC_URL -----------------------------------------------------------


@pytest.fixture
def production(monkeypatch):
    """The environment of a production start: no PUBLIC_URL, no debug."""
    for name in ("PUBLIC_URL", "FLASK_DEBUG", "ALLOWED_HOSTS"):
        monkeypatch.delenv(name, raising=False)
    return {"SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": "sqlite://"}


def test_a_production_app_without_public_url_refuses_every_request(production, caplog):
    app = create_app(production)
    client = app.test_client()
    for path in ("/", "/password/forgot", "/healthz"):
        response = client.get(path)
        assert response.status_code == 503
    response = client.post("/password/forgot", data={"email": "budi@example.com"})
    assert response.status_code == 503
    assert "PUBLIC_URL is not set" in caplog.text


def test_commands_still_run_without_public_url(production):
    app = create_app(production)
    result = app.test_cli_runner().invoke(args=["--help"])
    assert result.exit_code == 0


@pytest.mark.parametrize(
    "url", ["prakerja.example", "ftp://prakerja.example", "https://", "https://x.example/?a=1"]
)
def test_a_public_url_that_is_no_web_address_is_refused(production, url):
    with pytest.raises(RuntimeError, match="PUBLIC_URL must be"):
        create_app({**production, "PUBLIC_URL": url})


def test_gunicorn_refuses_to_start_without_public_url(tmp_path):
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"PUBLIC_URL", "FLASK_DEBUG", "RATELIMIT_STORAGE_URI"}
    }
    env.update(SECRET_KEY="x", DATABASE_URL=f"sqlite:///{tmp_path / 'x.db'}")
    result = subprocess.run(
        [sys.executable, "-m", "gunicorn", "--workers", "1", "--bind", "127.0.0.1:0", "wsgi:app"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode != 0
    assert "refusing to start: PUBLIC_URL is not set" in result.stderr
    assert "Booting worker" not in result.stderr


def test_a_debug_app_without_public_url_links_to_flask_runs_address(production):
    app = create_app({**production, "DEBUG": True})
    assert app.config["PUBLIC_URL"] == "http://127.0.0.1:5000"
    client = app.test_client()
    assert client.get("/healthz", headers={"Host": "evil.example"}).status_code == 400
    assert client.get("/healthz", headers={"Host": "localhost:5000"}).status_code != 400


# --- make run --------------------------------------------------------------------------------


@pytest.fixture
def fake_venv(tmp_path) -> Path:
    """A .venv whose flask records its arguments and PUBLIC_URL; `make run` is then harmless."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for name in ("python", "pybabel"):
        (bin_dir / name).write_text("#!/bin/sh\nexit 0\n")
    (bin_dir / "flask").write_text(
        "#!/bin/sh\n"
        f'echo "$* PUBLIC_URL=$PUBLIC_URL" >> "{tmp_path}/flask.log"\n'
        '[ "$1" = is-empty ] && exit 1\n'  # "not empty": no seeding
        # A server runs until stopped: this one runs until the worker beside it has started
        # (at most 10 s), else make's trap could stop the worker before it wrote its line.
        'if [ "$1" = run ]; then i=0; while [ $i -lt 100 ] && '
        f'! grep -q "^worker" "{tmp_path}/flask.log"; do sleep 0.1; i=$((i+1)); done; fi\n'
        "exit 0\n"
    )
    for script in bin_dir.iterdir():
        script.chmod(0o755)
    (tmp_path / ".install-stamp").touch()  # newer than pyproject.toml: nothing to install
    return tmp_path


def make_run(venv: Path, *arguments: str, **env: str) -> list[str]:
    """Run `make run` with the fake .venv; the lines its flask commands recorded."""
    environment = {
        k: v
        for k, v in os.environ.items()
        if k not in {"PUBLIC_URL", "MAKEFLAGS", "MAKELEVEL", "MFLAGS", "HOST", "PORT"}
    }
    # The secrets set: no instance/secret_key nor instance/payout_gateway_secret written.
    environment.update(SECRET_KEY="x", PAYOUT_GATEWAY_SECRET="x", **env)
    subprocess.run(
        ["make", "--no-print-directory", "run", f"VENV={venv}", *arguments],
        cwd=REPO,
        env=environment,
        capture_output=True,
        check=True,
        timeout=60,
    )
    return (venv / "flask.log").read_text().splitlines()


def test_make_run_gives_every_flask_command_the_address_it_serves_on(fake_venv):
    lines = make_run(fake_venv, "PORT=5123")
    commands = [line.split()[0] for line in lines]
    # The task queue's worker and the sandbox payout gateway start in the background beside
    # the server: any of them may log first.
    assert commands[:2] == ["db", "is-empty"]
    assert sorted(commands[2:]) == ["payout-sandbox", "run", "worker"]
    assert all(line.endswith(" PUBLIC_URL=http://127.0.0.1:5123") for line in lines)
    assert any(line.startswith("run --host 127.0.0.1 --port 5123") for line in lines)


def test_make_run_keeps_a_public_url_from_the_environment(fake_venv):
    lines = make_run(fake_venv, PUBLIC_URL="https://prakerja.example")
    assert lines and all(line.endswith(" PUBLIC_URL=https://prakerja.example") for line in lines)
