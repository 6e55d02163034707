"""Where input enters: whole numbers read one way, ids in paths, control characters, bodies
that are not forms, unasked-for files. The cases an outside attack found, one by one."""

import io

import pytest
import sqlalchemy as sa
from support.checkout_rows import buy

from marketplace.catalogue.models import Course
from marketplace.core.inputs import control_character, read_number, whole_number
from marketplace.core.models import AuditEvent, OutboxMail
from marketplace.extensions import db
from marketplace.orders.models import Order, OrderStatus
from marketplace.programme import batches
from marketplace.programme.models import Batch

# --- the rules ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("7", 7),
        (" 12 ", 12),
        ("007", 7),
        ("²", None),  # isdigit() is true, int() refuses it
        ("٣", None),  # int() would read it as 3
        ("--5", None),
        ("-5", None),
        ("+5", None),
        ("1.5", None),
        ("1e3", None),
        ("", None),
        (None, None),
        ("9" * 400, None),  # never converted
        ("101", None),  # above highest
        ("0", None),  # below lowest
    ],
)
def test_whole_number_reads_ascii_digits_in_range(raw, expected):
    assert whole_number(raw, lowest=1, highest=100) == expected


def test_read_number_reads_signs_and_thousands_only_when_asked():
    assert read_number("-5", max_digits=3, negative=True) == -5
    assert read_number("--5", max_digits=3, negative=True) is None
    assert read_number("1.000.000", max_digits=9, thousands=True) == 1_000_000
    assert read_number("1.000.000", max_digits=9) is None
    assert read_number("1" * 13, max_digits=12) is None


@pytest.mark.parametrize(
    "text", ["a\x00b", "\x1b[31m", "x\x7f", "\x85", "\x0b", "Budi\u202eoknaS", "\u2066x\u2069"]
)
def test_control_characters_are_found(text):
    assert control_character(text) is not None


@pytest.mark.parametrize(
    "text", ["Budi Santoso", "baris satu\r\nbaris dua\tkolom", "😀 中文", "👨\u200d👩\u200d👧"]
)
def test_tab_newline_and_any_script_are_not_control_characters(text):
    assert control_character(text) is None


# --- the cases found from outside -----------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "/courses?min_price=%C2%B2",
        "/courses?max_price=%C2%B2",
        "/courses?page=%C2%B2",
        "/courses?page=--5",
        "/courses?min_price=" + "9" * 400,
    ],
)
def test_catalogue_numbers_that_are_not_numbers_are_a_400_with_a_message(client, url):
    client.set_cookie("lang", "en")
    response = client.get(url)
    assert response.status_code == 400
    assert 'class="error-summary"' in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "url", ["/courses/abc%00", "/checkout/abc%00", "/courses?q=a%00b", "/courses?q=%1B"]
)
def test_a_nul_or_control_character_anywhere_is_a_400_saying_so(participant_client, url):
    participant_client.set_cookie("lang", "en")
    response = participant_client.get(url)
    assert response.status_code == 400
    assert "control character" in response.get_data(as_text=True)


def test_the_office_order_search_takes_unicode_digits_and_nul(admin_client):
    assert admin_client.get("/admin/orders?q=%C2%B2").status_code == 200
    assert admin_client.get("/admin/orders?q=%D9%A3").status_code == 200
    assert admin_client.get("/admin/orders?q=%00").status_code == 400


def test_redeem_done_with_unicode_digits_is_ignored(provider_client):
    response = provider_client.get("/provider/redeem?done=%C2%B2")
    assert response.status_code == 200


@pytest.mark.parametrize("path", ["/admin/orders/%D9%A3", "/admin/orders/" + "9" * 11,
                                  "/admin/orders/0", "/admin/batches/" + "9" * 400])
def test_ids_in_paths_are_ascii_and_bounded(admin_client, path):
    assert admin_client.get(path).status_code == 404


def test_a_webinar_session_given_as_unicode_digits_is_not_a_crash(app, participant_client, shop):
    with app.app_context():
        slug = db.session.get(Course, shop.webinar).slug
    response = participant_client.post(f"/checkout/{slug}", data={"session": "²"})
    assert response.status_code in (400, 403)


def test_a_batch_number_of_400_digits_is_a_message(app, admin_client):
    with app.app_context():
        batches.ensure_schemes()
        db.session.commit()
    admin_client.set_cookie("lang", "en")
    form = {
        "number": "9" * 400,
        "opens_date": "01/01/2030",
        "opens_time": "00.00",
        "closes_date": "10/01/2030",
        "closes_time": "23:59",
        "quota": "4" * 400,
        "scheme": "2020",
    }
    response = admin_client.post("/admin/batches", data=form)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Enter the batch number as a whole number" in page
    assert "Enter the quota as a whole number" in page
    assert "must be from 1 to" not in page  # one message a field, the one that says why
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Batch.id))) == 0


def test_a_refund_reason_with_nul_changes_nothing_and_mails_nothing(app, admin_client, shop):
    with app.app_context():
        order_id = buy(shop, shop.self_paced).id
        db.session.commit()
        mails = db.session.scalar(sa.select(sa.func.count(OutboxMail.id)))
    admin_client.set_cookie("lang", "en")
    response = admin_client.post(
        f"/admin/orders/{order_id}/refund", data={"reason": "Dobel\x00bayar"}
    )
    assert response.status_code == 400
    assert "control character" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Order, order_id).status is OrderStatus.PAID
        assert db.session.scalar(sa.select(sa.func.count(OutboxMail.id))) == mails
        assert not db.session.scalar(
            sa.select(AuditEvent.id).where(AuditEvent.action.like("%refund%"))
        )


def test_a_form_page_refuses_json_and_unasked_files(app, client):
    client.set_cookie("lang", "en")
    response = client.post("/register", json={"name": 5, "email": ["x"], "password": None})
    assert response.status_code == 400
    assert "takes a form" in response.get_data(as_text=True)
    response = client.post(
        "/password/forgot",
        data={"email": (io.BytesIO(b"x"), "x.txt")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert "does not take files" in response.get_data(as_text=True)


def test_a_view_marked_as_taking_uploads_gets_its_files(app):
    from marketplace.web.inputs import takes_uploads

    @takes_uploads
    def upload():
        from flask import request

        return request.files["document"].filename

    app.add_url_rule("/test-upload", view_func=upload, methods=["POST"])
    client = app.test_client()
    response = client.post(
        "/test-upload",
        data={"document": (io.BytesIO(b"%PDF-1.4"), "bukti.pdf")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 200 and response.get_data(as_text=True) == "bukti.pdf"


def test_a_textarea_keeps_its_line_breaks(app, admin_client, shop):
    with app.app_context():
        order_id = buy(shop, shop.self_paced).id
        db.session.commit()
    response = admin_client.post(
        f"/admin/orders/{order_id}/refund", data={"reason": "Baris satu\r\nBaris dua\tsaja"}
    )
    assert response.status_code == 302
