"""The holder's name at the bank against the KTP name (incentives/names.py): what is the
same name written otherwise, and what is another person."""

import pytest

from marketplace.incentives.names import comparable, name_parts, same_person

SAME = [
    # (the name at the bank or e-wallet, the name on the KTP)
    ("BUDI SANTOSO", "Budi Santoso"),
    ("budi  santoso ", "Budi Santoso"),
    ("SITI NURHAYATI", "Siti Nur Hayati"),
    ("NUR HAYATI", "Nurhayati"),
    ("NURUL HUDA", "Nurulhuda"),
    ("MUH RIZKI PRATAMA", "Muhammad Rizki Pratama"),
    ("MOH. RIZKI PRATAMA", "Mohammad Rizki Pratama"),
    ("MHD RIZKI", "Muhammad Rizki"),
    ("M. RIZKI", "Muhammad Rizki"),
    ("MOCHAMAD RIZKI", "Muhammad Rizki"),
    ("Muh.Rizki", "MUHAMMAD RIZKI"),
    ("ABD. WAHAB", "Abdul Wahab"),
    ("ABDURRAHMAN WAHID", "Abdul Rahman Wahid"),
    ("ST. AMINAH", "Siti Aminah"),
    ("HJ. SITI AMINAH", "Siti Aminah"),
    ("Hj.Siti Aminah", "SITI AMINAH"),
    ("IR. H. JOKO WIDODO", "Joko Widodo"),
    ("Bapak Agus Salim", "AGUS SALIM"),
    ("DR. DEWI LESTARI, S.KOM., M.M.", "Dewi Lestari"),
    ("Dewi Lestari SE", "DEWI LESTARI"),
    ("MA'RUF AMIN", "Maruf Amin"),
    ("Ma’ruf Amin", "MA'RUF AMIN"),
    ("I GUSTI AYU KETUT", "I Gusti Ayu Ketut"),
    ("JOSÉ RIZAL", "Jose Rizal"),
    ("SRI-WAHYUNI", "Sri Wahyuni"),
]

DIFFERENT = [
    ("BUDI SANTOSO", "Budi Susanto"),  # another spelling is another name
    ("B. SANTOSO", "Budi Santoso"),  # an initial is not a name
    ("SITI AMINAH", "Siti Nur Aminah"),  # a word missing
    ("BUDI SANTOSO PUTRA", "Budi Santoso"),  # a word more
    ("SANTOSO BUDI", "Budi Santoso"),  # another order
    ("BUDIAN A", "Budi Ana"),  # the letters alike, the spaces elsewhere
    ("NURUL HAYATI", "Nur Hayati"),
    ("MUHAMMAD RIZKI", "Ahmad Rizki"),
    ("ABDUL WAHAB", "Abdul Wahid"),
    ("AGUS SALIM", "Agus Salim Harahap"),
    ("DEWI", "Dewi Lestari"),
    ("SITI AMINAH", "Aminah"),  # "Siti" is a name, not a title
    ("", "Budi Santoso"),
    ("DR.", "Budi Santoso"),
]


@pytest.mark.parametrize(("holder", "ktp"), SAME)
def test_the_same_name_written_otherwise_matches(holder, ktp):
    check = same_person(holder, ktp)
    assert check.matches, (holder, ktp, comparable(holder), comparable(ktp))
    assert check.reason
    assert same_person(ktp, holder).matches  # whichever side is which


@pytest.mark.parametrize(("holder", "ktp"), DIFFERENT)
def test_another_name_does_not_match(holder, ktp):
    check = same_person(holder, ktp)
    assert not check.matches, (holder, ktp, comparable(holder), comparable(ktp))
    assert not check
    assert not same_person(ktp, holder).matches


def test_the_reasons_say_what_was_set_aside():
    assert same_person("Budi Santoso", "Budi Santoso").reason == "the same name"
    assert "capitals" in same_person("BUDI SANTOSO", "Budi Santoso").reason
    assert "abbreviations" in same_person("MUH RIZKI", "Muhammad Rizki").reason
    assert same_person("Budi", "Ani").reason == "the names differ"
    assert same_person("  ", "Ani").reason == "a name is missing"


def test_titles_are_set_aside_only_where_titles_stand():
    # A degree after the name, a title before it; "St." first is Siti, "S.T." last a degree.
    assert name_parts("St. Aminah") == ["siti", "aminah"]
    assert name_parts("Aminah, S.T.") == ["aminah"]
    assert name_parts("H.") == ["h"]  # a title alone is kept: something is left to compare
    assert name_parts("Budi Santoso, Jakarta") == ["budi", "santoso", "jakarta"]
