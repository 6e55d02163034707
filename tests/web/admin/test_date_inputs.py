"""The office types dates and times the Indonesian way, 01/04/2026 and 09.00 (24-hour), in
text boxes whose hints say so: never the browser's date and time boxes, which show
mm/dd/yyyy and AM/PM on many devices (web/dates.py)."""

from datetime import date, datetime, time

import pytest
import sqlalchemy as sa
from support.html_page import HtmlPage

from marketplace.extensions import db
from marketplace.programme import batches
from marketplace.programme.models import Batch
from marketplace.web.dates import NotADate, read_clock, read_date

FORM = {
    "number": "3",
    "opens_date": "01/04/2026",
    "opens_time": "08.00",
    "closes_date": "14/04/2026",
    "closes_time": "23.59",
    "quota": "1000",
    "scheme": "2020",
    "province_quotas": "",
}


@pytest.fixture
def office(app, admin_client):
    with app.app_context():
        batches.ensure_schemes()
        db.session.commit()
    return admin_client


@pytest.mark.parametrize(
    ("typed", "day"),
    [
        ("01/04/2026", date(2026, 4, 1)),
        ("1/4/2026", date(2026, 4, 1)),
        ("1-4-2026", date(2026, 4, 1)),
        ("01.04.2026", date(2026, 4, 1)),
        (" 31 12 2026 ", date(2026, 12, 31)),
        ("29/02/2028", date(2028, 2, 29)),
    ],
)
def test_dates_are_read_day_month_year(typed, day):
    assert read_date(typed) == day


@pytest.mark.parametrize(
    ("typed", "real"),
    [
        ("2026-04-01", False),  # the browser's and ISO's order
        ("04/01/26", False),  # a two-digit year
        ("1 April 2026", False),
        ("٠١/٠٤/٢٠٢٦", False),  # digits of another script
        ("01/04/2026 08.00", False),
        ("", False),
        ("31/02/2026", True),
        ("12/31/2026", True),  # mm/dd/yyyy: month 31 does not exist
        ("29/02/2027", True),
    ],
)
def test_other_dates_are_refused(typed, real):
    with pytest.raises(NotADate) as refused:
        read_date(typed)
    assert refused.value.written_right is real


@pytest.mark.parametrize(
    ("typed", "clock"),
    [("09.00", time(9)), ("9.00", time(9)), ("23.59", time(23, 59)), ("00:00", time(0))],
)
def test_times_are_read_on_the_24_hour_clock(typed, clock):
    assert read_clock(typed) == clock


@pytest.mark.parametrize(
    "typed", ["9 PM", "09.00 PM", "9:00 AM", "24.00", "12.60", "0900", "9", "²3.00"]
)
def test_other_times_are_refused(typed):
    with pytest.raises(ValueError):
        read_clock(typed)


def test_the_form_has_text_boxes_whose_hints_agree(office):
    office.set_cookie("lang", "en")
    page = HtmlPage(office.get("/admin/batches").get_data(as_text=True))
    inputs = {attrs.get("name"): attrs for attrs in page.find_all("input")}
    assert not [attrs for attrs in inputs.values() if attrs.get("type") in ("date", "time")]
    for name in ("opens_date", "opens_time", "closes_date", "closes_time"):
        box = inputs[name]
        assert box["type"] == "text" and box["inputmode"] == "numeric" and box["pattern"], name
        assert box["aria-describedby"] == f"{name}-hint"
    assert inputs["opens_time"]["value"] == "00.00"
    assert inputs["closes_time"]["value"] == "23.59"
    texts = [text for text, _language, _tag in page.texts]
    assert "Day/month/year, for example 01/04/2026" in texts
    assert "Hours.minutes on the 24-hour clock, for example 09.00" in texts
    office.set_cookie("lang", "id")
    html = office.get("/admin/batches").get_data(as_text=True)
    assert "Tanggal/bulan/tahun, misalnya 01/04/2026" in html
    assert "Jam.menit dalam format 24 jam, misalnya 09.00" in html


@pytest.mark.parametrize(
    "changes",
    [{}, {"opens_date": "1-4-2026", "opens_time": "8:00"}, {"opens_date": "1.4.2026"}],
)
def test_a_batch_is_created_from_indonesian_dates_and_times(app, office, changes):
    response = office.post("/admin/batches", data={**FORM, **changes})
    assert response.status_code == 302
    with app.app_context():
        batch = batches.by_number(3)
        assert batch.opens_at == datetime(2026, 4, 1, 1, 0)  # 08.00 WIB is 01.00 UTC
        assert batch.closes_at == datetime(2026, 4, 14, 16, 59)


OPENS_DATE = "Enter the date the batch opens"
CLOSES_DATE = "Enter the date the batch closes"
CLOSES_TIME = "Enter the time the batch closes"


@pytest.mark.parametrize(
    ("changes", "english", "indonesian"),
    [
        (
            {"opens_date": "2026-04-01"},
            "Enter the date the batch opens as day/month/year, for example 01/04/2026",
            "Masukkan tanggal gelombang dibuka sebagai tanggal/bulan/tahun, misalnya 01/04/2026",
        ),
        (
            {"closes_date": "04/31/2026"},
            "The date the batch closes must be a real date, for example 14/04/2026",
            "Tanggal gelombang ditutup harus tanggal yang ada, misalnya 14/04/2026",
        ),
        (
            {"opens_time": "8:00 PM"},
            "Enter the time the batch opens on the 24-hour clock as hours.minutes, "
            "for example 09.00",
            "Masukkan jam gelombang dibuka dalam format 24 jam sebagai jam.menit, misalnya 09.00",
        ),
        (
            {"closes_time": "24.00"},
            "Enter the time the batch closes on the 24-hour clock as hours.minutes, "
            "for example 23.59",
            "Masukkan jam gelombang ditutup dalam format 24 jam sebagai jam.menit, misalnya 23.59",
        ),
        (
            {"opens_date": "01/04/0026"},
            "Enter a date between the years 2000 and 2999.",
            "Masukkan tanggal antara tahun 2000 dan 2999.",
        ),
        ({"opens_date": ""}, "Enter the date the batch opens", "Masukkan tanggal gelombang dibuka"),
        # Spaces are nothing typed, in every box (they once reached the batch as no date: 500).
        ({"opens_date": "  "}, OPENS_DATE, "Masukkan tanggal gelombang dibuka"),
        ({"opens_time": " "}, "Enter the time the batch opens", "Masukkan jam gelombang dibuka"),
        ({"closes_date": " "}, CLOSES_DATE, "Masukkan tanggal gelombang ditutup"),
        ({"closes_time": "\t"}, CLOSES_TIME, "Masukkan jam gelombang ditutup"),
    ],
)
def test_other_dates_and_times_are_refused_with_a_message(
    app, office, changes, english, indonesian
):
    for language, message in (("en", english), ("id", indonesian)):
        office.set_cookie("lang", language)
        response = office.post("/admin/batches", data={**FORM, **changes})
        assert response.status_code == 400
        page = HtmlPage(response.get_data(as_text=True))
        texts = [text for text, _language, _tag in page.texts]
        assert message in texts, (language, texts)
        ((name, typed),) = changes.items()
        box = next(attrs for attrs in page.find_all("input") if attrs.get("name") == name)
        assert box["value"] == typed  # shown back as typed
        assert name in box["aria-describedby"]
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Batch.id))) == 0
