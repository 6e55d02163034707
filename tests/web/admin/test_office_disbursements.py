"""The office's incentive payouts: /admin/disbursements (counts and totals by state, the failed
payments left for the office, the flagged account numbers, the runs, the payments found by
filters) and one payment's page (its events and transactions, send it again, cancel it).

The world: three participants whose course is completed and reviewed (four incentives of
Rp600.000 each, scheme 2020), their payments put in every state: paid and reversed through
signed webhooks (so the books move), the others by SQL. Two runs, one never finished; one
account number flagged.
"""

import html
import re
from datetime import timedelta
from types import SimpleNamespace

import pytest
import sqlalchemy as sa
from support.incentive_rows import (
    SECRET,
    completed_and_reviewed,
    disbursement_of,
    follow_in_books,
    payments_of,
    signed_event,
)

from marketplace.core.models import AuditEvent, OutboxMail
from marketplace.extensions import db
from marketplace.incentives import office
from marketplace.incentives.models import (
    DisbursementRun,
    IncentivePayment,
    PaymentState,
    PayoutAccount,
    PayoutAccountFlag,
)
from marketplace.people.models import Participant

NAMES = ("Ayu Lestari", "Budi Santoso", "Citra Dewi")
FAILURE_TEXT = "Nama pemilik rekening tidak sesuai"
REASON = "Peserta mengundurkan diri dari program."


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def row(page: str, row_id: str) -> str:
    """The HTML of the table row (or block) with this id."""
    found = re.search(rf'<tr id="{re.escape(row_id)}">(.*?)</tr>', page, re.S)
    assert found, f"no row {row_id}"
    return " ".join(found.group(1).split())


def shown_payments(page: str) -> set[int]:
    return {int(number) for number in re.findall(r'<tr id="payment-(\d+)">', page)}


def _set(payment_id: int, **values) -> None:
    db.session.execute(
        sa.update(IncentivePayment).where(IncentivePayment.id == payment_id).values(**values)
    )
    if "state" in values:
        follow_in_books(payment_id, values["state"])


def _webhook(client, app, payment_id: int, status: str, event_id: str, **fields) -> None:
    with app.app_context():
        payment = db.session.get(IncentivePayment, payment_id)
        body, headers = signed_event(disbursement_of(payment, status, 1, **fields), event_id)
    answer = client.post("/payouts/webhook", data=body, headers=headers)
    assert answer.status_code == 200 and answer.json["outcome"] == "applied", answer.json


@pytest.fixture
def world(app, shop, client):
    app.config["PAYOUT_GATEWAY_SECRET"] = SECRET
    people = completed_and_reviewed(app, shop, 3)
    now = shop.now
    with app.app_context():
        for person, name in zip(people, NAMES, strict=True):
            db.session.get(Participant, person).full_name = name
        payments = {person: [p.id for p in payments_of(person)] for person in people}
        assert all(len(ids) == 4 for ids in payments.values())
        accounts = {
            person: db.session.scalar(
                sa.select(PayoutAccount).where(PayoutAccount.participant_id == person)
            )
            for person in people
        }
        finished = DisbursementRun(
            started_at=now - timedelta(hours=2),
            finished_at=now - timedelta(hours=2) + timedelta(minutes=3),
            worker="disburser-1 pid 4242",
            claimed=3,
            accepted=2,
            failed=1,
            reconciled=4,
        )
        unfinished = DisbursementRun(
            started_at=now - timedelta(hours=1), worker="disburser-2 pid 777", claimed=1
        )
        db.session.add_all([finished, unfinished])
        db.session.flush()
        ayu, budi, citra = people
        [a1, a2, a3, a4], [b1, b2, b3, b4], [c1, *_rest] = (payments[p] for p in people)

        def sending(payment_id, person, run):
            _set(
                payment_id,
                state=PaymentState.PAYING,
                attempts=1,
                sent_at=now - timedelta(hours=1),
                payout_account_id=accounts[person].id,
                run_id=run.id,
            )

        sending(a1, ayu, finished)
        sending(c1, citra, finished)
        sending(b1, budi, unfinished)
        _set(
            a2,
            state=PaymentState.FAILED,
            attempts=5,
            next_attempt_at=None,
            failure_code="NAME_MISMATCH",
            last_message=FAILURE_TEXT,
            gateway_id="disb_failed_a2",
            payout_account_id=accounts[ayu].id,
            run_id=finished.id,
        )
        _set(a3, state=PaymentState.DUE)
        _set(
            b2,
            state=PaymentState.FAILED,
            attempts=1,
            next_attempt_at=now + timedelta(hours=1),
            failure_code="BANK_UNAVAILABLE",
            payout_account_id=accounts[budi].id,
        )
        _set(b3, state=PaymentState.CANCELLED, cancelled_at=now, cancel_reason=REASON)
        flag = PayoutAccountFlag(
            participant_id=budi,
            holder_participant_id=ayu,
            channel=accounts[ayu].channel,
            number=accounts[ayu].number,
            created_at=now - timedelta(minutes=30),
        )
        db.session.add(flag)
        db.session.flush()
        emails = {person: db.session.get(Participant, person).user.email for person in people}
        niks = {person: db.session.get(Participant, person).nik for person in people}
        ids = SimpleNamespace(
            a1=a1, a2=a2, a3=a3, a4=a4, b1=b1, b2=b2, b3=b3, b4=b4, c1=c1,
            finished=finished.id, unfinished=unfinished.id, flag=flag.id,
        )  # fmt: skip
        numbers = {person: accounts[person].number for person in people}
        db.session.commit()
    _webhook(client, app, a1, "SUCCEEDED", "evt_a1_paid")
    _webhook(client, app, c1, "REVERSED", "evt_c1_reversed", failure_message="Rekening ditutup")
    return SimpleNamespace(
        ids=ids,
        people=people,
        emails=emails,
        niks=niks,
        numbers=numbers,
        now=now,
    )


def _state(app, payment_id):
    with app.app_context():
        return db.session.get(IncentivePayment, payment_id)


# --- who may open it -----------------------------------------------------------------------


GETS = ["/admin/disbursements", "/admin/disbursements/payments/1"]
POSTS = [
    "/admin/disbursements/payments/1/retry",
    "/admin/disbursements/payments/1/cancel",
    "/admin/disbursements/flags/1/resolve",
]


@pytest.mark.parametrize("path", GETS + POSTS)
def test_anonymous_visitors_are_sent_to_sign_in(client, path):
    response = client.open(path, method="GET" if path in GETS else "POST")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


@pytest.mark.parametrize("path", GETS + POSTS)
def test_participants_and_providers_may_not_open_it(participant_client, provider_client, path):
    method = "GET" if path in GETS else "POST"
    assert participant_client.open(path, method=method).status_code == 403
    assert provider_client.open(path, method=method).status_code == 403


# --- the overview ----------------------------------------------------------------------------


def test_counts_and_totals_by_state(world, admin_client):
    response = admin_client.get("/admin/disbursements")

    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    page = text(response)
    assert "<title>Pencairan insentif · Prakerja</title>" in page
    expected = {
        "scheduled": ("Terjadwal", 5, "Rp3.000.000"),  # a4, b4, and three of Citra's
        "due": ("Jatuh tempo", 1, "Rp600.000"),
        "paying": ("Sedang dibayar", 1, "Rp600.000"),
        "paid": ("Dibayar", 1, "Rp600.000"),
        "failed": ("Gagal", 2, "Rp1.200.000"),
        "reversed": ("Dikembalikan bank", 1, "Rp600.000"),
        "cancelled": ("Dibatalkan", 1, "Rp600.000"),
        "all": ("Semua pembayaran", 12, "Rp7.200.000"),
    }
    for state, (label, count, total) in expected.items():
        found = row(page, f"state-{state}")
        assert label in found and f"</span>{count}</td>" in found and total in found, found
    # the failed payment no disburser sends again is called out, with a link to it
    assert "1 pembayaran gagal, Rp600.000 seluruhnya, diserahkan ke Manajemen Pelaksana" in page
    assert 'href="/admin/disbursements?state=office#payments"' in page


def test_the_latest_runs_say_what_they_did_and_which_never_finished(world, admin_client):
    page = text(admin_client.get("/admin/disbursements"))

    finished = row(page, f"run-{world.ids.finished}")
    assert "disburser-1 pid 4242" in finished
    assert [int(n) for n in re.findall(r"</span>(\d+)</td>", finished)] == [3, 2, 1, 4]
    unfinished = row(page, f"run-{world.ids.unfinished}")
    assert "Belum selesai: masih berjalan, atau berhenti sebelum selesai" in unfinished
    assert f'href="/admin/disbursements?run={world.ids.finished}#payments"' in page
    assert page.index(f"run-{world.ids.unfinished}") < page.index(f"run-{world.ids.finished}")


def test_each_payment_shows_who_what_where_and_what_the_gateway_said(world, admin_client):
    page = text(admin_client.get("/admin/disbursements"))

    assert len(shown_payments(page)) == 12
    ayu = world.people[0]
    failed = row(page, f"payment-{world.ids.a2}")
    for expected in (
        "Ayu Lestari",
        world.emails[ayu],
        "Insentif pelatihan 2",
        "Rp600.000",
        "Gagal",
        "Diserahkan ke Manajemen Pelaksana",
        "disb_failed_a2",
        "NAME_MISMATCH",
        FAILURE_TEXT,
        "BCA ••••••" + world.numbers[ayu][-4:],
    ):
        assert expected in failed, expected
    # NIKs and account numbers only masked
    nik = world.niks[ayu]
    assert nik not in page and f"{nik[:4]}********{nik[-4:]}" in failed
    assert world.numbers[ayu] not in page
    # a payment not sent yet goes to the current account
    assert "Rekening saat ini" in row(page, f"payment-{world.ids.a4}")


@pytest.mark.parametrize(
    "query, expected",
    [
        ("state=failed", {"a2", "b2"}),
        ("state=office", {"a2"}),
        ("state=paid", {"a1"}),
        ("kind=incentive&state=cancelled", {"b3"}),
        ("kind=survey", set()),
        ("run={finished}", {"a1", "a2", "c1"}),
        ("run={unfinished}", {"b1"}),
        ("q=budi&state=scheduled", {"b4"}),
        ("q={budi_email}", {"b1", "b2", "b3", "b4"}),
        ("q=%25", set()),  # a LIKE wildcard typed is a character, not "anything"
    ],
)
def test_filters(world, admin_client, query, expected):
    query = query.format(
        finished=world.ids.finished,
        unfinished=world.ids.unfinished,
        budi_email=world.emails[world.people[1]].upper(),
    )
    response = admin_client.get(f"/admin/disbursements?{query}")

    assert response.status_code == 200
    page = text(response)
    assert shown_payments(page) == {getattr(world.ids, name) for name in expected}
    if not expected:
        assert "Tidak ada pembayaran yang cocok dengan saringan." in page


def test_pages_of_payments_keep_the_filters(world, admin_client, monkeypatch):
    monkeypatch.setattr(office, "PER_PAGE", 2)
    first = text(admin_client.get("/admin/disbursements?state=scheduled"))
    last = text(admin_client.get("/admin/disbursements?state=scheduled&page=3"))

    assert len(shown_payments(first)) == 2 and len(shown_payments(last)) == 1
    assert 'href="/admin/disbursements?page=2&state=scheduled"' in first
    past = admin_client.get("/admin/disbursements?state=scheduled&page=4")
    assert past.status_code == 404
    assert "3" in text(past)  # names the last page


@pytest.mark.parametrize(
    "query, message",
    [
        ("state=lost", "Pilih keadaan dari daftar"),
        ("kind=gift", "Pilih jenis pembayaran dari daftar"),
        ("run=abc", "Tulis nomor putaran sebagai bilangan bulat, misalnya 12"),
        ("run=0", "Tulis nomor putaran sebagai bilangan bulat, misalnya 12"),
        ("run=%C2%B2", "Tulis nomor putaran sebagai bilangan bulat, misalnya 12"),
        ("run=999999", "Tidak ada putaran pencairan 999999."),
        ("q=" + "x" * 101, "Masukkan paling banyak 100 karakter"),
        ("page=abc", "Nomor halaman harus bilangan bulat, seperti 2"),
        ("page=0", "Nomor halaman"),
    ],
)
def test_a_filter_that_cant_be_read_is_a_400_saying_why(world, admin_client, query, message):
    response = admin_client.get(f"/admin/disbursements?{query}")

    assert response.status_code == 400
    page = text(response)
    assert message in page
    assert "<title>Kesalahan:" in page or "Kesalahan" in page


def test_the_overview_in_english(world, admin_client):
    admin_client.set_cookie("lang", "en")
    page = text(admin_client.get("/admin/disbursements"))

    assert "<title>Incentive payouts · Prakerja</title>" in page
    assert "Being paid" in row(page, "state-paying")
    assert "Not finished: still running, or stopped without finishing" in page
    assert "1 failed payment, Rp600.000 in all, is left for the office" in page


# --- one payment -------------------------------------------------------------------------------


def test_a_paid_payment_shows_its_events_and_its_transaction(world, admin_client):
    response = admin_client.get(f"/admin/disbursements/payments/{world.ids.a1}")

    assert response.status_code == 200
    page = text(response)
    assert "evt_a1_paid" in page and "disbursement.succeeded" in page and "Diterapkan" in page
    assert f"incentive:{world.ids.a1}" in page
    assert "programme_fund" in page or "incentives_paid" in page
    assert "Batalkan pembayaran" not in page and "Kirim ulang" not in page
    assert "tidak dapat dibatalkan" in page


def test_a_reversed_payment_shows_both_movements(world, admin_client):
    page = text(admin_client.get(f"/admin/disbursements/payments/{world.ids.c1}"))

    assert f"incentive:{world.ids.c1} reversed" in page
    assert "Rekening ditutup" in page  # what the bank said


def test_an_unknown_payment_is_a_404(world, admin_client):
    assert admin_client.get("/admin/disbursements/payments/999999").status_code == 404
    assert admin_client.post("/admin/disbursements/payments/999999/retry").status_code == 404
    assert admin_client.post("/admin/disbursements/payments/999999/cancel").status_code == 404


def test_sending_a_failed_payment_again_makes_it_due(world, admin_client, app):
    page = text(admin_client.get(f"/admin/disbursements/payments/{world.ids.a2}"))
    assert "Kirim ulang" in page and "Batalkan pembayaran" in page

    response = admin_client.post(f"/admin/disbursements/payments/{world.ids.a2}/retry")

    assert response.status_code == 302
    assert response.headers["Location"] == f"/admin/disbursements/payments/{world.ids.a2}"
    payment = _state(app, world.ids.a2)
    assert payment.state is PaymentState.DUE and payment.attempts == 0
    page = text(admin_client.get(response.headers["Location"]))
    assert f"Pembayaran {world.ids.a2} akan dikirim lagi pada putaran pencairan berikutnya." in page
    with app.app_context():
        assert db.session.scalar(
            sa.select(sa.func.count(AuditEvent.id)).where(
                AuditEvent.action == "incentive.retried",
                AuditEvent.subject == f"incentive_payment:{world.ids.a2}",
            )
        )


def test_only_a_failed_payment_can_be_sent_again(world, admin_client, app):
    response = admin_client.post(f"/admin/disbursements/payments/{world.ids.a3}/retry")

    assert response.status_code == 409
    page = text(response)
    assert "Hanya pembayaran yang gagal atau dikembalikan yang dapat dikirim ulang." in page
    assert "<title>Kesalahan:" in page
    assert _state(app, world.ids.a3).state is PaymentState.DUE


def test_cancelling_needs_a_reason_the_participant_then_reads(world, admin_client, app):
    url = f"/admin/disbursements/payments/{world.ids.a3}/cancel"
    for reason in ("", "terlalu", " " * 50):
        response = admin_client.post(url, data={"reason": reason})
        assert response.status_code == 400
        page = text(response)
        assert "Tulis alasan yang akan dibaca peserta, 10 sampai 300 karakter." in page
        assert "<title>Kesalahan:" in page
        assert _state(app, world.ids.a3).state is PaymentState.DUE

    response = admin_client.post(url, data={"reason": "  Data  rekening   ganda,  dibatalkan.  "})

    assert response.status_code == 302
    payment = _state(app, world.ids.a3)
    assert payment.state is PaymentState.CANCELLED
    assert payment.cancel_reason == "Data rekening ganda, dibatalkan."
    page = text(admin_client.get(response.headers["Location"]))
    assert "Data rekening ganda, dibatalkan." in page
    assert f"Pembayaran {world.ids.a3} dibatalkan." in page
    with app.app_context():
        mail = db.session.scalar(
            sa.select(OutboxMail)
            .where(OutboxMail.recipient == world.emails[world.people[0]])
            .order_by(OutboxMail.id.desc())
            .limit(1)
        )
        assert "Data rekening ganda, dibatalkan." in mail.body


def test_a_paid_payment_cant_be_cancelled(world, admin_client, app):
    response = admin_client.post(
        f"/admin/disbursements/payments/{world.ids.a1}/cancel", data={"reason": REASON}
    )

    assert response.status_code == 409
    problem = text(response).split('class="error-summary__list">')[1].split("</ul>")[0]
    assert "Pembayaran yang sedang dibayar, sudah dibayar, atau dikembalikan" in problem
    payment = _state(app, world.ids.a1)
    assert payment.state is PaymentState.PAID and payment.cancel_reason is None


# --- the flags --------------------------------------------------------------------------------


def test_flags_are_listed_and_resolved_with_a_note(world, admin_client, app):
    page = text(admin_client.get("/admin/disbursements"))
    ayu, budi = world.people[:2]
    flag = page[page.index(f'id="flag-{world.ids.flag}"') :]
    flag = flag[: flag.index("</form>")]
    assert "Budi Santoso" in flag and "Ayu Lestari" in flag
    assert "BCA ••••••" + world.numbers[ayu][-4:] in flag
    assert world.numbers[ayu] not in page
    assert "1 tanda terbuka." in page
    url = f"/admin/disbursements/flags/{world.ids.flag}/resolve"

    refused = admin_client.post(url, data={"note": "ok"})

    assert refused.status_code == 400
    assert "Tulis apa yang Anda temukan dan lakukan, 10 sampai 300 karakter." in text(refused)
    with app.app_context():
        assert db.session.get(PayoutAccountFlag, world.ids.flag).resolved_at is None

    note = "Salah ketik nomor; peserta sudah dihubungi."
    response = admin_client.post(url, data={"note": note})

    assert response.status_code == 302
    assert response.headers["Location"] == "/admin/disbursements#flags"
    with app.app_context():
        resolved = db.session.get(PayoutAccountFlag, world.ids.flag)
        assert resolved.resolved_at is not None and resolved.resolution == note
        audit = db.session.scalar(
            sa.select(AuditEvent).where(AuditEvent.action == "payout_flag.resolved")
        )
        assert audit.subject == f"payout_account_flag:{world.ids.flag}"
        assert audit.actor_id is not None and audit.detail["participant_id"] == budi
    page = text(admin_client.get("/admin/disbursements"))
    assert f'id="flag-{world.ids.flag}"' not in page
    assert "Tidak ada nomor rekening bertanda yang menunggu." in page
    again = admin_client.post(url, data={"note": note})
    assert again.status_code == 409
    assert "Tanda ini sudah diselesaikan" in text(again)
    assert admin_client.post("/admin/disbursements/flags/999999/resolve").status_code == 404


def test_the_admin_menu_links_the_page(admin_client):
    page = text(admin_client.get("/admin/disbursements"))
    assert '<a href="/admin/disbursements" aria-current="page">Pencairan insentif</a>' in page
    assert (
        "Belum ada putaran pencairan." in page and "Belum ada pembayaran yang dijadwalkan." in page
    )


def test_hostile_input_is_refused_without_a_server_error(world, admin_client, app):
    from test_hostile_input import HOSTILE

    before = {
        payment_id: _state(app, payment_id).state for payment_id in (world.ids.a2, world.ids.a3)
    }
    for value in HOSTILE:
        for name in ("state", "kind", "run", "q", "page"):
            response = admin_client.get("/admin/disbursements", query_string={name: value})
            assert response.status_code in (200, 400, 404), (name, value)
        if len(" ".join(value.split())) < 10 or len(" ".join(value.split())) > 300:
            for action in ("cancel", "retry"):
                response = admin_client.post(
                    f"/admin/disbursements/payments/{world.ids.a3}/{action}",
                    data={"reason": value},
                )
                assert response.status_code in (400, 409), (action, value)
            response = admin_client.post(
                f"/admin/disbursements/flags/{world.ids.flag}/resolve", data={"note": value}
            )
            assert response.status_code == 400, value
    assert {
        payment_id: _state(app, payment_id).state for payment_id in (world.ids.a2, world.ids.a3)
    } == before
    with app.app_context():
        assert db.session.get(PayoutAccountFlag, world.ids.flag).resolved_at is None
