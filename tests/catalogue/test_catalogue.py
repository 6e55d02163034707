"""The catalogue: search, filters, sorting, pages, the course page, and bad input."""

from datetime import timedelta

import pytest

from marketplace.catalogue.models import CourseStatus, Method
from marketplace.core.base import utcnow
from marketplace.extensions import db


@pytest.fixture
def shelf(factory):
    """A small catalogue with two categories, two providers, every method and status."""
    it = factory.category("Teknologi Informasi", "Information Technology")
    sales = factory.category("Penjualan dan Pemasaran", "Sales and Marketing")
    jakarta = factory.province("31", "DKI Jakarta")
    bandung_province = factory.province("32", "Jawa Barat")
    tokped = factory.platform("Tokopedia")
    pintaria = factory.platform("Pintaria")
    cahaya = factory.provider("LPK Cahaya Mandiri", platform=tokped, province=jakarta)
    bina = factory.provider("Lembaga Kursus Bina Terampil", platform=pintaria)
    courses = {
        "excel": factory.course(
            "Microsoft Excel untuk Administrasi Kantor",
            provider=cahaya,
            category=it,
            price=300_000,
            rating_avg=4.8,
            rating_count=120,
            enrolment_count=900,
        ),
        "python": factory.course(
            "Pemrograman Python Dasar",
            provider=bina,
            category=it,
            price=750_000,
            rating_avg=4.2,
            rating_count=30,
            enrolment_count=50,
            published_at=utcnow() + timedelta(days=1),
        ),
        "marketing": factory.course(
            "Strategi Pemasaran Digital untuk UMKM",
            provider=cahaya,
            category=sales,
            price=150_000,
            method=Method.WEBINAR,
            sessions=2,
            rating_avg=3.9,
            rating_count=12,
            enrolment_count=400,
        ),
        "kafe": factory.course(
            "Manajemen Kafé dan Penjualan Kopi",
            provider=bina,
            category=sales,
            price=500_000,
            method=Method.OFFLINE,
            province=bandung_province,
            city="Bandung",
            sessions=1,
            description="Belajar mengelola kafé kecil.\n\nTermasuk praktik menyeduh.",
        ),
        "draft": factory.course(
            "Excel Lanjutan Rahasia", provider=bina, category=it, status=CourseStatus.DRAFT
        ),
        "rejected": factory.course(
            "Excel Ditolak", provider=bina, category=it, status=CourseStatus.REJECTED
        ),
    }
    return courses


def titles(response) -> str:
    return response.get_data(as_text=True)


def test_lists_only_approved_courses_with_count(client, shelf):
    html = titles(client.get("/courses"))
    assert "4 pelatihan ditemukan" in html
    assert "Microsoft Excel untuk Administrasi Kantor" in html
    assert "Excel Lanjutan Rahasia" not in html
    assert "Excel Ditolak" not in html


@pytest.mark.parametrize(
    ("query", "expected", "absent"),
    [
        ("excel", "Microsoft Excel", "Pemrograman Python"),
        ("EXCEL", "Microsoft Excel", "Pemrograman Python"),
        ("pemasar", "Strategi Pemasaran Digital", "Microsoft Excel"),
        ("kafe", "Manajemen Kafé", "Microsoft Excel"),
        ("kafé", "Manajemen Kafé", "Microsoft Excel"),
        ("cahaya mandiri", "Microsoft Excel", "Pemrograman Python"),  # provider name
        ("information technology", "Pemrograman Python", "Strategi Pemasaran"),  # category
        ("menyeduh", "Manajemen Kafé", "Microsoft Excel"),  # description
    ],
)
def test_search_is_prefix_case_and_accent_insensitive(client, shelf, query, expected, absent):
    html = titles(client.get("/courses", query_string={"q": query}))
    assert expected in html
    assert absent not in html


def test_search_ranks_title_matches_first(client, factory, shelf):
    factory.course(
        "Kelas Akuntansi",
        description="Termasuk sedikit latihan excel.\n\nPenutup.",
        enrolment_count=10_000,
    )
    html = titles(client.get("/courses", query_string={"q": "excel"}))
    assert html.index("Microsoft Excel untuk Administrasi") < html.index("Kelas Akuntansi")


@pytest.mark.parametrize(
    ("params", "present", "absent"),
    [
        (
            {"category": "teknologi-informasi"},
            ["Microsoft Excel", "Pemrograman Python"],
            ["Strategi Pemasaran"],
        ),
        ({"method": "webinar"}, ["Strategi Pemasaran"], ["Microsoft Excel"]),
        ({"platform": "pintaria"}, ["Pemrograman Python", "Manajemen Kaf"], ["Microsoft Excel"]),
        (
            {"provider": "lpk-cahaya-mandiri"},
            ["Microsoft Excel", "Strategi Pemasaran"],
            ["Pemrograman Python"],
        ),
        ({"province": "jawa-barat"}, ["Manajemen Kaf"], ["Microsoft Excel"]),
        (
            {"min_price": "200000", "max_price": "500000"},
            ["Microsoft Excel", "Manajemen Kaf"],
            ["Strategi Pemasaran", "Pemrograman Python"],
        ),
        ({"min_rating": "4.5"}, ["Microsoft Excel"], ["Pemrograman Python"]),
        (
            {"q": "excel", "category": "teknologi-informasi", "method": "self_paced"},
            ["Microsoft Excel"],
            ["Pemrograman Python", "Strategi Pemasaran"],
        ),
        (
            {"q": "pemasaran", "provider": "lpk-cahaya-mandiri", "max_price": "200000"},
            ["Strategi Pemasaran"],
            ["Microsoft Excel"],
        ),
        ({"q": "excel", "method": "webinar"}, [], ["Microsoft Excel"]),
    ],
)
def test_filters_combine(client, shelf, params, present, absent):
    response = client.get("/courses", query_string=params)
    assert response.status_code == 200
    html = titles(response)
    for title in present:
        assert title in html
    for title in absent:
        assert title not in html


@pytest.mark.parametrize(
    ("sort", "order"),
    [
        ("popular", ["Microsoft Excel", "Strategi Pemasaran", "Pemrograman Python"]),
        ("rating", ["Microsoft Excel", "Pemrograman Python", "Strategi Pemasaran"]),
        (
            "price_asc",
            ["Strategi Pemasaran", "Microsoft Excel", "Manajemen Kaf", "Pemrograman Python"],
        ),
        (
            "price_desc",
            ["Pemrograman Python", "Manajemen Kaf", "Microsoft Excel", "Strategi Pemasaran"],
        ),
        ("newest", ["Pemrograman Python", "Microsoft Excel"]),
    ],
)
def test_sorts(client, shelf, sort, order):
    html = titles(client.get("/courses", query_string={"sort": sort}))
    positions = [html.index(title) for title in order]
    assert positions == sorted(positions)


def test_form_shows_current_choices(client, shelf):
    html = titles(
        client.get(
            "/courses",
            query_string={
                "q": "excel",
                "category": "teknologi-informasi",
                "sort": "price_asc",
                "min_price": "1000",
            },
        )
    )
    assert 'value="excel"' in html
    assert '<option value="teknologi-informasi" selected>' in html
    assert '<option value="price_asc" selected>' in html
    assert 'value="1000"' in html


def test_pagination_keeps_filters(client, factory):
    category = factory.category("Kuliner", "Culinary")
    for n in range(45):
        factory.course(f"Kue Kering Nomor {n}", category=category, enrolment_count=n)
    first = titles(client.get("/courses", query_string={"category": "kuliner"}))
    assert "45" in first
    assert "category=kuliner" in first and "page=2" in first
    third = client.get("/courses", query_string={"category": "kuliner", "page": "3"})
    assert third.status_code == 200
    assert third.get_data(as_text=True).count('class="course-card"') == 5


def test_empty_state_suggests_what_to_loosen(client, shelf):
    html = titles(client.get("/courses", query_string={"q": "excel", "method": "offline"}))
    assert 'href="/courses?q=excel"' in html  # remove the method filter
    assert "/courses?method=offline" in html  # search without words


@pytest.mark.parametrize(
    "params",
    [
        {"category": "tidak-ada"},
        {"method": "teleport"},
        {"sort": "random"},
        {"platform": "x"},
        {"provider": "<script>"},
        {"province": "99"},
        {"min_price": "-1"},
        {"max_price": "abc"},
        {"min_price": "1e5"},
        {"min_price": "500000", "max_price": "100000"},
        {"min_rating": "6"},
        {"page": "0"},
        {"page": "-1"},
        {"page": "abc"},
        {"page": "99999999999999999999999"},
        {"q": "a" * 5000},
    ],
)
def test_bad_input_gets_a_400_with_a_message(client, shelf, params):
    response = client.get("/courses", query_string=params)
    assert response.status_code == 400
    html = titles(response)
    assert "error-summary" in html
    assert 'class="course-card"' not in html


def test_page_past_the_end_is_404_with_message(client, shelf):
    response = client.get("/courses", query_string={"page": str(10**9)})
    assert response.status_code == 404
    assert "1" in titles(response)


@pytest.mark.parametrize(
    "query",
    [
        '"',
        "*",
        "NEAR(",
        "OR",
        "-",
        "excel OR",
        "AND NOT",
        "a:b",
        "title:excel",
        "{title}",
        "'; DROP TABLE course; --",
        "(((",
        "^excel",
        "excel*",
        "\\",
        "%",
        "_",
        "😀",
        "\x00",
    ],
)
def test_search_syntax_never_reaches_the_engine(client, shelf, query):
    response = client.get("/courses", query_string={"q": query})
    assert response.status_code in (200, 400)
    assert "Traceback" not in titles(response)


def test_course_page_shows_everything(client, shelf):
    course = shelf["marketing"]
    html = titles(client.get(f"/courses/{course.slug}"))
    for text in (
        "Strategi Pemasaran Digital untuk UMKM",
        "LPK Cahaya Mandiri",
        "Tokopedia",
        "Rp150.000",
        "Modul 1",
        "Modul 2",
        "Memahami dasar",
        "WIB",
        "3,9",
    ):
        assert text in html, text
    assert "Beli dengan Kartu Prakerja" in html
    assert "/login?next=/courses/" in html
    assert "Sisa kursi" in html or "Seats left" in html


def test_course_page_hides_past_and_cancelled_sessions(client, factory, shelf):
    course = shelf["kafe"]
    factory.session(course, utcnow() - timedelta(days=1), hours=2, place="Aula Lama", capacity=10)
    html = titles(client.get(f"/courses/{course.slug}"))
    assert "Aula Lama" not in html


def test_unlisted_course_pages_are_404(client, shelf):
    assert client.get(f"/courses/{shelf['draft'].slug}").status_code == 404
    assert client.get("/courses/does-not-exist").status_code == 404
    assert client.get("/courses/" + "x" * 5000).status_code == 404


def test_archiving_removes_a_course_from_search(app, client, shelf):
    from marketplace.catalogue import search

    course = shelf["excel"]
    with app.app_context():
        db.session.get(type(course), course.id).status = CourseStatus.ARCHIVED
        search.index_courses([course.id])
        db.session.commit()
    assert "Microsoft Excel untuk" not in titles(client.get("/courses?q=excel"))


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"page": "abc"}, "Nomor halaman harus bilangan bulat"),
        ({"min_price": "abc"}, "Masukkan harga terendah sebagai bilangan bulat"),
        ({"max_price": "1000000000"}, "Harga tertinggi paling tinggi Rp100.000.000"),
    ],
)
def test_each_bad_field_gets_exactly_one_message(client, shelf, params, message):
    html = client.get("/courses", query_string=params).get_data(as_text=True)
    assert html.count('<li><a href="#') == 1
    assert message in html


def test_error_summary_links_reach_a_target(client, shelf):
    html = client.get("/courses", query_string={"page": "abc"}).get_data(as_text=True)
    assert 'href="#page"' in html and 'id="page"' in html


def test_search_results_page_and_count_beyond_one_page(client, factory):
    category = factory.category("Kuliner", "Culinary")
    for n in range(25):
        factory.course(f"Kue Basah Resep {n}", category=category)
    factory.course("Fotografi Produk")
    first = client.get("/courses", query_string={"q": "kue"}).get_data(as_text=True)
    assert "25 pelatihan ditemukan" in first
    assert first.count('class="course-card"') == 20
    second = client.get("/courses", query_string={"q": "kue", "page": "2"})
    assert second.get_data(as_text=True).count('class="course-card"') == 5
    assert client.get("/courses", query_string={"q": "kue", "page": "3"}).status_code == 404
    few = client.get("/courses", query_string={"q": "fotografi"}).get_data(as_text=True)
    assert "1 pelatihan ditemukan" in few


def test_a_refused_value_is_shown_back_as_typed(client, shelf):
    html = client.get("/courses", query_string={"max_price": "abc"}).get_data(as_text=True)
    assert 'name="max_price" type="text" inputmode="numeric" value="abc"' in html
