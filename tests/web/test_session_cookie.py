"""The session cookie (web/auth/session.py's SessionCookie): read exactly as Flask reads it when
a request carries one, and not even its signing serializer built when none comes."""

from flask.sessions import SecureCookieSessionInterface

from marketplace.people.models import Role
from marketplace.web.auth.session import SessionCookie


def test_the_app_uses_it(app):
    assert isinstance(app.session_interface, SessionCookie)


def test_no_cookie_no_serializer(app, monkeypatch):
    built = []
    original = SecureCookieSessionInterface.get_signing_serializer

    def counting(self, flask_app):
        built.append(True)
        return original(self, flask_app)

    monkeypatch.setattr(SecureCookieSessionInterface, "get_signing_serializer", counting)
    assert app.test_client().get("/courses").status_code == 200
    assert built == []


def test_a_cookie_is_read_and_a_forged_one_is_an_empty_session(app, login):
    client = login(Role.PARTICIPANT)
    assert client.get("/account").status_code == 200  # signed in through the cookie
    forged = app.test_client()
    forged.set_cookie("session", "eyJfdXNlcl9pZCI6IjE6MSJ9.forged.signature")
    answer = forged.get("/account")
    assert answer.status_code == 302 and "/login" in answer.headers["Location"]
