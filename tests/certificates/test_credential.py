"""The signed Open Badges 3.0 credential (certificates/credential.py): eddsa-rdfc-2022 over
the vendored contexts, no network; any single change breaks the proof; the issuer key comes
from the environment or from a file written once with mode 0600; `flask certificates verify`
says valid, tampered or revoked with its exit code. Runs on SQLite and PostgreSQL."""

import base64
import copy
import json
import socket
import stat
from datetime import datetime

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from support.certificate_rows import certificate, issued, office, user

from marketplace.certificates import credential, revocation
from marketplace.certificates.credential import (
    CredentialError,
    base58_decode,
    base58_encode,
    multikey_decode,
    multikey_encode,
)
from marketplace.extensions import db

BASE = "http://localhost"
NOW = datetime(2020, 5, 1, 8, 30)


@pytest.fixture
def key_file(tmp_path):
    return tmp_path / "keys" / "certificate-signing-key.pem"


@pytest.fixture
def app_config(key_file):
    return {"CERTIFICATE_SIGNING_KEY_FILE": str(key_file)}


@pytest.fixture
def no_network(monkeypatch):
    """Any attempt to open a connection fails the test."""

    def refuse(*args, **kwargs):
        raise AssertionError("a network connection was attempted")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


@pytest.fixture
def made(app, shop):
    return issued(app, shop, name="Siti Nurhaliza Putri")


def signed_for(app, made) -> dict:
    with app.app_context():
        return credential.sign(credential.credential(certificate(made.id), BASE), NOW)


# --- the document -------------------------------------------------------------------------


def test_the_credential_is_an_open_badge_with_the_facts_and_no_contact_details(app, made):
    with app.app_context():
        row = certificate(made.id)
        document = credential.credential(row, BASE)
        participant = row.order.participant
        nik, email = participant.nik, participant.user.email
        title, issued_at = row.course_title, row.issued_at
    assert document["@context"] == [credential.VC_V2, credential.OB_V3]
    assert document["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert document["id"].startswith(BASE + "/certificates/")
    assert document["id"].rsplit("/", 1)[1].replace("-", "") == made.code
    assert document["issuer"]["id"] == BASE + "/certificates/issuer"
    assert document["validFrom"] == issued_at.replace(microsecond=0).isoformat() + "Z"
    subject = document["credentialSubject"]
    assert subject["type"] == ["AchievementSubject"]
    assert subject["name"] == "Siti Nurhaliza Putri"
    assert subject["achievement"]["name"] == title
    assert subject["achievement"]["criteria"]["narrative"]
    text = json.dumps(document)
    assert nik not in text and email not in text


def test_every_term_of_the_credential_and_the_profile_is_defined(ctx, made, no_network):
    """Canonicalisation would drop an undefined term silently (so leave it unsigned):
    `canonical` refuses one, and the credential and the profile have none."""
    document = credential.credential(certificate(made.id), BASE)
    assert "schema.org/name" in credential.canonical(document)
    profile = credential.issuer_profile(BASE)
    quads = credential.canonical(profile)
    assert credential.public_key_multibase() in quads
    assert "https://w3id.org/security#Multikey" in quads
    with pytest.raises(CredentialError, match="hoursSpent"):
        credential.canonical({**document, "hoursSpent": 12})


def test_the_issuer_profile_publishes_the_key_as_a_multikey(ctx):
    profile = credential.issuer_profile(BASE + "/")
    issuer = BASE + "/certificates/issuer"
    assert profile["id"] == issuer and profile["type"] == ["Profile"] and profile["name"]
    (method,) = profile["verificationMethod"]
    assert method == {
        "id": issuer + "#key-1",
        "type": "Multikey",
        "controller": issuer,
        "publicKeyMultibase": credential.public_key_multibase(),
    }
    assert profile["assertionMethod"] == [issuer + "#key-1"]


# --- signing and checking -------------------------------------------------------------------


def test_a_signed_credential_verifies(app, made, no_network):
    signed = signed_for(app, made)
    proof = signed["proof"]
    assert proof["type"] == "DataIntegrityProof"
    assert proof["cryptosuite"] == "eddsa-rdfc-2022"
    assert proof["proofPurpose"] == "assertionMethod"
    assert proof["created"] == "2020-05-01T08:30:00Z"
    assert proof["verificationMethod"] == BASE + "/certificates/issuer#key-1"
    assert proof["proofValue"].startswith("z")
    with app.app_context():
        assert credential.verify(signed) == (True, [])
        own = credential.public_key_multibase()
        assert credential.verify(json.loads(json.dumps(signed)), own) == (True, [])


def _set(path):
    def change(document, value):
        target = document
        for step in path[:-1]:
            target = target[step]
        target[path[-1]] = value

    return change


CHANGES = {
    "holder name": (("credentialSubject", "name"), "Siti Nurhaliza Putra"),
    "course name": (("credentialSubject", "achievement", "name"), "Another course"),
    "validFrom": (("validFrom",), "2019-01-01T00:00:00Z"),
    "issuer id": (("issuer", "id"), "http://evil.example/certificates/issuer"),
    "issuer name": (("issuer", "name"), "Someone else"),
    "credential id": (("id",), BASE + "/certificates/AAAA"),
    "proof created": (("proof", "created"), "2021-05-01T08:30:00Z"),
    "verificationMethod": (("proof", "verificationMethod"), "http://evil.example/k#key-1"),
}


@pytest.mark.parametrize("field", sorted(CHANGES))
def test_changing_any_single_field_breaks_the_proof(app, made, field):
    signed = signed_for(app, made)
    path, value = CHANGES[field]
    tampered = copy.deepcopy(signed)
    _set(path)(tampered, value)
    with app.app_context():
        ok, reasons = credential.verify(tampered)
    assert not ok and reasons


def test_a_changed_or_foreign_proof_value_or_key_fails(app, made):
    signed = signed_for(app, made)
    value = signed["proof"]["proofValue"]
    flipped = value[:-1] + ("2" if value[-1] != "2" else "3")
    other = multikey_encode(Ed25519PrivateKey.generate().public_key())
    with app.app_context():
        for proof_value in (flipped, "z" + value[2:], "not-multibase", None):
            tampered = copy.deepcopy(signed)
            tampered["proof"]["proofValue"] = proof_value
            assert credential.verify(tampered)[0] is False
        ok, reasons = credential.verify(signed, other)
        assert not ok and any("signature" in reason for reason in reasons)
        no_proof = {k: v for k, v in signed.items() if k != "proof"}
        assert credential.verify(no_proof)[0] is False
        assert credential.verify(["not", "an", "object"])[0] is False


def test_a_context_that_is_not_vendored_is_refused_without_network(app, made, no_network):
    signed = signed_for(app, made)
    foreign = "https://contexts.example/evil/v1"
    tampered = {**signed, "@context": [*signed["@context"], foreign]}
    with app.app_context():
        ok, reasons = credential.verify(tampered)
        assert not ok  # refused before any context is fetched: the contexts are exactly ours
        assert reasons == [
            "the document's @context is not exactly " + ", ".join(signed["@context"])
        ]
        with pytest.raises(CredentialError, match="not vendored"):
            credential.sign(
                {
                    **credential.credential(certificate(made.id), BASE),
                    "@context": [credential.VC_V2, foreign],
                },
                NOW,
            )
    with pytest.raises(CredentialError, match="not vendored"):
        credential.vendored_context("https://www.w3.org/2018/credentials/v1")


# --- the key --------------------------------------------------------------------------------


def test_the_key_file_is_written_once_with_mode_0600_and_reused(app, key_file):
    assert not key_file.exists()
    with app.app_context():
        first = credential.public_key_multibase()
    assert key_file.exists()
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    written = key_file.read_bytes()
    assert written.startswith(b"-----BEGIN PRIVATE KEY-----")
    assert [p.name for p in key_file.parent.iterdir()] == [key_file.name]  # no temporary left
    with app.app_context():
        assert credential.public_key_multibase() == first
    assert key_file.read_bytes() == written


def test_a_second_app_reads_the_same_key_file(app, key_file):
    """A fresh app (a restart, another worker) reads the file, not a new key."""
    from marketplace import create_app

    with app.app_context():
        first = credential.public_key_multibase()
    written = key_file.read_bytes()
    again = create_app({**app.config, "CERTIFICATE_SIGNING_KEY_FILE": str(key_file)})
    with again.app_context():
        assert credential.public_key_multibase() == first
    assert key_file.read_bytes() == written


def _fresh(app):
    """Forget the key read by `app`, as a restart would."""
    app.extensions.pop("certificates.signing_key", None)


def _key_warnings(caplog) -> list[str]:
    return [
        record.getMessage()
        for record in caplog.records
        if record.name == credential.__name__ and record.levelname == "WARNING"
    ]


def test_the_new_key_file_and_its_directory_are_synced(app, key_file, monkeypatch):
    """The key is synced before it is linked into place, and the directory after."""
    synced = []
    real_fsync = credential.os.fsync

    def fsync(handle):
        mode = credential.os.fstat(handle).st_mode
        synced.append(("dir" if stat.S_ISDIR(mode) else "file", stat.S_IMODE(mode)))
        real_fsync(handle)

    monkeypatch.setattr(credential.os, "fsync", fsync)
    with app.app_context():
        credential.public_key_multibase()
    assert synced[0] == ("file", 0o600)
    assert synced[-1][0] == "dir"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600


def test_a_new_key_is_announced_with_its_public_key_outside_testing_and_debug(
    app, key_file, caplog, monkeypatch, tmp_path
):
    caplog.set_level("WARNING", logger=credential.__name__)
    for quiet in ("TESTING", "DEBUG"):  # a developer's or a test's key: nothing to say
        monkeypatch.setitem(app.config, "TESTING", quiet == "TESTING")
        monkeypatch.setitem(app.config, "DEBUG", quiet == "DEBUG")
        elsewhere = tmp_path / quiet / "key.pem"
        monkeypatch.setitem(app.config, "CERTIFICATE_SIGNING_KEY_FILE", str(elsewhere))
        with app.app_context():
            credential.public_key_multibase()
        assert elsewhere.exists()
        assert _key_warnings(caplog) == []

    monkeypatch.setitem(app.config, "TESTING", False)
    monkeypatch.setitem(app.config, "DEBUG", False)
    monkeypatch.setitem(app.config, "CERTIFICATE_SIGNING_KEY_FILE", str(key_file))
    with app.app_context():
        public = credential.public_key_multibase()
    (warning,) = _key_warnings(caplog)
    assert str(key_file) in warning and public in warning
    assert "Credentials signed by an earlier key no longer verify" in warning
    assert "CERTIFICATE_SIGNING_KEY" in warning
    caplog.clear()
    _fresh(app)  # a restart reads the key it wrote: nothing to say
    with app.app_context():
        assert credential.public_key_multibase() == public
    assert _key_warnings(caplog) == []


@pytest.mark.parametrize("mode", [0o644, 0o640, 0o604, 0o620, 0o602])
def test_a_key_file_others_may_read_or_write_is_warned_about(app, key_file, caplog, mode):
    caplog.set_level("WARNING", logger=credential.__name__)
    with app.app_context():
        public = credential.public_key_multibase()
    assert _key_warnings(caplog) == []  # written 0600: nothing to say
    key_file.chmod(mode)
    _fresh(app)
    with app.app_context():
        assert credential.public_key_multibase() == public  # still used
    (warning,) = _key_warnings(caplog)
    assert str(key_file) in warning
    assert f"chmod 600 {key_file}" in warning
    key_file.chmod(0o600)
    _fresh(app)
    caplog.clear()
    with app.app_context():
        credential.public_key_multibase()
    assert _key_warnings(caplog) == []


@pytest.mark.parametrize("form", ["seed", "pem"])
def test_the_environment_key_is_used_when_set(app, made, key_file, monkeypatch, form):
    from cryptography.hazmat.primitives import serialization

    from marketplace import config as settings
    from marketplace import create_app

    key = Ed25519PrivateKey.generate()
    seed = key.private_bytes(
        serialization.Encoding.Raw,
        serialization.PrivateFormat.Raw,
        serialization.NoEncryption(),
    )
    value = base64.b64encode(seed).decode() if form == "seed" else credential._pem(key).decode()
    monkeypatch.setenv("CERTIFICATE_SIGNING_KEY", value)
    assert settings.load(str(key_file.parent))["CERTIFICATE_SIGNING_KEY"] == value
    with_env = create_app({**app.config, "CERTIFICATE_SIGNING_KEY": value})
    with with_env.app_context():
        assert credential.public_key_multibase() == multikey_encode(key.public_key())
        signed = credential.sign(credential.credential(certificate(made.id), BASE), NOW)
        assert credential.verify(signed) == (True, [])
    assert credential.verify(signed, multikey_encode(key.public_key())) == (True, [])
    assert not key_file.exists()  # the file is neither read nor written


# --- Multikey -------------------------------------------------------------------------------


def test_multikey_round_trip_and_base58():
    key = Ed25519PrivateKey.generate().public_key()
    value = multikey_encode(key)
    assert value.startswith("z6Mk")  # the Ed25519 multicodec prefix in base58btc
    assert multikey_decode(value).public_bytes_raw() == key.public_bytes_raw()
    for data in (b"", b"\0", b"\0\0\x01", b"hello world", bytes(range(256))):
        assert base58_decode(base58_encode(data)) == data
    assert base58_encode(b"hello world") == "StV1DL6CwTryKyV"
    for bad in ("6Mk", "z0OIl", "z" + base58_encode(b"\xec\x01" + bytes(32))):
        with pytest.raises(ValueError):
            multikey_decode(bad)


# --- flask certificates verify ----------------------------------------------------------------


def _write(tmp_path, name, document) -> str:
    path = tmp_path / name
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    return str(path)


def test_the_command_says_a_good_file_is_valid(app, made, runner, tmp_path, no_network):
    path = _write(tmp_path, "good.json", signed_for(app, made))
    result = runner.invoke(args=["certificates", "verify", path])
    assert result.exit_code == 0, result.output
    assert "Signature: valid" in result.output
    assert "not revoked" in result.output


def test_the_command_refuses_a_tampered_file(app, made, runner, tmp_path):
    signed = signed_for(app, made)
    signed["credentialSubject"]["name"] = "Someone Else"
    path = _write(tmp_path, "tampered.json", signed)
    result = runner.invoke(args=["certificates", "verify", path])
    assert result.exit_code == 1
    assert "INVALID" in result.output and "signature does not match" in result.output


def test_the_command_refuses_a_file_that_is_not_json(runner, tmp_path):
    path = tmp_path / "garbage.json"
    path.write_bytes(b"\xff\xfe not json")
    result = runner.invoke(args=["certificates", "verify", str(path)])
    assert result.exit_code == 1 and "not a JSON document" in result.output


def test_the_command_says_a_revoked_certificate_is_revoked(app, made, runner, tmp_path):
    path = _write(tmp_path, "revoked.json", signed_for(app, made))
    admin = office(app)
    with app.app_context():
        revocation.revoke(
            certificate(made.id), user(admin), "Issued by mistake after a data error", NOW
        )
        db.session.commit()
    result = runner.invoke(args=["certificates", "verify", path])
    assert result.exit_code == 1
    assert "Signature: valid" in result.output  # the file itself is genuine
    assert "REVOKED" in result.output and "Issued by mistake after a data error" in result.output


@pytest.mark.parametrize(
    "change",
    ["inline context renaming a term", "subject in a list", "a status list passed as one"],
)
def test_a_document_of_another_form_is_refused_though_its_signature_would_hold(app, made, change):
    """An added inline context can give a signed term another name (the signed data the
    same, the JSON not): only the programme's two kinds, with exactly their contexts."""
    signed = signed_for(app, made)
    if change == "inline context renaming a term":
        tampered = {
            **signed,
            "@context": [*signed["@context"], {"formerHolder": "https://schema.org/name"}],
        }
    elif change == "subject in a list":
        tampered = {**signed, "credentialSubject": [signed["credentialSubject"]]}
    else:
        with app.app_context():
            tampered = {**credential.status_list_credential(1, BASE, NOW), "type": signed["type"]}
    with app.app_context():
        ok, reasons = credential.verify(tampered)
    assert not ok and reasons
