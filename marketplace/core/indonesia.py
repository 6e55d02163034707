"""How the programme writes time, money and places: WIB, whole rupiah, "city, province".

Times are stored in naive UTC; the programme's calendar and clock are Jakarta's. A deadline
given to people falls at the end of a Jakarta day (`end_of_day`, 23.59 WIB), never at the
minute some job happened to run. Money is whole rupiah, written Rp1.000.000 in every
language (as Babel writes IDR in Indonesian). A place is written from its parts, most precise
first, each said once (`place_name`). The web layer's filters and the mails and messages of
the services all use these.
"""

import re
from datetime import UTC, date, datetime, time
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


# The last second of a day: a deadline "until 23.59 WIB" includes the whole of that minute.
END_OF_DAY = time(23, 59, 59)


def start_of_day(moment: datetime) -> datetime:
    """00.00 WIB of the Jakarta day of `moment` (naive means UTC), as naive UTC."""
    return utc_from_jakarta(jakarta_date(moment), 0, 0)


def end_of_day(moment: datetime) -> datetime:
    """23.59.59 WIB of the Jakarta day of `moment` (naive means UTC), as naive UTC.

    Every deadline the programme gives people ends a day: the first purchase "before
    23.59 WIB on 4 January", a batch "open until 23.59 WIB", never "until 00.04 WIB"
    because a job ran four minutes after midnight.
    """
    day = jakarta_date(moment)
    local = datetime.combine(day, END_OF_DAY, tzinfo=JAKARTA)
    return local.astimezone(UTC).replace(tzinfo=None)


def is_end_of_day(moment: datetime) -> bool:
    """Whether `moment` (naive means UTC) is 23.59.59 WIB, the time deadlines fall on."""
    return in_jakarta(moment).time() == END_OF_DAY


# Words that name the kind of a region, not the region: "Kota Bandung" and "Bandung" are one
# place when both are said, "Provinsi Jambi" and "Jambi" too.
_KIND_OF_REGION = re.compile(
    r"^(?:kota administrasi|kota|kabupaten|kab\.|provinsi|daerah istimewa|dki|di)\s+",
    re.IGNORECASE,
)


def _region_key(part: str) -> str:
    words = " ".join(part.split()).casefold()
    return _KIND_OF_REGION.sub("", words)


def place_name(*parts: str | None) -> str:
    """A place written from its parts, most precise first, each said once.

    Every part may itself hold several, separated by commas ("Jl. Merdeka No. 5, Bandung").
    A part is left out when it names a place already said, whatever the kind word before it:
    ("Jl. Merdeka No. 5, Bandung", "Bandung") is "Jl. Merdeka No. 5, Bandung"; ("Kota Jambi",
    "Jambi") is "Kota Jambi"; ("Bandung", "Jawa Barat") is "Bandung, Jawa Barat". Empty
    parts and None are skipped.
    """
    said: list[str] = []
    keys: set[str] = set()
    for part in parts:
        for piece in (part or "").split(","):
            piece = " ".join(piece.split())
            key = _region_key(piece)
            if not key or key in keys:
                continue
            keys.add(key)
            said.append(piece)
    return ", ".join(said)


def rupiah(amount: int) -> str:
    """Whole rupiah written the Indonesian way, Rp1.000.000 (-Rp5.000 below zero).

    Plain string formatting: the catalogue shows dozens of prices per page and Babel's
    general formatter costs far more; tests hold the two equal.
    """
    sign = "-" if amount < 0 else ""
    return f"{sign}Rp{abs(int(amount)):,}".replace(",", ".")
