"""/certificates/status/<list>: the signed revocation status list every credential names, as a
third-party verifier fetches it: JSON-LD, never kept by a cache without asking again, the
certificate's bit set as soon as it is revoked; a list no certificate reaches is a 404.
Runs on SQLite and PostgreSQL."""

import pytest
import sqlalchemy as sa
from support.certificate_rows import certificate, issued, office, user

from marketplace.certificates import credential, issuing, revocation
from marketplace.certificates.models import Certificate
from marketplace.core.base import utcnow
from marketplace.extensions import db

PUBLIC_URL = "http://localhost"  # the tests' PUBLIC_URL (tests/conftest.py)
ISSUER = PUBLIC_URL + "/certificates/issuer"


@pytest.fixture
def made(app, shop):
    return issued(app, shop, name="Siti Nurhaliza Putri")


def fetch(client, url: str):
    """GET an absolute address of the site, as a verifier following a link would."""
    assert url.startswith(PUBLIC_URL + "/")
    return client.get(url[len(PUBLIC_URL) :])


def test_the_list_is_served_signed_and_never_cached_without_asking(app, client, made):
    response = client.get("/certificates/status/1")
    assert response.status_code == 200
    assert response.mimetype == "application/ld+json"
    assert "no-cache" in response.headers["Cache-Control"]
    document = response.get_json(force=True)
    assert document["id"] == PUBLIC_URL + "/certificates/status/1"
    assert document["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
    with app.app_context():
        assert credential.verify(document, expected_issuer=ISSUER) == (True, [])
        assert credential.revoked_in(document, made.id) is False


def test_a_verifier_following_the_credential_sees_the_revocation_at_once(app, client, made):
    grouped = issuing.shown(made.code)
    signed = client.get(f"/certificates/{grouped}.json").get_json(force=True)
    entry = signed["credentialStatus"]
    assert entry["type"] == "BitstringStatusListEntry"
    assert entry["statusPurpose"] == "revocation"
    before = fetch(client, entry["statusListCredential"]).get_json(force=True)
    with app.app_context():
        assert credential.revoked_in(before, int(entry["statusListIndex"])) is False
    admin = office(app)
    with app.app_context():
        revocation.revoke(
            certificate(made.id), user(admin), "Issued by mistake after a data error", utcnow()
        )
        db.session.commit()
    after = fetch(client, entry["statusListCredential"]).get_json(force=True)
    with app.app_context():
        assert credential.revoked_in(after, int(entry["statusListIndex"])) is True


def test_the_first_list_exists_before_any_certificate(client):
    response = client.get("/certificates/status/1")
    assert response.status_code == 200
    assert response.get_json(force=True)["credentialSubject"]["statusPurpose"] == "revocation"


@pytest.mark.parametrize("path", ["0", "2", "99999999999999999999", "-1", "abc", "1.5", "1/x"])
def test_a_list_no_certificate_reaches_is_a_404(client, made, path):
    response = client.get(f"/certificates/status/{path}")
    assert response.status_code == 404


def test_a_second_list_appears_when_ids_pass_131072(app, client, made):
    with app.app_context():
        db.session.execute(
            sa.update(Certificate).where(Certificate.id == made.id).values(id=131_073)
        )
        db.session.commit()
    response = client.get("/certificates/status/2")
    assert response.status_code == 200
    assert response.get_json(force=True)["id"] == PUBLIC_URL + "/certificates/status/2"
    assert client.get("/certificates/status/3").status_code == 404
