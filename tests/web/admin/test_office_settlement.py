"""The office's view of the money owed to training providers: /admin/settlement (every
provider's totals for a month, sortable by what is owed), one provider's statement
(/admin/settlement/<provider id>), and their CSV files.

Sales are made through checkout this month: the shop fixture's provider sells two courses,
a rival provider (whose name, typed by the office, starts like a formula) sells one dearer.
"""

import csv
import html
import io
from types import SimpleNamespace

import pytest
from babel.dates import format_date
from support.checkout_rows import buy, card_holders

from marketplace.catalogue.models import Provider
from marketplace.core.base import utcnow
from marketplace.extensions import db
from marketplace.money import settlement
from marketplace.people.models import Participant

RIVAL_NAME = "+Lembaga Saingan"
RIVAL_PRICE = 700_000


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def read_csv(response) -> list[list[str]]:
    body = response.get_data()
    assert body.startswith("\ufeff".encode())
    text = body.decode("utf-8")[1:]
    # Indonesian spreadsheets split cells at ";", English ones at "," (csv_delimiter)
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    if max(len(row) for row in rows) > 1:
        return rows
    return list(csv.reader(io.StringIO(text), delimiter=","))


@pytest.fixture
def sold(app, shop, factory):
    """This month, through checkout: the shop's provider sells its self-paced course twice
    (Rp300.000 each: net Rp600.000, commission Rp90.000, owed Rp510.000); the rival sells one
    course (Rp700.000: owed Rp595.000). A provider that sold nothing."""
    rival = factory.provider(name=RIVAL_NAME)
    rival_course = factory.course("Pemasaran Saingan", provider=rival, price=RIVAL_PRICE)
    quiet = factory.provider(name="LPK Sepi")
    second, third = card_holders(app, 2, shop.now)
    with app.app_context():
        db.session.get(Participant, second).full_name = "Budi Santoso"
        orders = [
            buy(shop, shop.self_paced).id,
            buy(shop, shop.self_paced, who=second).id,
            buy(shop, rival_course.id, who=third).id,
        ]
        db.session.commit()
        names = [db.session.get(Provider, shop.provider_id).name, rival.name]
    return SimpleNamespace(
        shop=shop,
        month=settlement.Month.of(utcnow()),
        orders=orders,
        provider_id=shop.provider_id,
        provider_name=names[0],
        rival_id=rival.id,
        quiet_id=quiet.id,
    )


# --- who may open it -----------------------------------------------------------------------


PATHS = [
    "/admin/settlement",
    "/admin/settlement/csv",
    "/admin/settlement/1",
    "/admin/settlement/1/csv",
]


@pytest.mark.parametrize("path", PATHS)
def test_anonymous_visitors_are_sent_to_sign_in(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


@pytest.mark.parametrize("path", PATHS)
def test_participants_and_providers_may_not_open_it(participant_client, provider_client, path):
    assert participant_client.get(path).status_code == 403
    assert provider_client.get(path).status_code == 403


# --- the overview --------------------------------------------------------------------------


def test_the_overview_lists_every_provider_that_sold_with_its_totals(sold, admin_client):
    response = admin_client.get("/admin/settlement")

    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    page = text(response)
    title = format_date(sold.month.first_day, "MMMM y", locale="id")
    assert f"<title>Rekap pembayaran semua lembaga pelatihan, {title} · Prakerja</title>" in page
    # Most owed first: the rival (Rp595.000) before the shop's provider (Rp510.000).
    assert page.index(RIVAL_NAME) < page.index(sold.provider_name)
    assert "LPK Sepi" not in page  # sold nothing this month
    for amount in ("Rp595.000", "Rp510.000", "−Rp90.000", "−Rp105.000"):
        assert amount in page
    assert "Rp1.105.000" in page  # owed to them all
    assert "−Rp195.000" in page  # their commissions added up
    for provider_id in (sold.provider_id, sold.rival_id):
        assert f'href="/admin/settlement/{provider_id}?month={sold.month.key}"' in page
    assert f'href="/admin/settlement/csv?month={sold.month.key}"' in page


def test_the_overview_in_english(sold, admin_client):
    admin_client.set_cookie("lang", "en")
    page = text(admin_client.get(f"/admin/settlement?month={sold.month.key}"))
    title = format_date(sold.month.first_day, "MMMM y", locale="en")
    assert f"<title>Settlement of all training providers, {title} · Prakerja</title>" in page
    assert "Owed by the programme" in page and "Terutang oleh program" not in page
    assert "Rp1.105.000" in page


def test_the_office_navigation_links_to_it(admin_client):
    page = text(admin_client.get("/admin/settlement"))
    assert '<a href="/admin/settlement" aria-current="page">Rekap pembayaran</a>' in page


def test_the_overview_sorts_by_what_is_owed_or_by_name(sold, admin_client):
    least_first = text(admin_client.get("/admin/settlement?sort=owed_asc"))
    assert least_first.index(sold.provider_name) < least_first.index(RIVAL_NAME)
    by_name = text(admin_client.get("/admin/settlement?sort=name"))
    assert by_name.index(RIVAL_NAME) < by_name.index(sold.provider_name)  # "+" sorts first
    # The owed column's heading sorts by it, and says how the rows are sorted.
    most_first = text(admin_client.get("/admin/settlement"))
    assert 'aria-sort="descending"' in most_first
    assert f'href="/admin/settlement?month={sold.month.key}&sort=owed_asc"' in most_first
    assert 'aria-sort="ascending"' in least_first


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("month=2026-13", "Bulan harus dari 01 sampai 12"),
        ("month=13-2026", "Tulis bulan sebagai tahun dan bulan"),
        ("sort=balance", "Pilih urutan dari daftar"),
    ],
)
def test_a_query_that_cant_be_read_is_a_400_saying_why(sold, admin_client, query, message):
    for path in ("/admin/settlement", "/admin/settlement/csv"):
        refused = admin_client.get(f"{path}?{query}")
        assert refused.status_code == 400
        assert message in text(refused)
        assert RIVAL_NAME not in text(refused)


def test_a_month_with_nothing_says_so(sold, admin_client):
    page = text(admin_client.get("/admin/settlement?month=2020-01"))
    assert "Tidak ada penjualan atau pengembalian dana pada Januari 2020" in page
    assert RIVAL_NAME not in page


def test_the_months_around_it_are_linked(sold, admin_client):
    page = text(admin_client.get("/admin/settlement?month=2025-01&sort=name"))
    assert 'href="/admin/settlement?month=2024-12&sort=name"' in page
    assert 'href="/admin/settlement?month=2025-02&sort=name"' in page
    current = text(admin_client.get("/admin/settlement"))
    assert f"month={sold.month.next.key}" not in current  # no month that has not begun


# --- one provider --------------------------------------------------------------------------


def test_the_office_reads_one_providers_statement(sold, admin_client):
    response = admin_client.get(f"/admin/settlement/{sold.provider_id}?month={sold.month.key}")

    assert response.status_code == 200
    page = text(response)
    assert sold.provider_name in page and "Budi Santoso" in page
    assert "Rp600.000" in page and "−Rp90.000" in page and "Rp510.000" in page
    assert "Sesuai dengan pembukuan" in page  # the office is shown the check
    for order_id in sold.orders[:2]:
        assert f'href="/admin/orders/{order_id}"' in page
    assert RIVAL_NAME not in page and "Pemasaran Saingan" not in page
    assert f'href="/admin/settlement?month={sold.month.key}"' in page  # back to the overview
    assert f'href="/admin/settlement/{sold.provider_id}/csv?month={sold.month.key}"' in page
    previous = sold.month.previous.key
    assert f'href="/admin/settlement/{sold.provider_id}?month={previous}"' in page


def test_a_provider_that_sold_nothing_has_an_empty_statement(sold, admin_client):
    page = text(admin_client.get(f"/admin/settlement/{sold.quiet_id}"))
    assert "LPK Sepi" in page
    assert "Tidak ada penjualan atau pengembalian dana" in page


@pytest.mark.parametrize("suffix", ["", "/csv"])
def test_a_provider_that_does_not_exist_is_not_found(sold, admin_client, suffix):
    for provider_id in (sold.quiet_id + 1000, "9" * 25, 0):
        assert admin_client.get(f"/admin/settlement/{provider_id}{suffix}").status_code == 404


def test_a_bad_month_of_one_provider_is_a_400(sold, admin_client):
    refused = admin_client.get(f"/admin/settlement/{sold.provider_id}?month=2026-00")
    assert refused.status_code == 400 and "Bulan harus dari 01 sampai 12" in text(refused)
    refused = admin_client.get(f"/admin/settlement/{sold.provider_id}/csv?month=x")
    assert refused.status_code == 400 and "Tulis bulan sebagai tahun dan bulan" in text(refused)


# --- the CSV files -------------------------------------------------------------------------


def test_the_overview_csv_for_spreadsheets(sold, admin_client):
    response = admin_client.get(f"/admin/settlement/csv?month={sold.month.key}")

    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="rekap-pembayaran-semua-lembaga-{sold.month.key}.csv"'
    )
    rows = read_csv(response)
    assert "tanpa pemisah ribuan" in rows[0][0]
    assert rows[3][0] == "Lembaga pelatihan" and rows[3][-1] == "Terutang oleh program (Rp)"
    rival, ours, total = rows[4:]
    # The provider's name, typed by the office, can't run as a formula.
    assert rival[:2] == ["'" + RIVAL_NAME, str(sold.rival_id)]
    assert rival[3:] == ["1500", "1", "700000", "0", "0", "700000", "105000", "595000"]
    assert ours[:2] == [sold.provider_name, str(sold.provider_id)]
    assert ours[3:] == ["1500", "2", "600000", "0", "0", "600000", "90000", "510000"]
    assert total[0] == "Semua lembaga pelatihan"
    assert total[4:] == ["3", "1300000", "0", "0", "1300000", "195000", "1105000"]


def test_the_overview_csv_follows_the_sort_and_the_language(sold, admin_client):
    admin_client.set_cookie("lang", "en")
    response = admin_client.get(f"/admin/settlement/csv?month={sold.month.key}&sort=owed_asc")
    rows = read_csv(response)
    assert "without thousands separators" in rows[0][0]
    assert [row[0] for row in rows[4:]] == [
        sold.provider_name,
        "'" + RIVAL_NAME,
        "All training providers",
    ]
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="settlement-all-providers-{sold.month.key}.csv"'
    )


def test_one_providers_csv_for_the_office(sold, admin_client):
    response = admin_client.get(f"/admin/settlement/{sold.rival_id}/csv")

    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert f"-{sold.month.key}.csv" in response.headers["Content-Disposition"]
    rows = read_csv(response)
    assert rows[1] == ["Lembaga pelatihan", "'" + RIVAL_NAME]
    assert [row[1] for row in rows[14:]] == [str(sold.orders[2])]
    assert rows[11] == ["Terutang oleh program (Rp)", "595000"]


def test_an_empty_months_overview_csv_has_its_headings_and_zero_totals(sold, admin_client):
    rows = read_csv(admin_client.get("/admin/settlement/csv?month=2020-01"))
    assert rows[3][0] == "Lembaga pelatihan"
    assert rows[4][0] == "Semua lembaga pelatihan" and rows[4][-1] == "0"
    assert len(rows) == 5
