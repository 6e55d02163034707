"""A certificate as a signed Open Badges 3.0 credential, and the check of one.

The credential is a W3C Verifiable Credential 2.0 of type `OpenBadgeCredential`: the
programme office is its issuer (a `Profile` at `<site>/certificates/issuer`), the holder an
`AchievementSubject` (her name as on the KTP, never her NIK, email or phone), the course the
`Achievement`. It carries an embedded Data Integrity proof with the cryptosuite
`eddsa-rdfc-2022` (W3C Data Integrity EdDSA Cryptosuites v1.0):

- the proof options (type, cryptosuite, created, verificationMethod, proofPurpose) with the
  document's `@context`, and the document without its proof, are each canonicalised with
  RDFC-1.0 (pyld's URDNA2015, the same algorithm);
- hashData = SHA-256(canonical proof options) + SHA-256(canonical document);
- proofValue = "z" + base58btc(Ed25519 signature of hashData).

The JSON-LD contexts are the files vendored in certificates/contexts (see its README), held
in memory; the document loader given to pyld serves them and refuses any other address, so
neither signing nor checking ever reaches the network. A property that no context defines
would be dropped silently by canonicalisation (and so not be signed): that is refused too.

The key: an Ed25519 key pair, from CERTIFICATE_SIGNING_KEY (a PKCS#8 PEM, or the base64 of
the 32-byte seed) or else from the file CERTIFICATE_SIGNING_KEY_FILE, which is written with
mode 0600 on first use (instance/certificate-signing-key.pem by default). Its public half is
published as a `Multikey` verification method (`<issuer>#key-1`) on the issuer profile.
A key file others may read or write is used, with a warning in the log; a new key made
outside debug and testing is logged as a warning too, with its public key: credentials
signed by an earlier key no longer verify unless that key is kept (several servers share
one key through CERTIFICATE_SIGNING_KEY or the same file).

Revocation, for any verifier: every credential carries a `credentialStatus`, a W3C Bitstring
Status List entry (`BitstringStatusListEntry`, purpose `revocation`) naming a bit in a status
list credential (`BitstringStatusListCredential`) that is itself signed the same way and
served at `<site>/certificates/status/<list>`; the bit is 1 when the certificate is revoked.
A certificate's place needs no column of its own: it is its `id` (see `status_place`).
"""

import base64
import contextlib
import copy
import errno
import gzip
import hashlib
import json
import logging
import os
import stat
import tempfile
import zlib
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from flask import current_app
from pyld import jsonld

from marketplace.certificates.issuing import shown
from marketplace.certificates.models import Certificate
from marketplace.extensions import db

log = logging.getLogger(__name__)

VC_V2 = "https://www.w3.org/ns/credentials/v2"
# How long a downloaded status list may be trusted (its validUntil).
STATUS_LIST_LIFETIME = timedelta(hours=1)
OB_V3 = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
MULTIKEY_V1 = "https://w3id.org/security/multikey/v1"
CONTEXT_FILES = {
    VC_V2: "credentials-v2.jsonld",
    OB_V3: "ob-context-3.0.3.json",
    MULTIKEY_V1: "multikey-v1.jsonld",
}
CONTEXTS_DIR = Path(__file__).parent / "contexts"

CRYPTOSUITE = "eddsa-rdfc-2022"
PROOF_TYPE = "DataIntegrityProof"
PROOF_PURPOSE = "assertionMethod"
KEY_FRAGMENT = "#key-1"
ISSUER_PATH = "/certificates/issuer"
ISSUER_NAME = "Manajemen Pelaksana Program Kartu Prakerja"
MULTICODEC_ED25519_PUB = b"\xed\x01"
SEED_BYTES = 32
SIGNATURE_BYTES = 64
LARGEST_FILE = 1024 * 1024  # a credential file longer than this is not read

# The Bitstring Status List (W3C Bitstring Status List v1.0). A certificate's index is its id:
# list 1 holds ids 0..131071 (id 0 is never used), list 2 ids 131072..262143, and so on
# (`status_place`). 131,072 bits (16 KB) is the spec's minimum length, so that a list does
# not single out the few certificates it holds (herd privacy).
STATUS_PATH = "/certificates/status/"
STATUS_LIST_BITS = 131_072
STATUS_PURPOSE = "revocation"
STATUS_ENTRY_TYPE = "BitstringStatusListEntry"
STATUS_LIST_TYPE = "BitstringStatusListCredential"
# The two kinds of document the programme signs: their types, and their exact contexts.
SHAPES = {
    ("VerifiableCredential", "OpenBadgeCredential"): [VC_V2, OB_V3],
    ("VerifiableCredential", STATUS_LIST_TYPE): [VC_V2],
}
# A decoded list longer than this is refused (a small gzip file can expand enormously).
LARGEST_STATUS_LIST_BYTES = 16 * 1024 * 1024


class CredentialError(Exception):
    """A document that can't be canonicalised (a context not vendored, a term no context
    defines, a malformed key or value)."""


# --- base58btc and Multikey -----------------------------------------------------------------

BASE58_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_BASE58_INDEX = {ch: i for i, ch in enumerate(BASE58_ALPHABET)}


def base58_encode(data: bytes) -> str:
    """Bitcoin's base58 alphabet; each leading zero byte is one "1"."""
    number = int.from_bytes(data, "big")
    digits = []
    while number:
        number, rest = divmod(number, 58)
        digits.append(BASE58_ALPHABET[rest])
    zeros = len(data) - len(data.lstrip(b"\0"))
    return "1" * zeros + "".join(reversed(digits))


def base58_decode(text: str) -> bytes:
    number = 0
    for ch in text:
        if ch not in _BASE58_INDEX:
            raise ValueError(f"not a base58 character: {ch!r}")
        number = number * 58 + _BASE58_INDEX[ch]
    zeros = len(text) - len(text.lstrip("1"))
    body = number.to_bytes((number.bit_length() + 7) // 8, "big") if number else b""
    return b"\0" * zeros + body


def multibase_encode(data: bytes) -> str:
    """base58btc multibase: "z" and the base58 text."""
    return "z" + base58_encode(data)


def multibase_decode(text: str) -> bytes:
    if not isinstance(text, str) or not text.startswith("z"):
        raise ValueError("not a base58btc multibase value (it must start with 'z')")
    return base58_decode(text[1:])


def multikey_encode(public_key: Ed25519PublicKey) -> str:
    """The Multikey `publicKeyMultibase` of an Ed25519 public key: multicodec 0xed01 and the
    32 raw bytes, base58btc."""
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return multibase_encode(MULTICODEC_ED25519_PUB + raw)


def multikey_decode(value: str) -> Ed25519PublicKey:
    """The Ed25519 public key a Multikey value holds; ValueError if it holds none."""
    data = multibase_decode(value)
    if not data.startswith(MULTICODEC_ED25519_PUB) or len(data) != 2 + SEED_BYTES:
        raise ValueError("not an Ed25519 Multikey (multicodec 0xed01 and 32 bytes)")
    return Ed25519PublicKey.from_public_bytes(data[2:])


# --- the key ----------------------------------------------------------------------------------


def _key_from_setting(value: str) -> Ed25519PrivateKey:
    text = value.strip()
    if text.startswith("-----BEGIN"):
        key = serialization.load_pem_private_key(text.encode(), password=None)
        if not isinstance(key, Ed25519PrivateKey):
            raise ValueError("CERTIFICATE_SIGNING_KEY is a PEM key but not an Ed25519 one")
        return key
    seed = base64.b64decode(text, validate=True)
    if len(seed) != SEED_BYTES:
        raise ValueError("CERTIFICATE_SIGNING_KEY must be a PEM or the base64 of 32 bytes")
    return Ed25519PrivateKey.from_private_bytes(seed)


def _pem(key: Ed25519PrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def _write_all(handle: int, data: bytes) -> None:
    while data:
        data = data[os.write(handle, data) :]


def _sync_directory(directory: Path) -> None:
    """Make a file's creation or removal in `directory` durable (fsync the directory). A file
    system that can't sync a directory is let be."""
    handle = os.open(directory, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        os.fsync(handle)
    except OSError as error:
        if error.errno not in (errno.EINVAL, errno.ENOTSUP, errno.EBADF):
            raise
    finally:
        os.close(handle)


def _new_key_file(path: Path) -> bool:
    """Write a new key to `path` when there is none: mode 0600 from its creation, written to
    a temporary file, synced, and linked into place, so two processes starting at once can't
    both write one, nor read a half-written one: the one that links first wins, the other
    reads it. Then the directory is synced, so a crash can't lose a key that has signed.
    Whether this process's key is the one in place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".signing-key-")
    linked = False
    try:
        os.fchmod(handle, 0o600)
        _write_all(handle, _pem(Ed25519PrivateKey.generate()))
        os.fsync(handle)
        os.close(handle)
        handle = None
        with contextlib.suppress(FileExistsError):  # another process linked first: its
            os.link(temporary, path)  # key stands
            linked = True
    finally:
        if handle is not None:
            os.close(handle)
        os.unlink(temporary)
    _sync_directory(path.parent)
    return linked


def _warn_if_open(path: Path) -> None:
    """Log a warning when group or others may read or write the key file."""
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o066:
        log.warning(
            "The certificate signing key file %s can be read or written by other users "
            "(mode %04o): anyone who reads it can sign certificates. Run: chmod 600 %s",
            path,
            mode,
            path,
        )


def _key_from_file(path: Path, *, announce_new: bool = True) -> Ed25519PrivateKey:
    """The key in `path`, written there first (`_new_key_file`) when there is none. A file
    others may read or write is used with a warning (`_warn_if_open`); a new key is logged
    as a warning with its public key when `announce_new` (outside debug and testing)."""
    made = not path.exists() and _new_key_file(path)
    _warn_if_open(path)
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError(f"{path} does not hold an Ed25519 private key")
    if made and announce_new:
        log.warning(
            "Generated a new certificate signing key in %s; its public key is %s. "
            "Credentials signed by an earlier key no longer verify unless that key is kept. "
            "Keep this file and back it up; with several servers, give them all the same "
            "key: set CERTIFICATE_SIGNING_KEY or share this file.",
            path,
            multikey_encode(key.public_key()),
        )
    return key


def signing_key() -> Ed25519PrivateKey:
    """The programme's signing key (read once per app)."""
    config = current_app.config
    setting = config.get("CERTIFICATE_SIGNING_KEY")
    where = ("env", setting) if setting else ("file", config["CERTIFICATE_SIGNING_KEY_FILE"])
    cache = current_app.extensions.setdefault("certificates.signing_key", {})
    if where not in cache:
        if setting:
            cache[where] = _key_from_setting(setting)
        else:
            quiet = bool(config.get("DEBUG") or config.get("TESTING"))
            cache[where] = _key_from_file(Path(where[1]), announce_new=not quiet)
    return cache[where]


def public_key_multibase() -> str:
    """The programme's public key as a Multikey value."""
    return _programme_multikey()


def _programme_multikey() -> str:
    return multikey_encode(signing_key().public_key())


# --- the documents ----------------------------------------------------------------------------


def issuer_id(base_url: str) -> str:
    return base_url.rstrip("/") + ISSUER_PATH


def verification_method_id(base_url: str) -> str:
    return issuer_id(base_url) + KEY_FRAGMENT


def issuer_profile(base_url: str) -> dict:
    """The issuer's `Profile`, publishing its key as a Multikey verification method."""
    issuer = issuer_id(base_url)
    return {
        "@context": [
            VC_V2,
            OB_V3,
            MULTIKEY_V1,
            {
                "verificationMethod": {
                    "@id": "https://w3id.org/security#verificationMethod",
                    "@type": "@id",
                    "@container": "@set",
                },
                "assertionMethod": {
                    "@id": "https://w3id.org/security#assertionMethod",
                    "@type": "@id",
                    "@container": "@set",
                },
            },
        ],
        "id": issuer,
        "type": ["Profile"],
        "name": ISSUER_NAME,
        "url": base_url.rstrip("/") + "/",
        "verificationMethod": [
            {
                "id": issuer + KEY_FRAGMENT,
                "type": "Multikey",
                "controller": issuer,
                "publicKeyMultibase": public_key_multibase(),
            }
        ],
        "assertionMethod": [issuer + KEY_FRAGMENT],
    }


def _timestamp(moment: datetime) -> str:
    """An XML Schema dateTimeStamp in UTC, to the second: 2020-04-11T03:00:00Z. A naive
    datetime is UTC (the house's columns)."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment.replace(microsecond=0).isoformat() + "Z"


def certificate_url(certificate: Certificate, base_url: str) -> str:
    """The certificate's public page (the credential's id)."""
    return f"{base_url.rstrip('/')}/certificates/{shown(certificate.code)}"


def credential(certificate: Certificate, base_url: str) -> dict:
    """The unsigned `OpenBadgeCredential` of a certificate. No NIK, email or phone."""
    page = certificate_url(certificate, base_url)
    achievement_id = f"{page}#achievement"
    achievement = {
        "id": achievement_id,
        "type": ["Achievement"],
        "achievementType": "Course",
        "name": certificate.course_title,
        "description": (
            f"Pelatihan {certificate.hours} jam oleh {certificate.provider_name} "
            f"melalui {certificate.platform_name} (program Kartu Prakerja). "
            f"A {certificate.hours}-hour course by {certificate.provider_name} "
            f"on {certificate.platform_name} (Kartu Prakerja programme)."
        ),
        "criteria": {
            "narrative": (
                "Menyelesaikan seluruh materi pelatihan dan tes akhirnya. "
                "Completed every part of the course and its final test."
            )
        },
    }
    subject = {
        "type": ["AchievementSubject"],
        "name": certificate.holder_name,
        "achievement": achievement,
    }
    if certificate.score is not None:
        post_test = f"{achievement_id}-post-test"
        achievement["resultDescription"] = [
            {
                "id": post_test,
                "type": ["ResultDescription"],
                "name": "Skor tes akhir / Final test score",
                "resultType": "ScaledScore",
                "valueMin": "0",
                "valueMax": "100",
            }
        ]
        subject["result"] = [
            {"type": ["Result"], "resultDescription": post_test, "value": str(certificate.score)}
        ]
    return {
        "@context": [VC_V2, OB_V3],
        "id": page,
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": issuer_id(base_url), "type": ["Profile"], "name": ISSUER_NAME},
        "validFrom": _timestamp(certificate.issued_at),
        "name": f"Sertifikat / Certificate: {certificate.course_title}",
        "credentialSubject": subject,
        "credentialStatus": status_entry(certificate.id, base_url),
    }


# --- the status list --------------------------------------------------------------------------


class StatusListError(CredentialError):
    """A status list that can't be trusted or read (bad proof, wrong kind, undecodable, or
    an index it doesn't hold)."""


def status_place(certificate_id: int) -> tuple[int, int]:
    """(list number, index in that list) of a certificate: its id, 131,072 to a list. While
    ids are below 131,072 there is one list, /certificates/status/1, and the index is the id;
    beyond, id 131,072 is index 0 of list 2 (/certificates/status/2), and so on."""
    number, index = divmod(certificate_id, STATUS_LIST_BITS)
    return number + 1, index


def status_list_url(list_number: int, base_url: str) -> str:
    return f"{base_url.rstrip('/')}{STATUS_PATH}{list_number}"


def status_entry(certificate_id: int, base_url: str) -> dict:
    """The credential's `credentialStatus`: its revocation bit in its status list."""
    number, index = status_place(certificate_id)
    url = status_list_url(number, base_url)
    return {
        "id": f"{url}#{index}",
        "type": STATUS_ENTRY_TYPE,
        "statusPurpose": STATUS_PURPOSE,
        "statusListIndex": str(index),
        "statusListCredential": url,
    }


def status_list_count() -> int:
    """How many status lists there are: enough for the highest certificate id (at least one,
    so that the first list exists before the first certificate)."""
    highest = db.session.scalar(sa.select(sa.func.max(Certificate.id))) or 0
    return status_place(highest)[0]


def encode_bits(bits: bytes | bytearray) -> str:
    """encodedList: the GZIP-compressed bitstring, multibase base64url without padding ("u").
    mtime 0, so that the same list always encodes the same."""
    packed = gzip.compress(bytes(bits), mtime=0)
    return "u" + base64.urlsafe_b64encode(packed).decode("ascii").rstrip("=")


def decode_bits(encoded: str) -> bytes:
    """The bitstring an encodedList holds; StatusListError when it holds none."""
    if not isinstance(encoded, str) or not encoded.startswith("u"):
        raise StatusListError("the encodedList is not multibase base64url (it must start 'u')")
    body = encoded[1:]
    try:
        packed = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
        inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)  # GZIP only
        bits = inflater.decompress(packed, LARGEST_STATUS_LIST_BYTES)
    except (ValueError, zlib.error) as error:
        raise StatusListError(f"the encodedList can't be decoded: {error}") from error
    if inflater.unconsumed_tail:
        raise StatusListError("the encodedList is too long")
    if not inflater.eof:
        raise StatusListError("the encodedList is cut short")
    return bits


def status_list_credential(list_number: int, base_url: str, now: datetime) -> dict:
    """The signed `BitstringStatusListCredential` of list `list_number` at `now`: bit i (the
    most significant bit of byte 0 is bit 0) is 1 when the certificate at index i is
    revoked. The revoked ids come from one query."""
    if list_number < 1:
        raise ValueError("status lists are numbered from 1")
    first = (list_number - 1) * STATUS_LIST_BITS
    revoked = db.session.scalars(
        sa.select(Certificate.id).where(
            Certificate.revoked_at.is_not(None),
            Certificate.id >= first,
            Certificate.id < first + STATUS_LIST_BITS,
        )
    )
    bits = bytearray(STATUS_LIST_BITS // 8)
    for certificate_id in revoked:
        index = certificate_id - first
        bits[index // 8] |= 0x80 >> (index % 8)
    url = status_list_url(list_number, base_url)
    document = {
        "@context": [VC_V2],
        "id": url,
        "type": ["VerifiableCredential", STATUS_LIST_TYPE],
        "issuer": issuer_id(base_url),
        "validFrom": _timestamp(now),
        # A list says how long it may be trusted: a copy kept longer could hide a revocation
        # made since (`revoked_in` refuses it once this has passed).
        "validUntil": _timestamp(now + STATUS_LIST_LIFETIME),
        "credentialSubject": {
            "id": url + "#list",
            "type": "BitstringStatusList",
            "statusPurpose": STATUS_PURPOSE,
            "encodedList": encode_bits(bits),
        },
    }
    return sign(document, now)


def revoked_in(
    status_list_document,
    index: int,
    public_key_multibase: str | None = None,
    *,
    expected_issuer: str | None = None,
    now: datetime | None = None,
) -> bool:
    """Whether bit `index` of a signed revocation status list is set. The list's proof is
    checked first (with the programme's key unless another is given); StatusListError when
    it fails, when the document is not a revocation `BitstringStatusListCredential`, when it
    is out of date at `now` (its validUntil has passed: given, always), or when the list has
    no bit `index`."""
    ok, reasons = verify(
        status_list_document, public_key_multibase, expected_issuer=expected_issuer
    )
    if not ok:
        raise StatusListError("the status list's proof fails: " + "; ".join(reasons))
    if now is not None:
        until = status_list_document.get("validUntil")
        try:
            ends = datetime.fromisoformat(str(until).replace("Z", "+00:00"))
            ends = ends.astimezone(UTC).replace(tzinfo=None) if ends.tzinfo else ends
        except ValueError:
            raise StatusListError(
                "the status list says no validUntil: it can't be trusted"
            ) from None
        naive_now = now.astimezone(UTC).replace(tzinfo=None) if now.tzinfo else now
        if ends < naive_now:
            raise StatusListError(
                f"the status list was valid until {until}: download it again, a revocation "
                "made since would not show in it"
            )
    types = status_list_document.get("type")
    if not isinstance(types, list) or STATUS_LIST_TYPE not in types:
        raise StatusListError(f"the document is not a {STATUS_LIST_TYPE}")
    subject = status_list_document.get("credentialSubject")
    if not isinstance(subject, dict) or subject.get("type") != "BitstringStatusList":
        raise StatusListError("the status list's subject is not a BitstringStatusList")
    if subject.get("statusPurpose") != STATUS_PURPOSE:
        raise StatusListError(f"the status list's purpose is not {STATUS_PURPOSE}")
    bits = decode_bits(subject.get("encodedList"))
    if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < len(bits) * 8:
        raise StatusListError(f"the status list has no index {index!r}")
    return bool(bits[index // 8] & (0x80 >> (index % 8)))


# --- canonicalisation, offline ----------------------------------------------------------------

_loaded: dict[str, dict] = {}


def vendored_context(url: str) -> dict:
    """The vendored context document at `url`; CredentialError for any other address."""
    name = CONTEXT_FILES.get(url)
    if name is None:
        raise CredentialError(f"context not vendored, refused (no network): {url}")
    if url not in _loaded:
        _loaded[url] = json.loads((CONTEXTS_DIR / name).read_text(encoding="utf-8"))
    return _loaded[url]


def _document_loader(url, options=None):
    """pyld's document loader: the vendored contexts from memory, nothing else."""
    return {
        "contentType": "application/ld+json",
        "contextUrl": None,
        "documentUrl": url,
        "document": copy.deepcopy(vendored_context(url)),
    }


def canonical(document: dict) -> str:
    """The RDFC-1.0 canonical N-Quads of a JSON-LD document, with the vendored contexts only.
    CredentialError when a context isn't vendored, a property would be dropped (no context
    defines it) or the document isn't JSON-LD."""
    dropped: list[str] = []

    def note_dropped(name):
        dropped.append(str(name))

    processor = jsonld.JsonLdProcessor(on_property_dropped=note_dropped)
    try:
        result = processor.normalize(
            document,
            {
                "algorithm": "URDNA2015",
                "format": "application/n-quads",
                "documentLoader": _document_loader,
            },
        )
    except CredentialError:
        raise
    except Exception as error:  # pyld wraps a refused context in its own JsonLdError
        cause = _refusal_in(error)
        raise CredentialError(str(cause) if cause else f"not valid JSON-LD: {error}") from error
    if dropped:
        raise CredentialError("terms no context defines: " + ", ".join(sorted(set(dropped))))
    return result


def _refusal_in(error: BaseException) -> CredentialError | None:
    """The CredentialError (a refused context) somewhere in pyld's chain of causes."""
    seen = set()
    while error is not None and id(error) not in seen:
        if isinstance(error, CredentialError):
            return error
        seen.add(id(error))
        details = getattr(error, "details", None)
        nested = details.get("cause") if isinstance(details, dict) else None
        error = getattr(error, "cause", None) or nested or error.__cause__ or error.__context__
    return None


def _hash_data(document: dict, proof_options: dict) -> bytes:
    config = {**proof_options, "@context": document["@context"]}
    return (
        hashlib.sha256(canonical(config).encode()).digest()
        + hashlib.sha256(canonical(document).encode()).digest()
    )


# --- signing and checking -----------------------------------------------------------------------


def sign(document: dict, now: datetime, base_url: str | None = None) -> dict:
    """The document with an eddsa-rdfc-2022 Data Integrity proof, made by the programme's
    key at `now`. Its verification method is its issuer's `#key-1` (or base_url's issuer's
    when the document names no issuer)."""
    unsigned = {k: v for k, v in document.items() if k != "proof"}
    issuer = _issuer_of(unsigned) or issuer_id(base_url or "")
    proof = {
        "type": PROOF_TYPE,
        "cryptosuite": CRYPTOSUITE,
        "created": _timestamp(now),
        "verificationMethod": issuer + KEY_FRAGMENT,
        "proofPurpose": PROOF_PURPOSE,
    }
    signature = signing_key().sign(_hash_data(unsigned, proof))
    return {**unsigned, "proof": {**proof, "proofValue": multibase_encode(signature)}}


def issuer_of(document: dict) -> str | None:
    """The id of the document's issuer (given as a string or as an object), or None."""
    issuer = document.get("issuer")
    if isinstance(issuer, dict):
        issuer = issuer.get("id")
    return issuer if isinstance(issuer, str) and issuer else None


_issuer_of = issuer_of


def verify(
    document, public_key_multibase: str | None = None, *, expected_issuer: str | None = None
) -> tuple[bool, list[str]]:
    """Check a signed credential as an independent verifier would: the proof's form, its
    verification method against the issuer (and `expected_issuer`, when given), the
    signature over the canonical proof options and document with the given public key
    (Multikey; the programme's own when None). (ok, reasons it is not) — reasons is empty
    when ok."""
    reasons: list[str] = []
    if not isinstance(document, dict):
        return False, ["the credential is not a JSON object"]
    proof = document.get("proof")
    if not isinstance(proof, dict):
        return False, ["the credential has no proof (or more than one)"]
    unsigned = {k: v for k, v in document.items() if k != "proof"}
    if "@context" not in unsigned:
        return False, ["the credential has no @context"]
    shape = _shape_problem(unsigned)
    if shape is not None:
        return False, [shape]

    if proof.get("type") != PROOF_TYPE:
        reasons.append(f"the proof's type is not {PROOF_TYPE}")
    if proof.get("cryptosuite") != CRYPTOSUITE:
        reasons.append(f"the proof's cryptosuite is not {CRYPTOSUITE}")
    if proof.get("proofPurpose") != PROOF_PURPOSE:
        reasons.append(f"the proof's purpose is not {PROOF_PURPOSE}")
    if not isinstance(proof.get("created"), str):
        reasons.append("the proof has no creation time")
    issuer = _issuer_of(unsigned)
    if issuer is None:
        reasons.append("the credential names no issuer")
    elif expected_issuer is not None and issuer != expected_issuer:
        reasons.append(f"the issuer is {issuer}, not {expected_issuer}")
    method = proof.get("verificationMethod")
    if issuer is not None and method != issuer + KEY_FRAGMENT:
        reasons.append(f"the verification method {method!r} is not the issuer's key")
    if "@context" in proof and not _starts_with(unsigned["@context"], proof["@context"]):
        reasons.append("the proof's @context is not the credential's")

    try:
        public_key = multikey_decode(public_key_multibase or _programme_multikey())
    except ValueError as error:
        return False, [*reasons, f"the issuer key is not usable: {error}"]
    try:
        signature = multibase_decode(proof.get("proofValue"))
        if len(signature) != SIGNATURE_BYTES:
            raise ValueError("an Ed25519 signature has 64 bytes")
    except ValueError as error:
        return False, [*reasons, f"the proof value is malformed: {error}"]

    options = {k: v for k, v in proof.items() if k not in ("proofValue", "@context")}
    try:
        hash_data = _hash_data(unsigned, options)
    except CredentialError as error:
        return False, [*reasons, f"the credential can't be canonicalised: {error}"]
    try:
        public_key.verify(signature, hash_data)
    except InvalidSignature:
        reasons.append("the signature does not match the credential (changed, or another key)")
    return not reasons, reasons


def _shape_problem(unsigned: dict) -> str | None:
    """What is wrong with the form of a document the programme signs, or None. Only the two
    kinds it issues are accepted, each with exactly its own contexts, no inline ones: an
    added context could give a signed term another name, so that a reader of the JSON sees
    a field the signature never covered."""
    types = unsigned.get("type")
    kind = (
        tuple(types) if isinstance(types, list) and all(isinstance(t, str) for t in types) else None
    )
    contexts = SHAPES.get(kind)
    if contexts is None:
        return "the document is not an OpenBadgeCredential nor a status list of this programme"
    if unsigned.get("@context") != contexts:
        return "the document's @context is not exactly " + ", ".join(contexts)
    if not isinstance(unsigned.get("credentialSubject"), dict):
        return "the credential's subject is not one object"
    return None


def _starts_with(document_context, proof_context) -> bool:
    whole = document_context if isinstance(document_context, list) else [document_context]
    start = proof_context if isinstance(proof_context, list) else [proof_context]
    return whole[: len(start)] == start
