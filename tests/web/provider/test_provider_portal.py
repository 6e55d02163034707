"""The training provider's portal: its sessions, redeeming codes, cancelling a session."""

import html
import re
from datetime import timedelta
from types import SimpleNamespace

import pytest
import sqlalchemy as sa
from support.checkout_rows import card_holders
from support.factories import PASSWORD

from marketplace.catalogue.models import Course, CourseSession, Method, SessionStatus
from marketplace.core.base import utcnow
from marketplace.core.models import AuditEvent, OutboxMail
from marketplace.extensions import db
from marketplace.money import ledger
from marketplace.money.models import Card
from marketplace.orders import checkout, refunds
from marketplace.orders.models import Order, OrderStatus
from marketplace.people.models import Participant, Role, User

PRICE = 300_000
BALANCE = 1_000_000  # a 2020 card


@pytest.fixture
def app_config(request):
    """The rate limits are on only for tests that ask for the `throttled` fixture."""
    if "throttled" in request.fixturenames:
        return {"RATELIMIT_ENABLED": True, "RATELIMIT_STORAGE_URI": "memory://"}
    return {}


@pytest.fixture
def throttled():
    """Marker fixture: the app under test has its rate limits on."""


# --- rows ----------------------------------------------------------------------------------


def _sign_in(app, email: str, english: bool = False):
    client = app.test_client()
    if english:
        client.set_cookie("lang", "en")
    response = client.post("/login", data={"email": email, "password": PASSWORD})
    assert response.status_code == 302, response.get_data(as_text=True)
    return client


@pytest.fixture
def desk(app, factory):
    """A provider with a self-paced course and a webinar (one session in a week, one starting
    in 30 minutes), a rival provider with its own courses, the provider's staff signed in
    (Indonesian, the default), and four participants with cards (English mail)."""
    now = utcnow().replace(microsecond=0)
    provider = factory.provider(name="LPK Maju Jaya")
    rival = factory.provider(name="LPK Saingan")
    category = factory.category()
    self_paced = factory.course(
        "Excel untuk Kantor", provider=provider, category=category, price=PRICE
    )
    webinar = factory.course(
        "Pemasaran Digital",
        provider=provider,
        category=category,
        price=PRICE,
        method=Method.WEBINAR,
        sessions=1,  # starts in 7 days
    )
    rival_course = factory.course("Kursus Saingan", provider=rival, category=category, price=PRICE)
    rival_webinar = factory.course(
        "Webinar Saingan",
        provider=rival,
        category=category,
        price=PRICE,
        method=Method.WEBINAR,
        sessions=1,
    )
    soon = factory.session(webinar, now + timedelta(minutes=30), place="Ruang Pelatihan A").id
    with app.app_context():
        later = db.session.scalar(
            sa.select(CourseSession.id).where(
                CourseSession.course_id == webinar.id, CourseSession.id != soon
            )
        )
        rival_session = db.session.scalar(
            sa.select(CourseSession.id).where(CourseSession.course_id == rival_webinar.id)
        )
    staff = factory.user(role=Role.PROVIDER, provider=provider).email
    return SimpleNamespace(
        app=app,
        factory=factory,
        now=now,
        provider_id=provider.id,
        self_paced=self_paced.id,
        webinar=webinar.id,
        rival_course=rival_course.id,
        rival_webinar=rival_webinar.id,
        soon=soon,
        later=later,
        rival_session=rival_session,
        staff=staff,
        client=_sign_in(app, staff),
        buyers=card_holders(app, 4, now),
    )


def buy(desk, buyer: int, course_id: int, session_id: int | None = None) -> SimpleNamespace:
    """A purchase through checkout.begin and confirm, as the checkout pages make it."""
    with desk.app.app_context():
        participant = db.session.get(Participant, buyer)
        row, code = checkout.begin(
            participant,
            db.session.get(Course, course_id),
            db.session.get(CourseSession, session_id) if session_id else None,
            desk.now,
        )
        order = checkout.confirm(participant, row.purchase_key, code, desk.now)
        db.session.commit()
        return SimpleNamespace(
            id=order.id,
            voucher=order.voucher_code,
            redeem=order.redeem_code,
            name=participant.full_name,
            nik=participant.nik,
            email=participant.user.email,
        )


def order_row(desk, order_id: int) -> Order:
    with desk.app.app_context():
        db.session().expire_on_commit = False
        return db.session.get(Order, order_id)


def session_row(desk, session_id: int) -> CourseSession:
    with desk.app.app_context():
        return db.session.get(CourseSession, session_id)


def balance(desk, buyer: int) -> int:
    with desk.app.app_context():
        card = db.session.scalar(sa.select(Card).where(Card.participant_id == buyer))
        return ledger.balance_of(ledger.card_code(card.id))


def count(desk, model, *where) -> int:
    with desk.app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


# --- who may open the portal ---------------------------------------------------------------


PAGES = ["/provider", "/provider/redeem", "/provider/sessions/1", "/provider/sessions/1/cancel"]


@pytest.mark.parametrize("path", PAGES)
def test_anonymous_visitors_are_sent_to_sign_in(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


@pytest.mark.parametrize("path", PAGES)
def test_participants_and_the_office_may_not_open_it(participant_client, admin_client, path):
    assert participant_client.get(path).status_code == 403
    assert admin_client.get(path).status_code == 403


def test_a_provider_account_without_a_provider_may_not_open_it(login):
    client = login(Role.PROVIDER)
    assert client.get("/provider").status_code == 403
    assert client.post("/provider/redeem", data={"code": "VC0000000000"}).status_code == 403


def test_a_provider_sees_only_its_own_sessions(desk):
    page = text(desk.client.get("/provider"))
    assert "LPK Maju Jaya" in page and "Pemasaran Digital" in page
    assert "Webinar Saingan" not in page
    assert desk.client.get(f"/provider/sessions/{desk.rival_session}").status_code == 404
    assert desk.client.get(f"/provider/sessions/{desk.rival_session}/cancel").status_code == 404
    assert desk.client.get("/provider/sessions/" + "9" * 25).status_code == 404
    assert desk.client.get("/provider/sessions/0").status_code == 404


def test_the_portal_pages_are_not_cached(desk):
    for path in ("/provider", "/provider/redeem", f"/provider/sessions/{desk.soon}"):
        assert desk.client.get(path).headers["Cache-Control"] == "no-store"


# --- the list of sessions ------------------------------------------------------------------


def test_the_list_shows_upcoming_sessions_first_then_the_last_30_days(desk):
    session = desk.factory.session
    ended = session(desk.webinar, desk.now - timedelta(days=2), place="Aula Lama").id
    session(desk.webinar, desk.now - timedelta(days=40), place="Aula Kuno")
    cancelled = session(
        desk.webinar,
        desk.now + timedelta(days=3),
        place="Ruang Batal",
        status=SessionStatus.CANCELLED,
    ).id
    under_way = session(desk.webinar, desk.now - timedelta(hours=1), place="Aula").id

    response = desk.client.get("/provider")

    assert response.status_code == 200
    page = text(response)
    assert "Masukkan kode peserta" in page and 'href="/provider/redeem"' in page
    order = [int(number) for number in re.findall(r'href="/provider/sessions/(\d+)"', page)]
    assert order == [under_way, desk.soon, cancelled, desk.later, ended]
    assert "Aula Kuno" not in page
    assert page.index("Jadwal mendatang") < page.index("Jadwal yang sudah lewat (30 hari")
    assert "Dibatalkan" in page and "Sedang berlangsung" in page and "Selesai" in page
    assert "0 dari 30" in page


def test_the_list_has_pages_of_20(desk):
    for day in range(25):
        desk.factory.session(desk.webinar, desk.now + timedelta(days=10 + day))
    first = text(desk.client.get("/provider"))
    assert len(re.findall(r'href="/provider/sessions/\d+"', first)) == 20
    assert 'href="/provider?page=2"' in first
    second = text(desk.client.get("/provider?page=2"))
    assert len(re.findall(r'href="/provider/sessions/\d+"', second)) == 7
    past = desk.client.get("/provider?page=100000")
    assert past.status_code == 404  # past the last page: it says which is the last
    assert "Halaman terakhir adalah halaman 2" in past.get_data(as_text=True)
    assert 'href="/provider?page=1"' in second
    for bad in ("9" * 30, "100001", "0", "-1", "dua", "2.5"):
        assert desk.client.get("/provider?page=" + bad).status_code == 400, bad


def test_a_provider_without_sessions_sees_an_empty_state(app, factory):
    staff = factory.user(role=Role.PROVIDER, provider=factory.provider(name="LPK Baru")).email
    page = text(_sign_in(app, staff, english=True).get("/provider"))
    assert "LPK Baru" in page and "No sessions" in page and "Redeem a code" in page


# --- redeeming codes -----------------------------------------------------------------------


def test_the_redeem_form_has_a_labelled_field_with_a_hint(desk):
    page = text(desk.client.get("/provider/redeem"))
    assert '<label class="label" for="code">Kode</label>' in page
    assert "Kode voucher (VC…) pelatihan video mandiri" in page


def test_a_voucher_code_starts_a_self_paced_course(desk):
    order = buy(desk, desk.buyers[0], desk.self_paced)
    typed = " " + order.voucher.lower()[:6] + "-" + order.voucher.lower()[6:] + " "

    response = desk.client.post("/provider/redeem", data={"code": typed})

    assert response.status_code == 302
    assert response.headers["Location"] == f"/provider/redeem?done={order.id}"
    row = order_row(desk, order.id)
    assert row.status is OrderStatus.REDEEMED and row.redeemed_at is not None
    page = text(desk.client.get(response.headers["Location"]))
    assert "Kode berhasil dipakai" in page
    assert order.name in page and "Excel untuk Kantor" in page
    assert 'name="code"' in page and order.voucher not in page  # an empty form for the next
    assert count(desk, AuditEvent, AuditEvent.action == "order.redeemed") == 1


def test_a_redeem_code_at_its_session_shows_the_session_time(desk):
    order = buy(desk, desk.buyers[0], desk.webinar, desk.soon)
    response = desk.client.post("/provider/redeem", data={"code": order.redeem})
    assert response.status_code == 302
    assert order_row(desk, order.id).status is OrderStatus.REDEEMED
    page = text(desk.client.get(response.headers["Location"]))
    assert order.name in page and "Pemasaran Digital" in page and " WIB" in page


def test_the_done_panel_shows_only_this_providers_redeemed_order(desk):
    paid = buy(desk, desk.buyers[0], desk.self_paced)
    rivals = buy(desk, desk.buyers[1], desk.rival_course)
    with desk.app.app_context():
        db.session.get(Order, rivals.id).status = OrderStatus.REDEEMED
        db.session.commit()
    for done in (paid.id, rivals.id, "x", "9" * 30, "-1"):
        page = text(desk.client.get(f"/provider/redeem?done={done}"))
        assert "Kode berhasil dipakai" not in page
        assert paid.name not in page and rivals.name not in page


def _refusal(desk, client, code: str):
    before = count(desk, AuditEvent, AuditEvent.action == "order.redeemed")
    response = client.post("/provider/redeem", data={"code": code})
    assert response.status_code == 400
    assert count(desk, AuditEvent, AuditEvent.action == "order.redeemed") == before
    page = text(response)
    assert "Ada masalah" in page or "There is a problem" in page
    assert 'href="#code"' in page  # the error summary links to the field
    return page


def _codes(desk) -> dict:
    """One code for each refusal, and the order it belongs to."""
    used = buy(desk, desk.buyers[0], desk.self_paced)
    with desk.app.app_context():
        db.session.get(Order, used.id).status = OrderStatus.REDEEMED
        db.session.get(Order, used.id).redeemed_at = desk.now
        db.session.commit()
    later = buy(desk, desk.buyers[1], desk.webinar, desk.later)
    rivals = buy(desk, desk.buyers[2], desk.rival_course)
    refunded = buy(desk, desk.buyers[3], desk.webinar, desk.soon)
    with desk.app.app_context():
        staff = db.session.scalar(sa.select(User).where(User.email == desk.staff))
        refunds.cancel_session(
            db.session.get(CourseSession, desk.soon), "Pengajar sakit", desk.now, actor=staff
        )
        db.session.commit()
    return {
        "missing": ("VC0000000000", None),
        "rival": (rivals.voucher, rivals.id),
        "used": (used.voucher, used.id),
        "refunded": (refunded.redeem, refunded.id),
        "window": (later.redeem, later.id),
        "voucher_of_session": (later.voucher, later.id),
    }


REFUSALS = {
    "missing": (
        "Code not found. Check the code and try again.",
        "Kode tidak ditemukan. Periksa kode lalu coba lagi.",
    ),
    "rival": (
        "This code is for a course of another training provider.",
        "Kode ini untuk pelatihan lembaga pelatihan lain.",
    ),
    "used": ("This code has already been used, on ", "Kode ini sudah pernah dipakai, pada "),
    "refunded": (
        "This code has been cancelled: the purchase was refunded.",
        "Kode ini telah dibatalkan: pembeliannya sudah dikembalikan dananya.",
    ),
    "window": ("A redeem code works only from ", "Kode redeem hanya berlaku dari "),
    "voucher_of_session": (
        "This course has a session: enter the participant's redeem code, valid from ",
        "Pelatihan ini memiliki jadwal: masukkan kode redeem peserta, yang berlaku dari ",
    ),
}


@pytest.mark.parametrize("english", [False, True], ids=["id", "en"])
def test_every_refusal_is_shown_on_the_field_and_changes_nothing(desk, english):
    codes = _codes(desk)
    statuses = {
        name: order_row(desk, order_id).status for name, (_c, order_id) in codes.items() if order_id
    }
    client = _sign_in(desk.app, desk.staff, english=True) if english else desk.client
    for name, (code, _order_id) in codes.items():
        page = _refusal(desk, client, code)
        message = REFUSALS[name][0 if english else 1]
        # In the error summary and on the field.
        assert page.count(message) == 2, (name, page)
        assert f'value="{code}"' in page  # what was typed is shown back
    assert {
        name: order_row(desk, order_id).status for name, (_c, order_id) in codes.items() if order_id
    } == statuses


def test_the_used_and_window_refusals_name_their_times_in_wib(desk):
    codes = _codes(desk)
    page = _refusal(desk, _sign_in(desk.app, desk.staff, english=True), codes["window"][0])
    later = session_row(desk, desk.later)
    opens = (later.starts_at - timedelta(hours=1) + timedelta(hours=7)).strftime("%H:%M")
    closes = (later.starts_at + timedelta(hours=1) + timedelta(hours=7)).strftime("%H:%M")
    assert re.search(rf"works only from [^<]*{opens} WIB to [^<]*{closes} WIB\.", page), page
    page = _refusal(desk, desk.client, codes["used"][0])
    used_at = (desk.now + timedelta(hours=7)).strftime("%H.%M")
    assert re.search(rf"sudah pernah dipakai, pada [^<]*{used_at} WIB\.", page)


def test_an_empty_code_is_refused(desk):
    response = desk.client.post("/provider/redeem", data={"code": ""})
    assert response.status_code == 400
    assert text(response).count("Masukkan kode yang diberikan peserta kepada Anda.") == 2


def test_redeeming_is_limited_to_30_codes_a_minute_per_account(app, factory, throttled):
    provider = factory.provider()
    first = _sign_in(app, factory.user(role=Role.PROVIDER, provider=provider).email)
    second = _sign_in(app, factory.user(role=Role.PROVIDER, provider=provider).email)
    for _ in range(30):
        assert first.post("/provider/redeem", data={"code": "VC0000000000"}).status_code == 400
    assert first.post("/provider/redeem", data={"code": "VC0000000000"}).status_code == 429
    assert first.get("/provider/redeem").status_code == 200  # reading the form is not limited
    assert second.post("/provider/redeem", data={"code": "VC0000000000"}).status_code == 400


# --- one session and its roster ------------------------------------------------------------


def test_the_session_page_shows_the_roster_by_name_never_nik(desk):
    first = buy(desk, desk.buyers[0], desk.webinar, desk.soon)
    second = buy(desk, desk.buyers[1], desk.webinar, desk.soon)
    desk.client.post("/provider/redeem", data={"code": first.redeem})

    response = desk.client.get(f"/provider/sessions/{desk.soon}")

    assert response.status_code == 200
    page = text(response)
    assert "Pemasaran Digital" in page and "Ruang Pelatihan A" in page
    assert "2 dari 30" in page
    assert first.name in page and second.name in page
    assert first.nik not in page and second.nik not in page
    assert "Kode sudah dipakai" in page and "Dibayar" in page
    assert page.index(first.name) < page.index(second.name)
    assert f'href="/provider/sessions/{desk.soon}/cancel"' in page


def test_a_session_without_participants_says_so(desk):
    page = text(desk.client.get(f"/provider/sessions/{desk.later}"))
    assert "Belum ada yang membeli kursi di jadwal ini." in page


# --- cancelling a session ------------------------------------------------------------------


@pytest.fixture
def booked(desk):
    """Two participants with a seat on the session a week away."""
    desk.orders = [buy(desk, buyer, desk.webinar, desk.later) for buyer in desk.buyers[:2]]
    return desk


def _cancel_path(desk) -> str:
    return f"/provider/sessions/{desk.later}/cancel"


def _unchanged(desk) -> None:
    assert session_row(desk, desk.later).status is SessionStatus.SCHEDULED
    assert session_row(desk, desk.later).seats_taken == 2
    for order in desk.orders:
        assert order_row(desk, order.id).status is OrderStatus.PAID
    for buyer in desk.buyers[:2]:
        assert balance(desk, buyer) == BALANCE - PRICE


def test_the_check_page_shows_how_many_are_refunded_and_how_much(booked):
    client = _sign_in(booked.app, booked.staff, english=True)
    response = client.get(_cancel_path(booked))
    assert response.status_code == 200
    page = text(response)
    assert (
        "2 participants will get Rp600.000 in all back on their cards, and an email each." in page
    )
    assert "Cancel the session and refund 2 participants" in page
    assert "can't be undone" in page
    assert '<textarea class="input" id="reason" name="reason"' in page
    indonesian = text(booked.client.get(_cancel_path(booked)))
    assert "Batalkan jadwal dan kembalikan dana 2 peserta" in indonesian


def test_cancelling_without_a_reason_is_refused_and_changes_nothing(booked):
    mails = count(booked, OutboxMail)
    for reason in ("", "   "):
        response = booked.client.post(_cancel_path(booked), data={"reason": reason})
        assert response.status_code == 400
        assert text(response).count("Tuliskan alasan pengembalian dana.") == 2
    long = booked.client.post(_cancel_path(booked), data={"reason": "x" * 201})
    assert long.status_code == 400
    assert "Alasan paling banyak 200 karakter." in text(long)
    assert "x" * 201 in text(long)  # what was typed is shown back
    _unchanged(booked)
    assert count(booked, OutboxMail) == mails


def test_cancelling_refunds_every_participant_and_tells_them(booked):
    client = _sign_in(booked.app, booked.staff, english=True)
    response = client.post(_cancel_path(booked), data={"reason": "The trainer is ill."})

    assert response.status_code == 302
    assert response.headers["Location"] == f"/provider/sessions/{booked.later}"
    page = text(client.get(response.headers["Location"]))
    assert "2 participants have been refunded and told by email." in page
    assert "This session has already been cancelled." in page
    assert f"/provider/sessions/{booked.later}/cancel" not in page
    assert session_row(booked, booked.later).status is SessionStatus.CANCELLED
    for order in booked.orders:
        row = order_row(booked, order.id)
        assert row.status is OrderStatus.REFUNDED and "The trainer is ill." in row.refund_reason
    for buyer in booked.buyers[:2]:
        assert balance(booked, buyer) == BALANCE
    with booked.app.app_context():
        assert ledger.verify() == []
        for order in booked.orders:
            mail = db.session.scalar(
                sa.select(OutboxMail)
                .where(OutboxMail.recipient == order.email)
                .order_by(OutboxMail.id.desc())
                .limit(1)
            )
            assert mail.subject == "Your purchase of Pemasaran Digital has been refunded"
            assert "The trainer is ill." in mail.body and "Rp300.000" in mail.body
        assert db.session.scalar(
            sa.select(AuditEvent).where(
                AuditEvent.action == "session.cancelled",
                AuditEvent.subject == f"course_session:{booked.later}",
            )
        )


def test_a_session_nobody_booked_is_cancelled_without_refunds(desk):
    path = f"/provider/sessions/{desk.later}/cancel"
    check = text(desk.client.get(path))
    assert "Belum ada yang membeli kursi di jadwal ini: tidak ada dana yang perlu" in check
    assert ">Batalkan jadwal</button>" in check
    mails = count(desk, OutboxMail)
    response = desk.client.post(path, data={"reason": "Peserta terlalu sedikit."})
    assert response.status_code == 302
    assert "Jadwal telah dibatalkan." in text(desk.client.get(response.headers["Location"]))
    assert session_row(desk, desk.later).status is SessionStatus.CANCELLED
    assert count(desk, OutboxMail) == mails


def test_a_second_cancel_is_refused(booked):
    first = booked.client.post(_cancel_path(booked), data={"reason": "Pengajar sakit."})
    assert first.status_code == 302
    mails = count(booked, OutboxMail)

    again = booked.client.post(_cancel_path(booked), data={"reason": "Sekali lagi."})

    assert again.status_code == 409
    page = text(again)
    assert "Jadwal ini sudah dibatalkan." in page
    assert 'name="reason"' not in page
    assert count(booked, OutboxMail) == mails
    for buyer in booked.buyers[:2]:
        assert balance(booked, buyer) == BALANCE
    with booked.app.app_context():
        assert ledger.verify() == []
    # The check page is no longer offered: it sends the provider to the session page.
    check = booked.client.get(_cancel_path(booked))
    assert check.status_code == 302
    assert check.headers["Location"] == f"/provider/sessions/{booked.later}"


def test_a_session_that_has_started_cannot_be_cancelled(desk):
    started = desk.factory.session(desk.webinar, desk.now - timedelta(minutes=10)).id
    page = text(desk.client.get(f"/provider/sessions/{started}"))
    assert "Jadwal yang sudah dimulai tidak dapat dibatalkan." in page
    assert f"/provider/sessions/{started}/cancel" not in page
    assert desk.client.get(f"/provider/sessions/{started}/cancel").status_code == 302
    response = desk.client.post(f"/provider/sessions/{started}/cancel", data={"reason": "Hujan."})
    assert response.status_code == 409
    assert session_row(desk, started).status is SessionStatus.SCHEDULED


def test_another_providers_session_cannot_be_cancelled(desk):
    response = desk.client.post(
        f"/provider/sessions/{desk.rival_session}/cancel", data={"reason": "Iseng."}
    )
    assert response.status_code == 404
    assert session_row(desk, desk.rival_session).status is SessionStatus.SCHEDULED
