"""Skill demonstration pages: the participant's form (/account/orders/<id>/demonstration)
with its upload, the file served only to the participant, the course's provider and the
office (/files/demonstrations/<id>), and the provider's decision (/provider/submissions)."""

from io import BytesIO
from types import SimpleNamespace

import pytest
import sqlalchemy as sa
from support.factories import PASSWORD

from marketplace.catalogue.models import Course
from marketplace.core.base import utcnow
from marketplace.extensions import db
from marketplace.learning.models import Demonstration, DemonstrationStatus
from marketplace.orders import checkout, redemption
from marketplace.people.models import Participant, Role

PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
EXE = b"MZ\x90\x00" + b"\x00" * 60
ANSWER = "Saya membuat laporan keuangan bulanan dengan rumus SUMIF dan tabel pivot."


def _sign_in(app, email: str, lang: str = "en"):
    client = app.test_client()
    client.set_cookie("lang", lang)
    response = client.post("/login", data={"email": email, "password": PASSWORD})
    assert response.status_code == 302
    return client


def _buyer(app, factory, world):
    holder = factory.card_holder(world.now)
    with app.app_context():
        participant = db.session.get(Participant, holder.id)
        course = db.session.get(Course, world.course_id)
        row, code = checkout.begin(participant, course, None, world.now)
        order = checkout.confirm(participant, row.purchase_key, code, world.now)
        redemption.start_self_paced(order, participant, order.voucher_code, world.now)
        db.session.commit()
        order_id = order.id
    return SimpleNamespace(order_id=order_id, client=_sign_in(app, holder.user.email))


@pytest.fixture
def world(app, factory, tmp_path):
    app.config["UPLOAD_DIR"] = str(tmp_path / "uploads")
    now = utcnow().replace(microsecond=0)
    provider = factory.provider("LPK Cahaya Mandiri")
    category = factory.category("Teknologi Informasi", "Information Technology")
    course = factory.course("Microsoft Excel untuk Kantor", provider=provider, category=category)
    with app.app_context():
        db.session.get(Course, course.id).needs_demonstration = True
        db.session.commit()
    desk = factory.user(role=Role.PROVIDER, provider=provider)
    other_desk = factory.user(role=Role.PROVIDER, provider=factory.provider("LPK Lain"))
    admin = factory.user(role=Role.ADMIN)
    world = SimpleNamespace(now=now, course_id=course.id, uploads=tmp_path / "uploads")
    world.siti = _buyer(app, factory, world)
    world.budi = _buyer(app, factory, world)
    world.desk = _sign_in(app, desk.email)
    world.other_desk = _sign_in(app, other_desk.email)
    world.admin = _sign_in(app, admin.email)
    return world


def _send(client, order_id, answer=ANSWER, data=None, name="laporan.pdf"):
    form = {"answer": answer}
    if data is not None:
        form["file"] = (BytesIO(data), name)
    return client.post(
        f"/account/orders/{order_id}/demonstration", data=form, content_type="multipart/form-data"
    )


def _rows() -> list[Demonstration]:
    return list(db.session.scalars(sa.select(Demonstration).order_by(Demonstration.id)))


def _stored(world) -> list:
    return list(world.uploads.iterdir()) if world.uploads.exists() else []


def test_the_order_page_leads_to_the_demonstration(world):
    order_page = world.siti.client.get(f"/account/orders/{world.siti.order_id}").get_data(True)
    assert f'href="/account/orders/{world.siti.order_id}/demonstration"' in order_page


def test_submit_download_return_and_submit_again(app, world):
    page = world.siti.client.get(f"/account/orders/{world.siti.order_id}/demonstration")
    assert page.status_code == 200 and 'enctype="multipart/form-data"' in page.get_data(True)
    sent = _send(world.siti.client, world.siti.order_id, data=PDF, name="../../x.php")
    assert sent.status_code == 302
    with app.app_context():
        (row,) = _rows()
        assert row.content_type == "application/pdf" and row.file_name == "x.php"
        demonstration_id = row.id
    assert [path.name for path in _stored(world)] == [row.file_key]

    for client in (world.siti.client, world.desk, world.admin):
        got = client.get(f"/files/demonstrations/{demonstration_id}")
        assert got.status_code == 200 and got.data == PDF
        assert got.headers["Content-Type"] == "application/pdf"
        assert got.headers["Content-Disposition"].startswith("attachment")
        assert got.headers["X-Content-Type-Options"] == "nosniff"
    for client in (world.budi.client, world.other_desk):
        assert client.get(f"/files/demonstrations/{demonstration_id}").status_code == 404
    assert world.other_desk.get(f"/provider/submissions/{demonstration_id}").status_code == 404
    assert "x.php" not in world.other_desk.get("/provider/submissions").get_data(True)

    listed = world.desk.get("/provider/submissions").get_data(True)
    assert f"/provider/submissions/{demonstration_id}" in listed
    refused = world.desk.post(
        f"/provider/submissions/{demonstration_id}", data={"decision": "return"}
    )
    assert refused.status_code == 400
    returned = world.desk.post(
        f"/provider/submissions/{demonstration_id}",
        data={"decision": "return", "feedback": "Tambahkan grafik <b>pivot</b>."},
    )
    assert returned.status_code == 302
    page = world.siti.client.get(f"/account/orders/{world.siti.order_id}/demonstration")
    text = page.get_data(True)
    assert "Tambahkan grafik &lt;b&gt;pivot&lt;/b&gt;." in text and "<b>pivot" not in text
    assert (
        _send(world.siti.client, world.siti.order_id, data=PNG, name="grafik.png").status_code
        == 302
    )
    with app.app_context():
        assert [row.status for row in _rows()] == [
            DemonstrationStatus.RETURNED,
            DemonstrationStatus.SUBMITTED,
        ]


@pytest.mark.parametrize(
    ("data", "name", "words"),
    [
        (EXE, "program.pdf", "must be a PDF, JPEG or PNG"),
        (b"", "kosong.pdf", "The file is empty"),
        (b"%PDF-" + b"a" * (5 * 1024 * 1024 - 4), "besar.pdf", "larger than 5 MB"),
    ],
)
def test_a_bad_file_is_a_clear_message_and_nothing_changes(app, world, data, name, words):
    response = _send(world.siti.client, world.siti.order_id, data=data, name=name)
    assert response.status_code == 400
    assert words in response.get_data(True)
    with app.app_context():
        assert _rows() == []
    assert _stored(world) == []


def test_a_body_over_the_upload_limit_is_the_413_page_in_the_pages_language(app, world):
    world.siti.client.set_cookie("lang", "en")
    data = b"%PDF-" + b"a" * (7 * 1024 * 1024)
    response = _send(world.siti.client, world.siti.order_id, data=data)
    assert response.status_code == 413
    text = response.get_data(True)
    assert 'lang="en"' in text and "What you sent is too large" in text
    with app.app_context():
        assert _rows() == []


def test_another_participants_order_and_an_order_without_demonstration_are_404(app, world):
    assert (
        world.budi.client.get(f"/account/orders/{world.siti.order_id}/demonstration").status_code
        == 404
    )
    assert _send(world.budi.client, world.siti.order_id).status_code == 404
    with app.app_context():
        db.session.get(Course, world.course_id).needs_demonstration = False
        db.session.commit()
    assert (
        world.siti.client.get(f"/account/orders/{world.siti.order_id}/demonstration").status_code
        == 404
    )
    with app.app_context():
        assert _rows() == []


def test_other_forms_still_refuse_files(world):
    response = world.siti.client.post(
        f"/account/orders/{world.siti.order_id}/review",
        data={"text": "x", "file": (BytesIO(PDF), "a.pdf")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400


def test_the_office_sees_every_demonstration_the_longest_waiting_first(app, world):
    from datetime import timedelta

    assert _send(world.siti.client, world.siti.order_id, data=PDF).status_code == 302
    assert (
        _send(
            world.budi.client, world.budi.order_id, answer="Jawaban Budi yang lengkap."
        ).status_code
        == 302
    )
    with app.app_context():
        siti, budi = _rows()
        siti.submitted_at = world.now - timedelta(days=9)  # sent long ago, still waiting
        budi.submitted_at = world.now - timedelta(days=1)
        db.session.commit()
        siti_id = siti.id
    page = world.admin.get("/admin/submissions")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert html.index("Waiting 9 days") < html.index("Waiting 1 day")
    assert f"/files/demonstrations/{siti_id}" in html and "Jawaban Budi yang lengkap." in html
    assert world.admin.get(f"/files/demonstrations/{siti_id}").status_code == 200
    assert world.desk.get("/admin/submissions").status_code in (403, 404)
    assert world.siti.client.get("/admin/submissions").status_code in (403, 404)
    assert world.admin.get("/admin/submissions?page=x").status_code == 400
    assert world.admin.get("/admin/submissions?page=9").status_code == 404
