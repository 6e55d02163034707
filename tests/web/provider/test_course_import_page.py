"""/provider/courses/import: the template explained and downloaded, a file uploaded and
reported on (its refused rows with line, column and reason), the drafts linked, in both
languages; bad files are a 400 saying why; another provider never sees the report."""

import csv
import io
import re

import pytest
import sqlalchemy as sa
from support.course_import_rows import csv_bytes, good_row, lines_of
from support.curation_rows import curation_world
from support.factories import PASSWORD
from support.html_page import HtmlPage

from marketplace.catalogue.models import Course, CourseStatus
from marketplace.core.models import AuditEvent
from marketplace.curation import imports
from marketplace.extensions import db
from marketplace.people.models import Role, User

PAGE = "/provider/courses/import"


@pytest.fixture
def world(app, factory):
    found = curation_world(app, factory)
    found.province = factory.province("32", "Jawa Barat")
    return found


def _sign_in(app, email: str, language: str = "id"):
    client = app.test_client()
    client.set_cookie("lang", language)
    response = client.post("/login", data={"email": email, "password": PASSWORD})
    assert response.status_code == 302, response.get_data(as_text=True)
    return client


def _staff_client(app, world, language: str = "id"):
    with app.app_context():
        email = db.session.get(User, world.staff_id).email
    return _sign_in(app, email, language)


def _upload(client, data: bytes, only_valid: bool = False, name: str = "pelatihan.csv"):
    form = {"file": (io.BytesIO(data), name)}
    if only_valid:
        form["only_valid"] = "y"
    return client.post(PAGE, data=form, content_type="multipart/form-data")


def _courses(app) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(Course))


def _text(response) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)).split())


@pytest.mark.parametrize(
    "language, heading, upload_label",
    [
        ("id", "Impor pelatihan dari berkas CSV", "Impor hanya baris yang valid"),
        ("en", "Import courses from a CSV file", "Import only the valid rows"),
    ],
)
def test_the_page_explains_the_template_in_the_page_language(
    app, world, language, heading, upload_label
):
    client = _staff_client(app, world, language)
    response = client.get(PAGE)
    assert response.status_code == 200
    page = HtmlPage(response.get_data(as_text=True))
    assert page.lang == language
    assert heading in page.title
    text = _text(response)
    assert upload_label in text
    for column in imports.COLUMNS:
        assert f"<code>{column}</code>" in response.get_data(as_text=True)
    assert world.category.slug in text and "jawa-barat" in text
    form = page.find_all("form")
    assert any(f.get("enctype") == "multipart/form-data" for f in form)


def test_the_template_is_utf8_with_a_bom_a_header_and_two_examples(app, world):
    client = _staff_client(app, world)
    response = client.get(f"{PAGE}/template.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    body = response.get_data()
    assert body.startswith(b"\xef\xbb\xbf")
    text = body.decode("utf-8-sig")
    delimiter = ";" if text.splitlines()[0].count(";") > text.splitlines()[0].count(",") else ","
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    assert rows[0] == list(imports.COLUMNS) and len(rows) == 3
    methods = {dict(zip(rows[0], row, strict=True))["method"] for row in rows[1:]}
    assert methods == {"self_paced", "offline"}
    # The template as downloaded imports as it is.
    answer = _upload(client, body)
    assert answer.status_code == 302
    assert _courses(app) == 2


@pytest.mark.parametrize("language", ["id", "en"])
def test_a_file_with_refused_rows_imports_nothing_and_reports_each(app, world, language):
    rows = [
        good_row(1, world.category.slug),
        good_row(2, world.category.slug, price="-5"),
        good_row(3, world.category.slug, title='=HYPERLINK("http://contoh.test","klik")'),
        {**good_row(4, world.category.slug), "category": "tidak-ada"},
    ]
    lines = lines_of(rows)
    client = _staff_client(app, world, language)
    response = _upload(client, csv_bytes(rows))
    assert response.status_code == 400
    assert _courses(app) == 0
    page = HtmlPage(response.get_data(as_text=True))
    text = _text(response)
    if language == "id":
        assert "Tidak ada yang diimpor" in text
        assert "Ketik harga dalam rupiah bulat" in text
        assert "3 baris ditolak" in text
    else:
        assert "Nothing was imported" in text
        assert "Type the price in whole rupiah" in text
        assert "3 rows refused" in text
    cells = [t for t, _lang, tag in page.texts if tag in ("td", "code")]
    for line, column in ((lines[1], "price"), (lines[2], "title"), (lines[3], "category")):
        assert str(line) in cells and column in cells
    assert "tidak-ada" in text  # the unknown slug is named
    assert "=HYPERLINK" not in response.get_data(as_text=True)  # nothing echoes the formula


@pytest.mark.parametrize(
    "language, words",
    [
        (
            "id",
            (
                "3 pelatihan diimpor sebagai draf.",
                "1 baris ditolak",
                "tulis paling sedikit 5 soal",
                "Laporan impor",
            ),
        ),
        (
            "en",
            (
                "3 courses were imported as drafts.",
                "1 row refused",
                "write at least 5 questions",
                "Import report",
            ),
        ),
    ],
)
def test_the_valid_rows_are_imported_when_asked_and_the_report_links_the_drafts(
    app, world, language, words
):
    rows = [good_row(n, world.category.slug) for n in range(3)]
    rows.insert(1, good_row(9, world.category.slug, pass_mark="0"))
    client = _staff_client(app, world, language)
    response = _upload(client, csv_bytes(rows), only_valid=True)
    assert response.status_code == 302
    report_url = response.headers["Location"]
    assert re.fullmatch(r"/provider/courses/import/[A-Za-z0-9_-]{22}", report_url)
    with app.app_context():
        made = db.session.scalars(sa.select(Course).order_by(Course.id)).all()
        assert [course.status for course in made] == [CourseStatus.DRAFT] * 3
        ids = [course.id for course in made]
    report = client.get(report_url)
    assert report.status_code == 200
    text = _text(report)
    flashed, refused, needed, heading = words
    assert flashed in text and refused in text and needed in text and "pass_mark" in text
    page = HtmlPage(report.get_data(as_text=True))
    assert page.lang == language and heading in page.title
    html = report.get_data(as_text=True)
    for course_id in ids:
        assert f'href="/provider/courses/{course_id}"' in html
    # A reload of the report changes nothing.
    assert client.get(report_url).status_code == 200
    assert _courses(app) == 3


def test_another_provider_cant_see_the_report_nor_the_drafts(app, world, factory):
    client = _staff_client(app, world)
    response = _upload(client, csv_bytes([good_row(1, world.category.slug)]))
    report_url = response.headers["Location"]
    rival = factory.provider(name="LPK Saingan")
    rival_staff = factory.user(Role.PROVIDER, provider=rival)
    other = _sign_in(app, rival_staff.email)
    assert other.get(report_url).status_code == 404
    with app.app_context():
        course_id = db.session.scalar(sa.select(Course.id))
    assert other.get(f"/provider/courses/{course_id}").status_code == 404
    assert other.get(f"{PAGE}/{'A' * 22}").status_code == 404
    # The page's own lembaga only: the rival imports its own drafts, never into the other.
    answer = _upload(other, csv_bytes([good_row(2, world.category.slug)]))
    assert answer.status_code == 302
    with app.app_context():
        owners = db.session.scalars(sa.select(Course.provider_id).order_by(Course.id)).all()
    assert owners == [world.provider_id, rival.id]
    # Neither a participant, the office nor a visitor reaches the pages.
    participant = _sign_in(app, factory.user(Role.PARTICIPANT).email)
    office = _sign_in(app, factory.user(Role.ADMIN).email)
    visitor = app.test_client()
    for path in (PAGE, f"{PAGE}/template.csv", report_url):
        assert participant.get(path).status_code == 403
        assert office.get(path).status_code == 403
        answer = visitor.get(path)
        assert answer.status_code == 302 and "/login" in answer.headers["Location"]


@pytest.mark.parametrize(
    "data, id_words, en_words",
    [
        ("Café,Señor\n".encode("latin-1"), "bukan UTF-8", "not in UTF-8"),
        ("title,x\n".encode("utf-16"), "UTF-16", "UTF-16"),
        (b"PK\x03\x04\x14\x00", ".xlsx", ".xlsx"),
        (b"title,harga\r\nA,1\r\n", "harga", "harga"),
        (b"", "tidak berisi pelatihan", "holds no course"),
    ],
)
def test_a_bad_file_is_a_400_naming_the_problem(app, world, data, id_words, en_words):
    for language, words in (("id", id_words), ("en", en_words)):
        client = _staff_client(app, world, language)
        response = _upload(client, data)
        assert response.status_code == 400
        assert words in _text(response)
    assert _courses(app) == 0


def test_no_file_or_a_too_large_one_is_a_400(app, world):
    client = _staff_client(app, world, "en")
    response = client.post(PAGE, data={"only_valid": "y"})
    assert response.status_code == 400
    assert "Choose the CSV file to import." in _text(response)
    big = b"title\n" + b"x" * imports.MOST_BYTES
    response = _upload(client, big)
    assert response.status_code == 400
    assert "larger than 5 MB" in _text(response)
    # A body beyond the upload limit is refused before it is read.
    huge = b"x" * (app.config["UPLOAD_MAX_CONTENT_LENGTH"] + 1)
    assert _upload(client, huge).status_code == 413


def test_the_import_is_audited_once_with_its_report(app, world):
    client = _staff_client(app, world)
    _upload(client, csv_bytes([good_row(1, world.category.slug)]))
    with app.app_context():
        actions = db.session.scalars(sa.select(AuditEvent.action).order_by(AuditEvent.id)).all()
        assert actions.count("course.imported") == 1
        assert actions.count("course.created") == 1
