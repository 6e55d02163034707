"""The provider's monthly settlement statement, /provider/settlement, and its CSV.

Sales are made through checkout this month (the shop fixture's provider and buyer, and more
buyers with cards); a rival provider sells too, and its staff never sees ours.
"""

import csv
import html
import io
from types import SimpleNamespace

import pytest
import sqlalchemy as sa
from babel.dates import format_date
from support.checkout_rows import buy, card_holders
from support.factories import PASSWORD

from marketplace.catalogue.models import Course, Provider
from marketplace.core.base import utcnow
from marketplace.extensions import db
from marketplace.money import ledger, settlement
from marketplace.orders import checkout
from marketplace.people import accounts
from marketplace.people.models import Participant, Role, User
from marketplace.web.provider.settlement import spreadsheet_cell

FORMULA_TITLE = '=HYPERLINK("http://contoh.invalid","Klik")'
ODD_PRICE = 200_005  # with the shop's Rp300.000: net sales Rp500.005, commission Rp75.001


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def month_title(month: settlement.Month, language: str) -> str:
    return format_date(month.first_day, "MMMM y", locale=language)


def sign_in(app, email: str, english: bool = False):
    client = app.test_client()
    if english:
        client.set_cookie("lang", "en")
    response = client.post("/login", data={"email": email, "password": PASSWORD})
    assert response.status_code == 302, response.get_data(as_text=True)
    return client


def staff_of(app, provider_id: int, email: str) -> str:
    with app.app_context():
        accounts.create_user(
            email=email,
            name="Staf Lembaga",
            password=PASSWORD,
            role=Role.PROVIDER,
            provider=db.session.get(Provider, provider_id),
            verified=True,
        )
        db.session.commit()
    return email


def rename(app, participant_id: int, name: str) -> None:
    with app.app_context():
        db.session.get(Participant, participant_id).full_name = name
        db.session.commit()


@pytest.fixture
def sold(app, shop, factory):
    """This month, through checkout: the shop's buyer buys its self-paced course (Rp300.000);
    a buyer named "@Budi Santoso" buys a course whose title is a formula (Rp200.005). A rival
    provider's course is bought by a third buyer. Staff of both providers."""
    formula = shop.course(title=FORMULA_TITLE, price=ODD_PRICE)
    rival = factory.provider(name="LPK Saingan")
    rival_course = factory.course("Pemasaran Saingan", provider=rival, price=450_000)
    second, third = card_holders(app, 2, shop.now)
    rename(app, shop.buyer, "Siti Aminah")
    rename(app, second, "@Budi Santoso")
    rename(app, third, "Rina Saingan")
    with app.app_context():
        orders = [
            buy(shop, shop.self_paced).id,
            buy(shop, formula.id, who=second).id,
            buy(shop, rival_course.id, who=third).id,
        ]
        db.session.commit()
        buyer = db.session.get(Participant, shop.buyer)
        private = (buyer.nik, buyer.user.email)
    return SimpleNamespace(
        shop=shop,
        month=settlement.Month.of(utcnow()),
        orders=orders,
        private=private,
        rival_id=rival.id,
        staff=staff_of(app, shop.provider_id, "staf@lembaga.example"),
        rival_staff=staff_of(app, rival.id, "staf@saingan.example"),
    )


# --- who may open it -----------------------------------------------------------------------


PATHS = ["/provider/settlement", "/provider/settlement/csv"]


@pytest.mark.parametrize("path", PATHS)
def test_anonymous_visitors_are_sent_to_sign_in(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


@pytest.mark.parametrize("path", PATHS)
def test_participants_and_the_office_may_not_open_it(participant_client, admin_client, path):
    assert participant_client.get(path).status_code == 403
    assert admin_client.get(path).status_code == 403


def test_a_provider_account_without_a_provider_may_not_open_it(login):
    assert login(Role.PROVIDER).get("/provider/settlement").status_code == 403


# --- the statement -------------------------------------------------------------------------


def test_the_statement_shows_the_months_figures_in_indonesian(app, sold):
    response = sign_in(app, sold.staff).get("/provider/settlement")

    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    page = text(response)
    title = month_title(sold.month, "id")
    assert f"<title>Rekap pembayaran {title} · Prakerja</title>" in page
    assert "Pesanan dibayar" in page and "Penjualan bersih" in page
    assert "Rp500.005" in page  # Rp300.000 + Rp200.005 paid, nothing refunded
    assert "−Rp75.001" in page  # 15 % of Rp500.005 is Rp75.000,75: rounded up
    assert "Komisi Platform" in page and "(15%)" in page
    assert "Rp425.004" in page  # what the programme owes
    assert "Terutang oleh program" in page
    # A line per order: its number, course, participant's name; never a NIK or an email.
    for order_id in sold.orders[:2]:
        assert f"#{order_id}" in page
    assert "Siti Aminah" in page and "@Budi Santoso" in page and FORMULA_TITLE in page
    assert sold.private[0] not in page and sold.private[1] not in page
    assert 'href="/provider/settlement/csv?month=' + sold.month.key + '"' in page


def test_the_statement_in_english(app, sold):
    page = text(sign_in(app, sold.staff, english=True).get("/provider/settlement"))

    title = month_title(sold.month, "en")
    assert f"<title>Settlement for {title} · Prakerja</title>" in page
    assert "Orders paid" in page and "Owed by the programme" in page
    assert "Rp425.004" in page  # money is written the Indonesian way in both languages
    assert "Pesanan dibayar" not in page


def test_the_portal_links_to_the_statement(app, sold):
    page = text(sign_in(app, sold.staff).get("/provider"))
    assert 'href="/provider/settlement"' in page


def test_a_provider_sees_only_its_own_statement(app, sold):
    ours = sign_in(app, sold.staff)
    theirs = sign_in(app, sold.rival_staff)

    page = text(theirs.get("/provider/settlement"))
    assert "Pemasaran Saingan" in page and "Rina Saingan" in page and "Rp450.000" in page
    assert "Siti Aminah" not in page and FORMULA_TITLE not in page
    # Naming the other provider anywhere changes nothing: the provider is the account's.
    for path in (
        f"/provider/settlement?provider_id={sold.shop.provider_id}",
        f"/provider/settlement?provider={sold.shop.provider_id}",
    ):
        assert "Siti Aminah" not in text(theirs.get(path))
    assert theirs.get(f"/provider/settlement/{sold.shop.provider_id}").status_code == 404
    assert theirs.get(f"/admin/settlement/{sold.shop.provider_id}").status_code == 403
    assert theirs.get(f"/admin/settlement/{sold.shop.provider_id}/csv").status_code == 403
    their_csv = theirs.get(f"/provider/settlement/csv?provider_id={sold.shop.provider_id}")
    assert "Siti Aminah" not in their_csv.get_data(as_text=True)
    assert "Pemasaran Saingan" not in text(ours.get("/provider/settlement"))


def test_the_months_around_it_are_linked(app, sold):
    client = sign_in(app, sold.staff)

    page = text(client.get("/provider/settlement?month=2025-03"))
    assert 'href="/provider/settlement?month=2025-02"' in page
    assert 'href="/provider/settlement?month=2025-04"' in page
    assert "Februari 2025" in page and "April 2025" in page

    current = text(client.get("/provider/settlement"))
    previous = sold.month.previous
    assert f'href="/provider/settlement?month={previous.key}"' in current
    # No link to a month that has not begun.
    assert f'href="/provider/settlement?month={sold.month.next.key}"' not in current


def test_a_month_with_nothing_says_so(app, sold):
    page = text(sign_in(app, sold.staff).get("/provider/settlement?month=2020-01"))
    assert "Tidak ada penjualan atau pengembalian dana pada Januari 2020" in page
    assert "Siti Aminah" not in page and "Unduh sebagai CSV" not in page


@pytest.mark.parametrize(
    ("month", "indonesian", "english"),
    [
        ("2026-13", "Bulan harus dari 01 sampai 12", "The month must be from 01 to 12"),
        ("maret", "Tulis bulan sebagai tahun dan bulan", "Write the month as year and month"),
        ("1999-12", "Tahun harus dari 2000 sampai 2099", "The year must be from 2000 to 2099"),
    ],
)
def test_a_month_that_cant_be_read_is_a_400_saying_why(app, sold, month, indonesian, english):
    client = sign_in(app, sold.staff)
    refused = client.get(f"/provider/settlement?month={month}")
    assert refused.status_code == 400
    assert indonesian in text(refused)
    assert "Siti Aminah" not in text(refused)
    assert client.get(f"/provider/settlement/csv?month={month}").status_code == 400
    assert indonesian in text(client.get(f"/provider/settlement/csv?month={month}"))

    client.set_cookie("lang", "en")
    assert english in text(client.get(f"/provider/settlement?month={month}"))
    assert english in text(client.get(f"/provider/settlement/csv?month={month}"))


def test_a_page_past_the_last_is_not_found(app, sold):
    client = sign_in(app, sold.staff)
    assert client.get("/provider/settlement?page=2").status_code == 404
    assert client.get("/provider/settlement?page=nol").status_code == 400


def test_the_lines_are_paged_with_the_figures_of_the_whole_month(app, sold, monkeypatch):
    monkeypatch.setattr(settlement, "PER_PAGE", 1)
    client = sign_in(app, sold.staff)
    first, second = (
        text(client.get(f"/provider/settlement?page={n}&month={sold.month.key}")) for n in (1, 2)
    )
    assert f"#{sold.orders[0]}" in first and f"#{sold.orders[1]}" not in first
    assert f"#{sold.orders[1]}" in second and f"#{sold.orders[0]}" not in second
    assert "Rp425.004" in first and "Rp425.004" in second
    assert f'href="/provider/settlement?month={sold.month.key}&page=2"' in first


# --- the CSV -------------------------------------------------------------------------------


def read_csv(response) -> list[list[str]]:
    body = response.get_data()
    assert body.startswith("\ufeff".encode())  # the byte order mark: spreadsheets read UTF-8
    text = body.decode("utf-8")[1:]
    # Indonesian spreadsheets split cells at ";", English ones at "," (csv_delimiter)
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    if max(len(row) for row in rows) > 1:
        return rows
    return list(csv.reader(io.StringIO(text), delimiter=","))


def test_the_csv_is_the_statement_for_spreadsheets(app, sold):
    response = sign_in(app, sold.staff).get("/provider/settlement/csv")

    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Cache-Control"] == "no-store"
    with app.app_context():
        slug = db.session.get(Provider, sold.shop.provider_id).slug
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="rekap-pembayaran-{slug}-{sold.month.key}.csv"'
    )
    rows = read_csv(response)
    assert "tanpa pemisah ribuan" in rows[0][0] and "1500000" in rows[0][0]
    figures = {row[0]: row[1] for row in rows[1:12]}
    assert figures["Pesanan dibayar (banyaknya)"] == "2"
    assert figures["Pesanan dibayar (Rp)"] == "500005"
    assert figures["Pengembalian dana (banyaknya)"] == "0"
    assert figures["Penjualan bersih (Rp)"] == "500005"
    assert figures["Tarif komisi (basis poin: 1500 = 15%)"] == "1500"
    assert figures["Komisi platform (Rp)"] == "75001"
    assert figures["Terutang oleh program (Rp)"] == "425004"
    assert rows[12] == []
    header = rows.index(
        [
            "Waktu (WIB)",
            "Nomor pesanan",
            "Pelatihan",
            "Peserta",
            "Dibayar (Rp)",
            "Dikembalikan (Rp)",
            "Bersih (Rp)",
        ]
    )
    lines = rows[header + 1 :]
    assert [line[1] for line in lines] == [str(order) for order in sold.orders[:2]]
    assert [line[4:] for line in lines] == [["300000", "0", "300000"], ["200005", "0", "200005"]]
    assert all(len(line[0]) == len("2026-03-31 23:30") for line in lines)
    # Text typed by people is never read as a formula: an apostrophe goes first.
    assert lines[1][2] == "'" + FORMULA_TITLE
    assert lines[1][3] == "'@Budi Santoso"
    assert lines[0][3] == "Siti Aminah"
    assert sold.private[0] not in str(rows) and sold.private[1] not in str(rows)


def test_the_csv_in_english(app, sold):
    response = sign_in(app, sold.staff, english=True).get(
        f"/provider/settlement/csv?month={sold.month.key}"
    )
    rows = read_csv(response)
    assert "without thousands separators" in rows[0][0]
    assert rows[13][:4] == ["Time (WIB)", "Order number", "Course", "Participant"]
    assert 'filename="settlement-' in response.headers["Content-Disposition"]


def test_an_empty_months_csv_has_its_headings_and_zeros(app, sold):
    rows = read_csv(sign_in(app, sold.staff).get("/provider/settlement/csv?month=2020-01"))
    assert {row[0]: row[1] for row in rows[1:12]}["Terutang oleh program (Rp)"] == "0"
    assert rows[-1][0] == "Waktu (WIB)"  # the header of no lines


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ("=1+1", "'=1+1"),
        ("+62 812", "'+62 812"),
        ("-Dewi", "'-Dewi"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tTab", "'\tTab"),
        ("\rCR", "'\rCR"),
        ("Budi = Santoso", "Budi = Santoso"),
        ("", ""),
        (None, ""),
        (-255_000, -255_000),  # a number stays a number, minus and all
        (1_500_000, 1_500_000),
    ],
)
def test_text_cells_are_guarded_against_formulas(value, written):
    assert spreadsheet_cell(value) == written


# --- the demo ------------------------------------------------------------------------------


def test_the_demo_provider_has_sales_this_month(demo):
    client = sign_in(demo, "lembaga@example.com")
    with demo.app_context():
        desk = db.session.scalar(sa.select(User).where(User.email == "lembaga@example.com"))
        found = settlement.statement(desk.provider, settlement.Month.of(utcnow()), None)
    assert found.totals.orders_paid > 0 and found.totals.net_sales > 0 and found.totals.agrees
    page = text(client.get("/provider/settlement"))
    assert "Terutang oleh program" in page
    assert f"#{found.lines.items[0].order_id}" in page


def test_names_in_the_statement_come_from_orders_not_from_the_request(app, sold):
    """The participant named on a line is the order's: a purchase by a second card holder of
    the same course shows both, each by their own name."""
    [another] = card_holders(app, 1, sold.shop.now)
    rename(app, another, "Dewi Lestari")
    with app.app_context():
        participant = db.session.get(Participant, another)
        row, code = checkout.begin(
            participant, db.session.get(Course, sold.shop.self_paced), None, sold.shop.now
        )
        checkout.confirm(participant, row.purchase_key, code, sold.shop.now)
        db.session.commit()
        balance = ledger.find(ledger.provider_code(sold.shop.provider_id)).balance
    page = text(sign_in(app, sold.staff).get("/provider/settlement"))
    assert "Dewi Lestari" in page and "Siti Aminah" in page
    assert balance == 500_005 + 300_000
    assert "Rp800.005" in page


def test_cells_are_split_at_the_list_separator_of_the_pages_language():
    """A spreadsheet set to Indonesian reads ";" between cells, one set to English ","."""
    from marketplace import create_app
    from marketplace.web.provider.settlement import csv_delimiter

    app = create_app({"TESTING": True, "SECRET_KEY": "x", "PUBLIC_URL": "http://localhost"})
    with app.test_request_context("/", headers={"Cookie": "lang=id"}):
        assert csv_delimiter() == ";"
    with app.test_request_context("/", headers={"Cookie": "lang=en"}):
        assert csv_delimiter() == ","
