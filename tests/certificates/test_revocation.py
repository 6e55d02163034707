"""Revoking a certificate (certificates/revocation.py): the programme office and the issuing
provider may, with a reason of 10 to 500 characters; anyone else, a missing or bad reason, or
a certificate revoked already is refused and nothing changes. A revocation is audited and
mailed to the holder in their language. Two revocations at once revoke once: one audit row,
one mail. The office's and the provider's lists. Runs on SQLite and PostgreSQL."""

import contextlib
import threading
from datetime import timedelta

import pytest
from support.certificate_rows import certificate, issued, office, staff, user
from support.checkout_rows import race
from support.learning_rows import events, mails_to

from marketplace.certificates import issuing, revocation
from marketplace.core import DomainError
from marketplace.extensions import db
from marketplace.people.models import Participant

REASON = "Nilai post-test ternyata diperoleh dengan bantuan orang lain."
PUBLIC = "http://localhost/certificates/"  # PUBLIC_URL of the tests + the public path


@pytest.fixture
def made(app, shop):
    """A certificate of the shop's self-paced course, issued by completing it."""
    return issued(app, shop, name="Rina Kartika Sari")


def _revocation_mails(email: str) -> list:
    return [
        mail for mail in mails_to(email) if "revoked" in mail.subject or "dicabut" in mail.subject
    ]


def _refused(made, actor_id, reason, now) -> DomainError:
    """The revocation is refused and nothing changed; the refusal."""
    row = certificate(made.id)
    before = (row.revoked_at, row.revoked_reason, row.revoked_by_id)
    audits = len(events("certificate.revoked"))
    mails = len(_revocation_mails(made.email))
    actor = user(actor_id) if actor_id is not None else None
    with pytest.raises(DomainError) as refused:
        revocation.revoke(row, actor, reason, now)
    db.session.refresh(row)
    assert (row.revoked_at, row.revoked_reason, row.revoked_by_id) == before
    assert len(events("certificate.revoked")) == audits
    assert len(_revocation_mails(made.email)) == mails
    return refused.value


# --- who may revoke ----------------------------------------------------------------------------


def test_the_office_revokes_with_a_reason_audited_and_mailed(app, shop, made):
    admin = office(app)
    when = shop.now + timedelta(days=3)
    with app.app_context():
        row = certificate(made.id)
        assert revocation.revoke(row, user(admin), f"  {REASON}\n", when) is row
        assert (row.revoked, row.revoked_at, row.revoked_reason, row.revoked_by_id) == (
            True,
            when,
            REASON,
            admin,
        )
        (event,) = events("certificate.revoked", f"certificate:{made.id}")
        assert event.actor_id == admin
        assert event.detail["reason"] == REASON
        assert event.detail["order_id"] == made.order
        (mail,) = _revocation_mails(made.email)
        assert mail.subject == f"Your certificate for {row.course_title} has been revoked"
        body = mail.body
        assert "Hello Rina Kartika Sari," in body
        assert (
            f"The programme office revoked your certificate for {row.course_title} "
            f"(code {issuing.shown(row.code)}) on " in body
        )
        assert f"The reason: {REASON}" in body
        assert PUBLIC + issuing.shown(row.code) in body.split()
        assert app.config["CONTACT_EMAIL"] in body
        assert f"write to the training provider, {row.provider_name}," in body
        # no NIK or phone of the holder in it
        participant = db.session.get(Participant, made.participant)
        assert participant.nik not in body and participant.phone not in body


def test_the_issuing_provider_revokes_and_the_mail_names_it(app, shop, made):
    desk = staff(app, shop.provider_id)
    with app.app_context():
        row = certificate(made.id)
        revocation.revoke(row, user(desk), REASON, shop.now)
        assert row.revoked_by_id == desk
        (mail,) = _revocation_mails(made.email)
        assert (
            f"{row.provider_name}, the training provider, revoked your certificate for "
            f"{row.course_title}" in mail.body
        )


def test_the_holder_is_told_in_indonesian_when_that_is_their_language(app, shop):
    made = issued(app, shop, locale="id")
    admin = office(app)
    with app.app_context():
        row = certificate(made.id)
        revocation.revoke(row, user(admin), REASON, shop.now)
        (mail,) = _revocation_mails(made.email)
        assert mail.subject == f"Sertifikat Anda untuk {row.course_title} telah dicabut"
        assert "Manajemen Pelaksana mencabut sertifikat Anda" in mail.body
        assert f"Alasannya: {REASON}" in mail.body
        assert "WIB" in mail.body


def test_another_provider_a_participant_and_nobody_are_refused(app, shop, factory, made):
    other = staff(app, factory.provider().id)
    homeless = staff(app, None)  # a provider account of no provider
    with app.app_context():
        holder = db.session.get(Participant, made.participant).user_id
    for actor in (other, homeless, holder, None):
        with app.app_context():
            refused = _refused(made, actor, REASON, shop.now)
            assert refused.message == revocation.NOT_ALLOWED
            assert refused.field is None


# --- the reason --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("reason", "message", "params"),
    [
        (None, revocation.NO_REASON, {}),
        ("", revocation.NO_REASON, {}),
        ("  \n\t ", revocation.NO_REASON, {}),
        ("Terlalu", revocation.SHORT_REASON, {"shortest": 10}),
        ("  123456789  ", revocation.SHORT_REASON, {"shortest": 10}),
        ("x" * 501, revocation.LONG_REASON, {"longest": 500}),
        ("Alasan dengan\x00NUL di dalamnya", revocation.CONTROL_CHARACTERS, {}),
        ("Alasan \u202edibalik arahnya", revocation.CONTROL_CHARACTERS, {}),
        (["Alasan dalam daftar"], revocation.NO_REASON, {}),
    ],
)
def test_a_missing_short_long_or_garbled_reason_is_refused(
    app, shop, made, reason, message, params
):
    admin = office(app)
    with app.app_context():
        refused = _refused(made, admin, reason, shop.now)
        assert (refused.message, refused.field, refused.params) == (message, "reason", params)


@pytest.mark.parametrize("reason", ["1234567890", "x" * 500, "Baris satu.\nBaris dua."])
def test_a_reason_of_10_to_500_characters_is_kept_as_written(app, shop, made, reason):
    admin = office(app)
    with app.app_context():
        row = certificate(made.id)
        revocation.revoke(row, user(admin), reason, shop.now)
        assert row.revoked_reason == reason


# --- no private details in the reason (it is public) -----------------------------------------


@pytest.mark.parametrize(
    ("reason", "message"),
    [
        ("Peserta rina.kartika@mail.co.id menyalin tugas.", revocation.EMAIL_IN_REASON),
        ("Dilaporkan oleh RINA_K+1@Example.COM kemarin.", revocation.EMAIL_IN_REASON),
        ("NIK peserta 3171234567890001 tidak cocok.", revocation.NIK_IN_REASON),
        ("NIK peserta 3171 2345 6789 0001 tidak cocok.", revocation.NIK_IN_REASON),
        ("NIK peserta 31.71.23.456789.0001 tidak cocok.", revocation.NIK_IN_REASON),
        ("NIK peserta 3171-2345-6789-0001 tidak cocok.", revocation.NIK_IN_REASON),
        ("Hubungi peserta di +62 812-3456-7890 untuk klarifikasi.", revocation.PHONE_IN_REASON),
        ("Hubungi peserta di +6281234567890 untuk klarifikasi.", revocation.PHONE_IN_REASON),
        ("Hubungi peserta di 0812 3456 7890 untuk klarifikasi.", revocation.PHONE_IN_REASON),
        ("Hubungi peserta di (0812) 3456-7890 untuk klarifikasi.", revocation.PHONE_IN_REASON),
        ("Hubungi peserta di 0812.345.678 untuk klarifikasi.", revocation.PHONE_IN_REASON),
        ("WhatsApp peserta 62 812 3456 7890 tidak aktif.", revocation.PHONE_IN_REASON),
        ("Kantor peserta +62 21 1234 5678 membantah.", revocation.PHONE_IN_REASON),
    ],
)
def test_an_email_a_nik_or_a_phone_in_the_reason_is_refused(app, shop, made, reason, message):
    admin = office(app)
    with app.app_context():
        refused = _refused(made, admin, reason, shop.now)
        assert (refused.message, refused.field) == (message, "reason")
        with pytest.raises(DomainError):  # the check page refuses it alike
            revocation.check(certificate(made.id), user(admin), reason)


def test_the_holder_s_own_details_are_refused(app, shop, made):
    desk = staff(app, shop.provider_id)
    with app.app_context():
        participant = db.session.get(Participant, made.participant)
        details = {
            revocation.NIK_IN_REASON: participant.nik,
            revocation.PHONE_IN_REASON: participant.phone,
            revocation.EMAIL_IN_REASON: participant.user.email,
        }
    for message, detail in details.items():
        with app.app_context():
            refused = _refused(made, desk, f"Milik peserta: {detail}, dicabut.", shop.now)
            assert refused.message == message, detail


@pytest.mark.parametrize(
    "reason",
    [
        "Tes akhir dikerjakan orang lain pada 08-04-2020 pukul 10.00.",
        "Peserta hanya hadir 3 dari 32 jam pelatihan (sesi 01.04.2020 s.d. 30.04.2020).",
        "Sertifikat diterbitkan 2020-08-12 sebelum pelatihan 120 jam selesai.",
        "Pesanan PK-2020-000123: skor 85 dari 100 diperoleh dengan menyontek.",
        "Kelas 08.00–12.00 tanggal 8 April 2020 tidak diikuti; harga @ Rp 100.000.",
    ],
)
def test_a_reason_with_dates_hours_and_numbers_passes(app, shop, made, reason):
    assert revocation.private_detail(reason) is None
    admin = office(app)
    with app.app_context():
        row = certificate(made.id)
        revocation.revoke(row, user(admin), reason, shop.now)
        assert row.revoked_reason == reason


# --- once ---------------------------------------------------------------------------------------


def test_a_revoked_certificate_is_refused_with_when_and_why(app, shop, made):
    admin = office(app)
    desk = staff(app, shop.provider_id)
    with app.app_context():
        revocation.revoke(certificate(made.id), user(admin), REASON, shop.now)
        db.session.commit()
    with app.app_context():
        refused = _refused(made, desk, "Alasan yang lain sama sekali.", shop.now + timedelta(1))
        assert refused.message == revocation.ALREADY_REVOKED
        assert refused.params == {"when": shop.now, "reason": REASON}
        row = certificate(made.id)
        assert row.revoked_by_id == admin
        assert len(events("certificate.revoked")) == 1
        assert len(_revocation_mails(made.email)) == 1


def test_the_check_refuses_what_revoking_would_and_changes_nothing(app, shop, made):
    admin = office(app)
    with app.app_context():
        row = certificate(made.id)
        assert revocation.check(row, user(admin), f" {REASON} ") == REASON
        with pytest.raises(DomainError):
            revocation.check(row, user(admin), "pendek")
        assert not row.revoked
        assert events("certificate.revoked") == [] and _revocation_mails(made.email) == []


def test_there_is_no_unrevoke():
    assert not [name for name in dir(revocation) if "unrevoke" in name or "restore" in name]


def test_two_revocations_at_once_revoke_once(app, shop, made, monkeypatch):
    admin = office(app)
    desk = staff(app, shop.provider_id)
    with app.app_context():
        on_postgres = db.engine.dialect.name == "postgresql"
    if on_postgres:
        # Both pass every check (the certificate is not revoked yet) before either writes:
        # the conditional UPDATE alone decides. SQLite runs each request's transaction whole.
        meet = threading.Barrier(2)
        checked = revocation.reason_text

        def reason_when_both_are_here(reason):
            with contextlib.suppress(threading.BrokenBarrierError):
                meet.wait(timeout=2)
            return checked(reason)

        monkeypatch.setattr(revocation, "reason_text", reason_when_both_are_here)

    def revoke_by(actor_id, reason):
        def work():
            found = revocation.revoke(certificate(made.id), user(actor_id), reason, shop.now)
            return found.id

        return work

    outcomes = race(app, [revoke_by(admin, REASON), revoke_by(desk, "Alasan lembaga pelatihan.")])
    revoked = [outcome for outcome in outcomes if outcome == made.id]
    refused = [outcome for outcome in outcomes if isinstance(outcome, DomainError)]
    assert len(revoked) == 1 and len(refused) == 1, outcomes
    assert refused[0].message == revocation.ALREADY_REVOKED
    with app.app_context():
        row = certificate(made.id)
        assert row.revoked_reason == refused[0].params["reason"]
        assert len(events("certificate.revoked")) == 1
        assert len(_revocation_mails(made.email)) == 1


# --- the lists ---------------------------------------------------------------------------------


@pytest.fixture
def several(app, shop, factory):
    """Three certificates of the shop's provider (two courses) and one of another provider's
    course; the newest last."""
    other_provider = factory.provider()
    elsewhere = factory.course(provider=other_provider, title="Pelatihan Lembaga Lain")
    rows = [
        issued(app, shop, name="Ahmad Fauzi"),
        issued(app, shop, name="Budi Santoso"),
        issued(app, shop, shop.other, name="Citra 100% Lestari"),
        issued(app, shop, elsewhere.id, name="Dewi Anggraini"),
    ]
    with app.app_context():  # issued one after the other, a minute apart
        for minutes, made in enumerate(rows):
            certificate(made.id).issued_at = shop.now + timedelta(minutes=minutes)
        db.session.commit()
    return rows, other_provider.id


def _ids(results) -> list[int]:
    return [row.id for row in results.items]


def test_the_office_lists_every_certificate_newest_first_and_pages(app, several):
    rows, _other = several
    with app.app_context():
        assert _ids(revocation.office_certificates()) == [row.id for row in reversed(rows)]
        first = revocation.office_certificates(page=1, per_page=3)
        second = revocation.office_certificates(page=2, per_page=3)
        assert (first.total, first.pages) == (4, 2)
        assert _ids(first) + _ids(second) == [row.id for row in reversed(rows)]


def test_the_office_finds_certificates_by_code_name_or_title(app, shop, several):
    rows, _other = several
    ahmad, budi, citra, dewi = rows
    with app.app_context():
        other_title = certificate(citra.id).course_title
        for query, found in [
            (issuing.shown(budi.code).lower(), [budi]),
            (issuing.shown(budi.code).replace("-", " "), [budi]),
            (f"{PUBLIC}{issuing.shown(dewi.code)}", [dewi]),
            ("fauzi", [ahmad]),
            ("  BUDI   santoso ", [budi]),
            (other_title.upper(), [citra]),
            ("Lembaga Lain", [dewi]),
            ("100%", [citra]),
            ("%", [citra]),  # the sign itself, not "anything"
            ("_", []),
            ("tidak ada yang seperti ini", []),
            ("' OR 1=1 --", []),
        ]:
            assert _ids(revocation.office_certificates(query)) == [row.id for row in found], query


def test_a_provider_lists_only_its_own_courses_certificates(app, shop, several):
    rows, other = several
    ahmad, budi, citra, dewi = rows
    with app.app_context():
        assert _ids(revocation.provider_certificates(shop.provider_id)) == [
            citra.id,
            budi.id,
            ahmad.id,
        ]
        assert _ids(revocation.provider_certificates(other)) == [dewi.id]
        assert _ids(revocation.provider_certificates(shop.provider_id, query="dewi")) == []
        assert revocation.of_provider(shop.provider_id, dewi.id) is None
        assert revocation.of_provider(other, dewi.id).id == dewi.id
        assert revocation.certificate_by_id(10**9) is None


@pytest.mark.parametrize(
    "written",
    [
        "NIK 3201  0123  4567  8901 milik peserta",
        "NIK 3201/0123/4567/8901 milik peserta",
        "Hubungi 0812 - 3456 - 7890 untuk konfirmasi",
        "Hubungi 0812/3456/7890 untuk konfirmasi",
        "Hubungi 62-812-3456-7890 untuk konfirmasi",
        "Hubungi \uff10\uff18\uff11\uff12\uff13\uff14\uff15\uff16\uff17\uff18\uff19\uff10 segera",
        "Surel peserta budi\uff20contoh.co.id sudah dicek",
    ],
)
def test_private_details_are_found_however_they_are_spaced_or_typed(written):
    assert revocation.private_detail(written) is not None


@pytest.mark.parametrize(
    "written",
    [
        "Periode 01-04-2020 s.d. 30-04-2020 tidak hadir",
        "Tidak hadir 3 dari 4 hari pada jadwal 12/05/2021, 12 jam",
    ],
)
def test_dates_and_hours_are_not_private_details(written):
    assert revocation.private_detail(written) is None
