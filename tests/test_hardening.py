"""Edges found in review: proxies, huge ids, impossible dates, caching, limits, logging."""

import pytest
from support.programme_rows import open_batch_row

from marketplace.extensions import db
from marketplace.people.models import Role
from marketplace.programme import batches


@pytest.fixture
def app_config():
    return {"RATELIMIT_ENABLED": True, "TRUSTED_PROXIES": 1}


_attempts = iter(range(10_000))


def _post_login(client, address):
    return client.post(
        "/login",  # a new address each time, so only the per-visitor limit is in play
        data={"email": f"x{next(_attempts)}@example.com", "password": "wrong-password"},
        environ_base={"REMOTE_ADDR": "127.0.0.1"},
        headers={"X-Forwarded-For": address},
    )


def test_behind_a_proxy_each_visitor_has_their_own_sign_in_limit(client):
    # Ten failed sign-ins from one visitor use up that visitor's limit, not everyone's.
    for _ in range(10):
        assert _post_login(client, "203.0.113.7").status_code == 400
    assert _post_login(client, "203.0.113.7").status_code == 429
    assert _post_login(client, "198.51.100.9").status_code == 400


def test_a_huge_batch_id_is_refused_not_a_crash(participant_client, admin_client):
    response = participant_client.post("/account/batches/join", data={"batch_id": "9" * 25})
    assert response.status_code == 400
    assert admin_client.get("/admin/batches/" + "9" * 25).status_code == 404
    assert admin_client.get("/admin/batches/" + "9" * 25 + "/select").status_code == 404


def test_a_batch_in_year_one_is_refused_with_a_message(app, admin_client):
    with app.app_context():
        batches.ensure_schemes()
        db.session.commit()
    admin_client.set_cookie("lang", "en")
    response = admin_client.post(
        "/admin/batches",
        data={
            "number": "9",
            "opens_date": "01/01/0001",
            "opens_time": "00.00",
            "closes_date": "10/01/0001",
            "closes_time": "00.00",
            "quota": "10",
            "scheme": "2020",
        },
    )
    assert response.status_code == 400
    assert "between the years 2000 and 2999" in response.get_data(as_text=True)


def test_a_bad_page_of_applications_is_a_400_saying_why(app, admin_client):
    with app.app_context():
        batch = open_batch_row()
        db.session.commit()
        batch_id = batch.id
    for page, why in (
        ("9" * 30, "Nomor halaman paling besar 100.000"),
        ("dua", "Nomor halaman harus bilangan bulat, seperti 2"),
        ("0", "Nomor halaman minimal 1"),
    ):
        response = admin_client.get(f"/admin/batches/{batch_id}?page={page}")
        assert response.status_code == 400, page
        assert why in response.get_data(as_text=True)
    # Past the last page but within the bounds: a 404 naming the last page; the first page
    # of an empty list is there, with its "nobody yet".
    past = admin_client.get(f"/admin/batches/{batch_id}?page=7")
    assert past.status_code == 404
    assert "Halaman terakhir adalah halaman 1" in past.get_data(as_text=True)
    assert admin_client.get(f"/admin/batches/{batch_id}?page=1").status_code == 200


def test_account_pages_are_not_cached(participant_client):
    for path in ("/account", "/account/profile", "/account/batches", "/account/test"):
        assert participant_client.get(path).headers["Cache-Control"] == "no-store"


def test_checking_many_niks_is_limited(login):
    client = login(Role.PARTICIPANT)
    statuses = [
        client.post("/account/profile", data={"nik": f"32012317089500{n:02d}"}).status_code
        for n in range(21)
    ]
    assert 429 not in statuses[:20] and statuses[20] == 429


def test_database_errors_never_carry_bound_values(app):
    with app.app_context():
        assert db.engine.hide_parameters is True


def test_the_result_page_takes_the_write_lock_when_it_scores(app):
    # It scores an attempt whose time ran out when first opened: a write on a GET.
    assert app.view_functions["account.test_result"].writes_on_get is True
    assert getattr(app.view_functions["account.test"], "writes_on_get", False) is False
