"""How the programme writes time and money: Western Indonesia Time (WIB) and whole rupiah.

Times are stored in naive UTC; the programme's calendar and clock are Jakarta's. Money is
whole rupiah, written Rp1.000.000 in every language (as Babel writes IDR in Indonesian).
The web layer's filters and the mails and messages of the services all use these.
"""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

JAKARTA = ZoneInfo("Asia/Jakarta")


def in_jakarta(moment: datetime) -> datetime:
    """A time (naive means UTC) as Jakarta's clock shows it (an aware datetime)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(JAKARTA)


def jakarta_date(moment: datetime) -> date:
    """The Jakarta calendar day of a time (naive means UTC)."""
    return in_jakarta(moment).date()


def jakarta_today() -> date:
    """Today's date in Western Indonesia Time, the programme's calendar."""
    return datetime.now(JAKARTA).date()


def utc_from_jakarta(day: date, hours: int, minutes: int) -> datetime:
    """The naive UTC time of a Jakarta day and clock time (as the office types them)."""
    local = datetime(day.year, day.month, day.day, hours, minutes, tzinfo=JAKARTA)
    return local.astimezone(UTC).replace(tzinfo=None)


def rupiah(amount: int) -> str:
    """Whole rupiah written the Indonesian way, Rp1.000.000 (-Rp5.000 below zero).

    Plain string formatting: the catalogue shows dozens of prices per page and Babel's
    general formatter costs far more; tests hold the two equal.
    """
    sign = "-" if amount < 0 else ""
    return f"{sign}Rp{abs(int(amount)):,}".replace(",", ".")
