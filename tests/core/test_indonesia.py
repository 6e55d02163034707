"""The programme's one Jakarta zone and one way of writing rupiah (core/indonesia.py)."""

from datetime import UTC, date, datetime

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
