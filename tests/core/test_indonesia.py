"""The programme's one Jakarta zone and one way of writing rupiah (core/indonesia.py)."""

from datetime import UTC, date, datetime, timedelta

import pytest
from babel.numbers import format_decimal

from marketplace.core import indonesia
from marketplace.money import ledger
from marketplace.web import formatting


@pytest.mark.parametrize("amount", [0, 7, 1_000, 150_500, 1_000_000, 2_750_000_000, -5_000])
def test_rupiah_is_written_as_babel_writes_indonesian_numbers(amount):
    sign = "-" if amount < 0 else ""
    assert indonesia.rupiah(amount) == f"{sign}Rp{format_decimal(abs(amount), locale='id')}"


def test_the_web_and_the_services_write_rupiah_the_same_way():
    assert formatting.rupiah(1_000_000) == ledger.rupiah(1_000_000) == "Rp1.000.000"
    assert formatting.rupiah(None) == ""


def test_a_jakarta_day_starts_at_17_00_utc():
    assert indonesia.jakarta_date(datetime(2025, 8, 16, 16, 59)) == date(2025, 8, 16)
    assert indonesia.jakarta_date(datetime(2025, 8, 16, 17, 0)) == date(2025, 8, 17)
    aware = datetime(2025, 8, 16, 17, 0, tzinfo=UTC)
    assert (
        indonesia.in_jakarta(aware).hour == 0
        and indonesia.in_jakarta(aware).tzinfo is indonesia.JAKARTA
    )


def test_a_jakarta_clock_time_is_stored_in_utc():
    stored = indonesia.utc_from_jakarta(date(2025, 8, 17), 9, 0)
    assert stored == datetime(2025, 8, 17, 2, 0) and stored.tzinfo is None
    assert indonesia.in_jakarta(stored).strftime("%d %H:%M") == "17 09:00"


# --- deadlines end a day -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("moment", "end"),
    [
        # 00.04 WIB on 6 December: the same Jakarta day ends 23.59.59 WIB (16.59.59 UTC).
        (datetime(2026, 12, 5, 17, 4), datetime(2026, 12, 6, 16, 59, 59)),
        # 23.59.59 WIB is already the end of its day.
        (datetime(2026, 12, 6, 16, 59, 59), datetime(2026, 12, 6, 16, 59, 59)),
        # 03.54 WIB on 6 December (20.54 UTC the day before in UTC's calendar).
        (datetime(2026, 12, 5, 20, 54, 6, 26132), datetime(2026, 12, 6, 16, 59, 59)),
    ],
)
def test_end_of_day_is_23_59_59_wib_of_the_jakarta_day(moment, end):
    assert indonesia.end_of_day(moment) == end
    assert indonesia.is_end_of_day(end)
    assert indonesia.in_jakarta(end).strftime("%H.%M") == "23.59"
    assert indonesia.start_of_day(moment) == end - timedelta(hours=23, minutes=59, seconds=59)


def test_only_the_last_second_of_a_day_is_the_end_of_it():
    assert not indonesia.is_end_of_day(datetime(2026, 12, 5, 17, 4))
    assert not indonesia.is_end_of_day(datetime(2026, 12, 6, 16, 59))
    assert indonesia.start_of_day(datetime(2026, 12, 5, 17, 4)) == datetime(2026, 12, 5, 17, 0)


# --- places are said once ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("parts", "written"),
    [
        (("Jl. Melati No. 11, Bandung", "Bandung"), "Jl. Melati No. 11, Bandung"),
        (("Bandung", "Bandung"), "Bandung"),
        (("Bandung", "Jawa Barat"), "Bandung, Jawa Barat"),
        (("Kota Bandung", "Jawa Barat"), "Kota Bandung, Jawa Barat"),
        (("Kota Jambi", "Jambi"), "Kota Jambi"),
        (("Jambi", "Provinsi Jambi"), "Jambi"),
        (("Yogyakarta", "DI Yogyakarta"), "Yogyakarta"),
        (("Jakarta Pusat", "DKI Jakarta"), "Jakarta Pusat, DKI Jakarta"),
        (("Jl. Bandung No. 3, Bandung", "bandung "), "Jl. Bandung No. 3, Bandung"),
        (("Zoom Meeting", None), "Zoom Meeting"),
        ((None, "", " ,  "), ""),
    ],
)
def test_a_place_names_each_of_its_parts_once(parts, written):
    assert indonesia.place_name(*parts) == written
