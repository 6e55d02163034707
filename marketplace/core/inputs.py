"""What people type, read one way everywhere: whole numbers and text.

Every whole number that arrives in a request (a page, a price, an id, a session chosen on a
form, an order number typed into a search) is read by `whole_number`, or by `read_number`
where the caller words each refusal itself: ASCII digits only, and a bounded count of them.
`str.isdigit()` is not enough: it is true for "²", which `int()` refuses, and for "٣",
which `int()` reads as 3; and a 400-digit number overflows SQLite's INTEGER and WTForms'
float comparisons.

Text is refused when it holds a control character (`control_character`): PostgreSQL
refuses NUL in text outright, SQLite would store it and mail it, and no person types one.
Tab, line feed and carriage return are kept: a textarea sends them.

The web layer applies both where a request enters (web/inputs.py refuses control
characters in the path, the query and the form before any view runs); services use
`whole_number` when they read a number out of free text.
"""

import re

# C0 controls but tab, LF and CR; DEL; the C1 controls; and the bidirectional overrides and
# isolates (U+202A-U+202E, U+2066-U+2069), which make a name or a reason read differently
# from what it holds ("Trojan Source"). Zero-width joiners stay: emoji and scripts use them.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def control_character(text: str) -> str | None:
    """The first control character in `text` (NUL, escape, DEL, ...), or None."""
    found = _CONTROL.search(text)
    return found.group() if found else None


# What a spreadsheet runs as a formula when a cell starts with it: = and @ always; + and -
# unless a space follows, so that list items ("- Mencatat transaksi") stay while "+cmd|..."
# and "-2+3+cmd|..." do not. Files the site writes guard every such cell too, with an
# apostrophe.
_FORMULA = re.compile(r"\s*(?:[=@]|[+\-](?!\s))")


def formula_like(text: str) -> bool:
    """Whether `text` would be read as a formula by a spreadsheet (see _FORMULA)."""
    return bool(_FORMULA.match(text or ""))


def read_number(
    raw: str | None, *, max_digits: int, negative: bool = False, thousands: bool = False
) -> int | None:
    """`raw` read as a whole number of at most `max_digits` digits, or None.

    Surrounding spaces are ignored. With `thousands`, dots are accepted as the Indonesian
    thousands separator ("100.000"); with `negative`, a leading minus sign is read, so that
    a caller can say "can't be below 0" rather than "not a number". Nothing longer than
    `max_digits` is converted.
    """
    if raw is None:
        return None
    text = raw.strip()
    sign = 1
    if negative and text.startswith("-"):
        sign, text = -1, text[1:]
    if thousands:
        text = text.replace(".", "")
    if not text or len(text) > max_digits or not (text.isascii() and text.isdigit()):
        return None
    return sign * int(text)


def whole_number(raw: str | None, *, highest: int, lowest: int = 0) -> int | None:
    """`raw` as a whole number from `lowest` to `highest` (ASCII digits only), or None."""
    value = read_number(raw, max_digits=len(str(highest)))
    return value if value is not None and lowest <= value <= highest else None
