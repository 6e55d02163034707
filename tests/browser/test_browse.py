"""Browsing the catalogue in a real browser: search, filters, pages, a course, the language."""

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import expect

IT = "teknologi-informasi"


def query(url: str) -> dict[str, list[str]]:
    """The query string of a URL as a dict, without empty values."""
    return parse_qs(urlsplit(url).query)


def path_and_query(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}" if parts.query else parts.path


def card_titles(page) -> list[str]:
    return page.locator(".course-card__title").all_inner_texts()


@pytest.mark.browser
def test_search_from_the_home_page(page, shelf):
    page.goto("/")
    box = page.get_by_label("Apa yang ingin Anda pelajari?")
    box.fill("excel")
    page.locator(".hero__search").get_by_role("button", name="Cari pelatihan").click()

    page.wait_for_url(re.compile(r"/courses\?q=excel$"))
    expect(page.get_by_role("link", name="Microsoft Excel untuk Pemula")).to_be_visible()
    assert card_titles(page) == ["Microsoft Excel untuk Pemula"]
    expect(page.locator(".results__count")).to_have_text("1 pelatihan ditemukan")
    expect(page.locator("form.filters").get_by_label("Cari pelatihan")).to_have_value("excel")
    expect(page.locator("#header-q")).to_have_count(0)  # the catalogue's own search is enough
    expect(page).to_have_title(re.compile(r"excel"))


@pytest.mark.browser
def test_filter_by_category_and_method_then_clear(page, shelf):
    page.goto("/courses")
    expect(page.locator(".course-card")).to_have_count(20)
    page.get_by_label("Kategori", exact=True).select_option(label="Teknologi Informasi")
    page.get_by_label("Metode pelatihan").select_option(label="Webinar")
    page.get_by_role("button", name="Tampilkan pelatihan").click()

    page.wait_for_url(re.compile(r"category=teknologi-informasi&method=webinar"))
    params = query(page.url)
    assert params["category"] == [IT] and params["method"] == ["webinar"]
    expect(page.locator(".results__count")).to_have_text(f"{shelf.it_webinars} pelatihan ditemukan")
    cards = page.locator(".course-card")
    expect(cards).to_have_count(20)
    for meta in page.locator(".course-card__meta").all_inner_texts():
        assert "Webinar" in meta and "Teknologi Informasi" in meta, meta
    titles = card_titles(page)
    assert all(title.startswith("Jaringan Komputer Seri") for title in titles), titles
    expect(page.get_by_label("Kategori", exact=True)).to_have_value(IT)
    expect(page.get_by_label("Metode pelatihan")).to_have_value("webinar")

    page.get_by_role("link", name="Hapus saringan").click()
    page.wait_for_url(re.compile(r"/courses$"))
    expect(page.get_by_label("Kategori", exact=True)).to_have_value("")
    expect(page.get_by_label("Metode pelatihan")).to_have_value("")
    expect(page.locator(".results__count")).to_have_text(f"{shelf.total} pelatihan ditemukan")


@pytest.mark.browser
def test_pages_keep_the_filters(page, shelf):
    page.goto(f"/courses?category={IT}&method=webinar")
    pagination = page.locator("nav.pagination")
    expect(pagination.locator("[aria-current=page]")).to_have_text("1")

    pagination.get_by_role("link", name="Berikutnya").click()
    page.wait_for_url(re.compile(r"page=2"))
    params = query(page.url)
    assert params["page"] == ["2"]
    assert params["category"] == [IT] and params["method"] == ["webinar"]
    expect(page.locator(".course-card")).to_have_count(shelf.it_webinars - 20)
    expect(page.locator(".results__head")).to_contain_text(f"21–{shelf.it_webinars}")
    expect(pagination.locator("[aria-current=page]")).to_have_text("2")
    expect(page.get_by_label("Kategori", exact=True)).to_have_value(IT)
    expect(page.get_by_label("Metode pelatihan")).to_have_value("webinar")
    first_of_page_two = card_titles(page)

    pagination.get_by_role("link", name="Sebelumnya").click()
    page.wait_for_url(re.compile(r"page=1"))
    expect(page.locator(".course-card")).to_have_count(20)

    pagination.get_by_role("link", name="2", exact=True).click()
    page.wait_for_url(re.compile(r"page=2"))
    assert query(page.url)["category"] == [IT]
    assert card_titles(page) == first_of_page_two


@pytest.mark.browser
def test_course_page_from_the_results(page, shelf):
    page.goto("/courses?q=excel")
    page.get_by_role("link", name="Microsoft Excel untuk Pemula").click()
    page.wait_for_url(f"**/courses/{shelf.excel.slug}")

    expect(page.get_by_role("heading", level=1)).to_have_text("Microsoft Excel untuk Pemula")
    price = page.locator(".buy-box__price")
    expect(price).to_have_text("Rp350.000")
    assert re.fullmatch(r"Rp\d{1,3}(\.\d{3})+", price.inner_text())
    expect(page.locator(".modules li")).to_have_count(3)
    expect(page.locator(".modules")).to_contain_text("Modul 1")

    buy = page.get_by_role("link", name="Beli dengan Kartu Prakerja")
    expect(buy).to_be_visible()
    buy.click()
    page.wait_for_url(re.compile(r"/login\?next="))
    assert urlsplit(page.url).path == "/login"
    assert query(page.url)["next"] == [f"/checkout/{shelf.excel.slug}"]  # then the purchase
    expect(page.locator("input[name=next]")).to_have_value(f"/checkout/{shelf.excel.slug}")


@pytest.mark.browser
def test_webinar_sessions_are_shown_in_wib(page, shelf):
    page.goto(f"/courses/{shelf.webinar.slug}")
    expect(page.locator(".buy-box__price")).to_have_text("Rp1.250.000")
    rows = page.locator("#sessions tbody tr")
    expect(rows).to_have_count(2)
    for row in rows.all_inner_texts():
        assert re.search(r"\d{2}\.\d{2} WIB – \d{2}\.\d{2} WIB", row), row
        assert "Zoom Meeting" in row


@pytest.mark.browser
def test_switching_language_keeps_the_page(page, shelf):
    start = "/courses?q=jaringan&method=webinar"
    page.goto(start)
    expect(page.locator("html")).to_have_attribute("lang", "id")
    expect(page.locator(".results__count")).to_have_text(f"{shelf.it_webinars} pelatihan ditemukan")
    expect(page.get_by_role("button", name="Tampilkan pelatihan")).to_be_visible()

    page.get_by_role("link", name="English").click()
    page.wait_for_load_state()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    assert path_and_query(page.url) == start
    expect(page.locator(".results__count")).to_have_text(f"{shelf.it_webinars} courses found")
    expect(page.get_by_role("button", name="Show courses")).to_be_visible()
    expect(page.locator("form.filters").get_by_label("Search courses")).to_have_value("jaringan")
    expect(page.locator(".course-card__meta").first).to_contain_text("Information Technology")

    # The choice sticks (a cookie) on the next page.
    page.goto(f"/courses/{shelf.excel.slug}")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("link", name="Buy with Kartu Prakerja")).to_be_visible()

    page.get_by_role("link", name="Bahasa Indonesia").click()
    page.wait_for_url(f"**/courses/{shelf.excel.slug}")
    expect(page.locator("html")).to_have_attribute("lang", "id")
    expect(page.get_by_role("link", name="Beli dengan Kartu Prakerja")).to_be_visible()


@pytest.mark.browser
def test_search_and_filter_work_without_javascript(new_context, shelf):
    page = new_context(java_script_enabled=False).new_page()
    page.goto(f"/courses/{shelf.offline.slug}")  # the header's search box is on course pages
    page.locator("#header-q").fill("excel")
    page.locator("#header-q").press("Enter")
    page.wait_for_url(re.compile(r"/courses\?q=excel$"))
    assert card_titles(page) == ["Microsoft Excel untuk Pemula"]

    page.goto("/courses")
    page.get_by_label("Kategori", exact=True).select_option(IT)
    page.get_by_label("Metode pelatihan").select_option("webinar")
    page.get_by_role("button", name="Tampilkan pelatihan").click()
    page.wait_for_url(re.compile(r"category=teknologi-informasi&method=webinar"))
    expect(page.locator(".results__count")).to_contain_text(str(shelf.it_webinars))
    expect(page.get_by_label("Metode pelatihan")).to_have_value("webinar")

    page.locator(".pagination").get_by_role("link", name="Berikutnya").click()
    page.wait_for_url(re.compile(r"page=2"))
    expect(page.locator(".course-card")).to_have_count(shelf.it_webinars - 20)


@pytest.mark.browser
def test_no_content_security_policy_violations(new_context, shelf):
    context = new_context()
    context.add_init_script(
        "window.__csp = [];"
        "document.addEventListener('securitypolicyviolation',"
        " e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));"
    )
    page = context.new_page()
    console_errors, page_errors = [], []
    page.on("console", lambda m: m.type in ("error", "warning") and console_errors.append(m.text))
    page.on("pageerror", lambda error: page_errors.append(str(error)))

    for path in ("/courses", f"/courses/{shelf.webinar.slug}"):
        response = page.goto(path)
        assert response.ok
        assert "script-src 'self'" in response.headers["content-security-policy"]
        # The stylesheet applied: buttons are not the browser's default grey.
        button = page.locator(".button").first
        background = button.evaluate("el => getComputedStyle(el).backgroundColor")
        assert background not in ("rgba(0, 0, 0, 0)", "rgb(239, 239, 239)"), background
        assert page.evaluate("window.__csp") == [], path

    assert not [m for m in console_errors if "Content Security Policy" in m], console_errors
    assert page_errors == []

    # Canary: an inline style is refused and both detectors above see it.
    with page.expect_console_message(lambda m: "Content Security Policy" in m.text):
        page.evaluate("""() => {
            const style = document.createElement('style');
            style.textContent = 'body { color: red; }';
            document.head.append(style);
        }""")
    page.wait_for_function("window.__csp.length > 0")
    assert page.evaluate("window.__csp")[0].startswith("style-src")


@pytest.mark.browser
def test_bad_page_number_shows_the_error_summary(page):
    response = page.goto("/courses?page=abc")
    assert response.status == 400
    summary = page.locator(".error-summary")
    expect(summary).to_be_visible()
    expect(summary.get_by_role("heading")).to_have_text("Ada masalah")
    link = summary.get_by_role("link", name="Nomor halaman harus bilangan bulat, seperti 2")
    expect(link).to_have_attribute("href", "#page")
    expect(page.locator(".course-card")).to_have_count(0)
    expect(page.locator("#results-title")).to_have_text(
        "Perbaiki isian yang ditandai pada formulir pencarian untuk melihat pelatihan."
    )


@pytest.mark.browser
def test_error_summary_link_leads_to_a_field(page):
    page.goto("/courses?page=abc")
    expect(page.locator("#page")).to_have_count(1, timeout=1_000)


@pytest.mark.browser
def test_a_bad_page_number_gets_one_message(page):
    page.goto("/courses?page=abc")
    expect(page.locator(".error-summary__list li")).to_have_count(1, timeout=1_000)
