"""The revocation status of a certificate for any verifier (certificates/credential.py): a W3C
Bitstring Status List entry in every credential, inside its proof; the signed
BitstringStatusListCredential whose bit flips when the certificate is revoked (bit order and
encoding per the spec); the index arithmetic past the first list; and
`flask certificates verify FILE.json --status-list LIST.json` reading the bit from the given
list. Runs on SQLite and PostgreSQL."""

import base64
import copy
import gzip
import json
import socket
from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa
from support.certificate_rows import certificate, issued, office, user

from marketplace.certificates import credential, revocation
from marketplace.certificates.credential import StatusListError
from marketplace.certificates.models import Certificate
from marketplace.core.base import utcnow
from marketplace.extensions import db

BASE = "http://localhost"  # the tests' PUBLIC_URL (tests/conftest.py)
NOW = datetime(2020, 5, 1, 8, 30)
LIST_1 = BASE + "/certificates/status/1"
REASON = "Issued by mistake after a data error"


@pytest.fixture
def app_config(tmp_path):
    return {"CERTIFICATE_SIGNING_KEY_FILE": str(tmp_path / "certificate-signing-key.pem")}


@pytest.fixture
def no_network(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("a network connection was attempted")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


@pytest.fixture
def made(app, shop):
    return issued(app, shop, name="Siti Nurhaliza Putri")


@pytest.fixture
def other(app, shop):
    return issued(app, shop, shop.other, name="Budi Santoso")


def signed_for(app, made) -> dict:
    with app.app_context():
        return credential.sign(credential.credential(certificate(made.id), BASE), NOW)


def status_list(app, number: int = 1, now=NOW) -> dict:
    with app.app_context():
        return credential.status_list_credential(number, BASE, now)


def revoke(app, made) -> None:
    admin = office(app)
    with app.app_context():
        revocation.revoke(certificate(made.id), user(admin), REASON, NOW)
        db.session.commit()


def independently_decoded(document: dict) -> bytes:
    """The bitstring, decoded as the spec says, without the project's code."""
    encoded = document["credentialSubject"]["encodedList"]
    assert encoded.startswith("u") and "=" not in encoded
    body = encoded[1:]
    return gzip.decompress(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))


# --- the entry in every credential ------------------------------------------------------------


def test_every_credential_names_its_bit_in_the_revocation_list(app, made, other):
    for one in (made, other):
        with app.app_context():
            entry = credential.credential(certificate(one.id), BASE)["credentialStatus"]
        assert entry == {
            "id": f"{LIST_1}#{one.id}",
            "type": "BitstringStatusListEntry",
            "statusPurpose": "revocation",
            "statusListIndex": str(one.id),
            "statusListCredential": LIST_1,
        }


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("statusListIndex", "999"),
        ("statusListCredential", BASE + "/certificates/status/2"),
        ("statusPurpose", "suspension"),
    ],
)
def test_the_entry_is_signed_changing_it_breaks_the_proof(app, made, no_network, field, value):
    signed = signed_for(app, made)
    with app.app_context():
        assert credential.verify(signed) == (True, [])
        tampered = copy.deepcopy(signed)
        tampered["credentialStatus"][field] = value
        ok, reasons = credential.verify(tampered)
        assert not ok and any("signature does not match" in r for r in reasons)
        dropped = copy.deepcopy(signed)
        del dropped["credentialStatus"]
        assert credential.verify(dropped)[0] is False


def test_past_131072_ids_a_second_list_holds_the_bits():
    assert credential.status_place(1) == (1, 1)
    assert credential.status_place(131_071) == (1, 131_071)
    assert credential.status_place(131_072) == (2, 0)
    assert credential.status_place(131_072 * 2 + 5) == (3, 5)
    entry = credential.status_entry(131_075, BASE)
    assert entry["statusListCredential"] == BASE + "/certificates/status/2"
    assert entry["statusListIndex"] == "3" and entry["id"].endswith("/status/2#3")


# --- the list -------------------------------------------------------------------------------


def test_the_list_is_a_signed_bitstring_status_list_credential(app, made, no_network):
    document = status_list(app)
    assert document["@context"] == [credential.VC_V2]
    assert document["id"] == LIST_1
    assert document["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
    assert document["issuer"] == BASE + "/certificates/issuer"
    assert document["validFrom"] == "2020-05-01T08:30:00Z"
    subject = document["credentialSubject"]
    assert subject["id"] == LIST_1 + "#list"
    assert subject["type"] == "BitstringStatusList"
    assert subject["statusPurpose"] == "revocation"
    with app.app_context():
        assert credential.verify(document, expected_issuer=BASE + "/certificates/issuer") == (
            True,
            [],
        )
        credential.canonical(document)  # every term defined (a dropped one raises)
    bits = independently_decoded(document)
    assert len(bits) == 131_072 // 8 and not any(bits)


def test_the_bit_flips_when_the_certificate_is_revoked(app, made, other):
    before = status_list(app)
    with app.app_context():
        assert credential.revoked_in(before, made.id) is False
        assert credential.revoked_in(before, other.id) is False
    revoke(app, made)
    after = status_list(app)
    with app.app_context():
        assert credential.revoked_in(after, made.id) is True
        assert credential.revoked_in(after, other.id) is False
        assert credential.revoked_in(before, made.id) is False  # an old list stays old


def test_bit_order_is_the_specs_index_0_is_the_first_bytes_most_significant_bit(app, made):
    with app.app_context():
        db.session.execute(
            sa.update(Certificate).where(Certificate.id == made.id).values(revoked_at=NOW)
        )
        db.session.commit()
    bits = independently_decoded(status_list(app))
    expected = bytearray(131_072 // 8)
    expected[made.id // 8] = 0x80 >> (made.id % 8)
    assert bits == bytes(expected)
    # and the decoder reads index 0 from the top bit
    only_zero = bytearray(16)
    only_zero[0] = 0x80
    assert credential.decode_bits(credential.encode_bits(only_zero))[0] == 0x80


def test_a_certificate_past_the_first_list_is_in_list_2_and_only_there(app, made):
    with app.app_context():
        db.session.execute(
            sa.update(Certificate)
            .where(Certificate.id == made.id)
            .values(id=131_075, revoked_at=NOW)
        )
        db.session.commit()
        assert credential.status_list_count() == 2
        entry = credential.credential(certificate(131_075), BASE)["credentialStatus"]
    assert entry["statusListCredential"] == BASE + "/certificates/status/2"
    second = status_list(app, 2)
    assert second["id"] == BASE + "/certificates/status/2"
    with app.app_context():
        assert credential.revoked_in(second, 3) is True
        assert credential.revoked_in(status_list(app, 1), 3) is False


def test_a_tampered_or_foreign_list_is_refused(app, made):
    revoke(app, made)
    document = status_list(app)
    with app.app_context():
        # the list re-encoded with the bit cleared: well formed, but not what was signed
        tampered = copy.deepcopy(document)
        tampered["credentialSubject"]["encodedList"] = credential.encode_bits(
            bytearray(131_072 // 8)
        )
        assert credential.verify(tampered)[0] is False
        with pytest.raises(StatusListError, match="proof fails"):
            credential.revoked_in(tampered, made.id)
        foreign = copy.deepcopy(document)
        foreign["issuer"] = "https://elsewhere.example/issuer"
        with pytest.raises(StatusListError):
            credential.revoked_in(foreign, made.id)
        with pytest.raises(StatusListError, match="no index"):
            credential.revoked_in(document, 131_072)
        # a genuine credential is not a status list
        with pytest.raises(StatusListError, match="not a BitstringStatusListCredential"):
            credential.revoked_in(signed_for(app, made), 1)


@pytest.mark.parametrize(
    "encoded",
    [
        "zabc",  # not base64url multibase
        "u!!!",
        "u" + base64.urlsafe_b64encode(b"not gzip").decode().rstrip("="),
        "u" + base64.urlsafe_b64encode(gzip.compress(bytes(1000))[:-9]).decode().rstrip("="),
    ],
)
def test_an_undecodable_list_is_refused(encoded):
    with pytest.raises(StatusListError):
        credential.decode_bits(encoded)


def test_a_list_that_expands_too_far_is_refused():
    huge = gzip.compress(bytes(credential.LARGEST_STATUS_LIST_BYTES + 1))
    with pytest.raises(StatusListError, match="too long"):
        credential.decode_bits("u" + base64.urlsafe_b64encode(huge).decode().rstrip("="))


def test_the_list_is_read_with_one_query(app, made, other):
    revoke(app, made)
    statements = []
    with app.app_context():
        engine = db.engine

        def count(conn, cursor, statement, *args):
            statements.append(statement)

        sa.event.listen(engine, "before_cursor_execute", count)
        try:
            credential.status_list_credential(1, BASE, NOW)
        finally:
            sa.event.remove(engine, "before_cursor_execute", count)
    selects = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    assert len(selects) == 1, selects


# --- flask certificates verify --status-list -----------------------------------------------------


def _write(tmp_path, name, document) -> str:
    path = tmp_path / name
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    return str(path)


def test_the_command_reads_a_clear_bit_from_the_list_file(app, made, runner, tmp_path, no_network):
    good = _write(tmp_path, "good.json", signed_for(app, made))
    listed = _write(tmp_path, "status-1.json", status_list(app, now=utcnow()))
    result = runner.invoke(args=["certificates", "verify", good, "--status-list", listed])
    assert result.exit_code == 0, result.output
    assert "Signature: valid" in result.output
    assert f"not revoked (bit {made.id} is clear" in result.output


def test_the_command_reads_a_revoked_bit_from_the_list_file(app, made, runner, tmp_path):
    good = _write(tmp_path, "good.json", signed_for(app, made))
    revoke(app, made)
    listed = _write(tmp_path, "status-1.json", status_list(app, now=utcnow()))
    result = runner.invoke(args=["certificates", "verify", good, "--status-list", listed])
    assert result.exit_code == 1, result.output
    assert "Signature: valid" in result.output
    assert f"REVOKED (bit {made.id} is set" in result.output


def test_with_a_list_file_the_bit_comes_from_the_file_not_the_database(app, made, runner, tmp_path):
    good = _write(tmp_path, "good.json", signed_for(app, made))
    old_list = _write(tmp_path, "old.json", status_list(app, now=utcnow()))  # before the revocation
    revoke(app, made)
    from_file = runner.invoke(args=["certificates", "verify", good, "--status-list", old_list])
    assert from_file.exit_code == 0, from_file.output
    assert "is clear in the status list of " in from_file.output
    from_database = runner.invoke(args=["certificates", "verify", good])
    assert from_database.exit_code == 1
    assert "REVOKED" in from_database.output and REASON in from_database.output


def test_the_command_refuses_a_tampered_list_file(app, made, runner, tmp_path):
    good = _write(tmp_path, "good.json", signed_for(app, made))
    revoke(app, made)
    document = status_list(app)
    document["credentialSubject"]["encodedList"] = credential.encode_bits(bytearray(16_384))
    listed = _write(tmp_path, "tampered-list.json", document)
    result = runner.invoke(args=["certificates", "verify", good, "--status-list", listed])
    assert result.exit_code == 1
    assert "status list is not usable" in result.output and "proof fails" in result.output


def test_the_command_refuses_a_list_the_credential_does_not_name(app, made, runner, tmp_path):
    good = _write(tmp_path, "good.json", signed_for(app, made))
    with app.app_context():
        db.session.execute(
            sa.update(Certificate).where(Certificate.id == made.id).values(id=131_075)
        )
        db.session.commit()
    listed = _write(tmp_path, "status-2.json", status_list(app, 2, now=utcnow()))
    result = runner.invoke(args=["certificates", "verify", good, "--status-list", listed])
    assert result.exit_code == 1
    assert "UNKNOWN" in result.output and "/certificates/status/1" in result.output


def test_the_command_refuses_a_list_file_that_is_not_json(app, made, runner, tmp_path):
    good = _write(tmp_path, "good.json", signed_for(app, made))
    garbage = tmp_path / "list.json"
    garbage.write_bytes(b"\xff not json")
    result = runner.invoke(args=["certificates", "verify", good, "--status-list", str(garbage)])
    assert result.exit_code == 1 and "the status list is not a JSON document" in result.output


def test_a_list_past_its_valid_until_is_refused_by_the_command(app, made, tmp_path):
    """A copy of the list kept too long could hide a revocation made since: refused."""
    stale = status_list(app, now=utcnow() - credential.STATUS_LIST_LIFETIME - timedelta(minutes=1))
    listed = _write(tmp_path, "stale.json", stale)
    signed = _write(tmp_path, "credential.json", signed_for(app, made))
    result = app.test_cli_runner().invoke(
        args=["certificates", "verify", str(signed), "--status-list", str(listed)]
    )
    assert result.exit_code == 1 and "download it again" in result.output
