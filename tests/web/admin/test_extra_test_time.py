"""The programme office gives a participant extra time on the online test: find them by
email or NIK (a POST: a NIK never goes into an address), choose +50%, +100% or minutes, say
why. Bad input is a 400 with a message and changes nothing; only the office may do it."""

from html import unescape

import pytest
import sqlalchemy as sa
from support.programme_rows import make_participant

from marketplace.core.models import AuditEvent
from marketplace.extensions import db
from marketplace.programme.models import ExtraTestTime


@pytest.fixture
def participant(app):
    """(id, email, NIK) of a participant; committed."""
    with app.app_context():
        row = make_participant(name="Rina Lestari")
        db.session.commit()
        return row.id, row.user.email, row.nik


@pytest.fixture
def office(admin_client):
    admin_client.set_cookie("lang", "en")
    return admin_client


def _grants(app) -> list[tuple]:
    with app.app_context():
        return [
            (row.participant_id, row.extra_minutes, row.reason)
            for row in db.session.scalars(sa.select(ExtraTestTime))
        ]


def test_only_the_office_may_see_and_grant(
    client, participant_client, provider_client, participant
):
    participant_id = participant[0]
    grant = f"/admin/test-time/{participant_id}/grant"
    form = {"amount": "100", "reason": "Asked for it"}
    response = client.get("/admin/test-time")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    for other in (participant_client, provider_client):
        assert other.get("/admin/test-time").status_code == 403
        assert other.post("/admin/test-time", data={"query": participant[1]}).status_code == 403
        assert other.get(f"/admin/test-time/{participant_id}").status_code == 403
        assert other.post(grant, data=form).status_code == 403
    assert client.post(grant, data=form).status_code == 302  # to the sign-in page


def test_the_office_finds_a_participant_by_email_or_nik(app, office, participant):
    participant_id, email, nik = participant
    page = f"/admin/test-time/{participant_id}"
    for query in (email.upper(), nik, f"{nik[:6]} {nik[6:12]} {nik[12:]}"):
        response = office.post("/admin/test-time", data={"query": query})
        assert response.status_code == 302 and response.headers["Location"] == page
        assert nik not in response.headers["Location"]
    html = office.get(page).get_data(as_text=True)
    assert "Rina Lestari" in html and email in html
    assert f"{nik[:4]}********{nik[-4:]}" in html and nik not in html
    assert "25 minutes" in html and "No extra time." in html and "Not taken yet." in html


@pytest.mark.parametrize(
    ("query", "status", "message"),
    [
        ("", 400, "Enter the participant's email address or their 16-digit NIK."),
        ("12345", 400, "Enter the participant's email address or their 16-digit NIK."),
        ("x" * 300, 400, "Enter at most 254 characters"),
        ("nobody@example.com", 404, "No participant has this email address or NIK."),
        ("9999999999999999", 404, "No participant has this email address or NIK."),
    ],
)
def test_a_bad_or_unknown_search_says_why(office, participant, query, status, message):
    response = office.post("/admin/test-time", data={"query": query})
    assert response.status_code == status
    html = unescape(response.get_data(as_text=True))
    assert message in html and "There is a problem" in html


def test_the_office_grants_double_time_with_a_reason(app, office, participant):
    participant_id = participant[0]
    response = office.post(
        f"/admin/test-time/{participant_id}/grant",
        data={"amount": "100", "reason": "Screen reader user"},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == f"/admin/test-time/{participant_id}"
    assert _grants(app) == [(participant_id, 25, "Screen reader user")]
    html = office.get(response.headers["Location"]).get_data(as_text=True)
    assert "Rina Lestari now has 50 minutes for the online test (25 extra)." in html
    assert "50 minutes" in html and "Screen reader user" in html
    listing = office.get("/admin/test-time").get_data(as_text=True)
    assert f"/admin/test-time/{participant_id}" in listing and "Screen reader user" in listing
    with app.app_context():
        event = db.session.scalar(
            sa.select(AuditEvent).where(AuditEvent.action == "test.extra_time")
        )
        assert event.subject == f"participant:{participant_id}" and event.actor_id is not None
        assert event.detail["extra_minutes"] == 25
        assert event.detail["reason"] == "Screen reader user"


@pytest.mark.parametrize(
    ("form", "minutes"),
    [
        ({"amount": "50"}, 13),
        ({"amount": "minutes", "minutes": "40"}, 40),
        ({"amount": "minutes", "minutes": "100"}, 100),
    ],
)
def test_half_as_long_again_or_a_number_of_minutes(app, office, participant, form, minutes):
    participant_id = participant[0]
    response = office.post(
        f"/admin/test-time/{participant_id}/grant", data={**form, "reason": "Dyslexia"}
    )
    assert response.status_code == 302
    assert _grants(app) == [(participant_id, minutes, "Dyslexia")]


def test_withdrawing_the_extra_time(app, office, participant):
    participant_id = participant[0]
    grant = f"/admin/test-time/{participant_id}/grant"
    office.post(grant, data={"amount": "100", "reason": "Asked"})
    response = office.post(grant, data={"amount": "0", "reason": "Asked by mistake"})
    assert response.status_code == 302
    assert _grants(app) == [(participant_id, 0, "Asked by mistake")]
    html = office.get(f"/admin/test-time/{participant_id}").get_data(as_text=True)
    assert "has no extra time now: 25 minutes" in html
    assert "Nobody has extra time on the test." in office.get("/admin/test-time").get_data(
        as_text=True
    )


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({"reason": "Asked"}, "Choose how much extra time to give."),
        ({"amount": "37", "reason": "Asked"}, "Choose one of the options."),
        ({"amount": "minutes", "reason": "Asked"}, "Enter the number of extra minutes."),
        (
            {"amount": "minutes", "minutes": "0", "reason": "Asked"},
            "The extra time must be from 1 to 100 minutes.",
        ),
        (
            {"amount": "minutes", "minutes": "500", "reason": "Asked"},
            "The extra time must be from 1 to 100 minutes.",
        ),
        (
            {"amount": "minutes", "minutes": "ten", "reason": "Asked"},
            "Enter the extra minutes as a whole number, like 20",
        ),
        (
            {"amount": "minutes", "minutes": "²", "reason": "Asked"},
            "Enter the extra minutes as a whole number, like 20",
        ),
        ({"amount": "100"}, "Write why the participant gets extra time."),
        ({"amount": "100", "reason": "   "}, "Write why the participant gets extra time."),
        ({"amount": "100", "reason": "x" * 201}, "The reason can be at most 200 characters."),
    ],
)
def test_bad_input_is_a_400_with_a_message_and_changes_nothing(
    app, office, participant, form, message
):
    participant_id = participant[0]
    response = office.post(f"/admin/test-time/{participant_id}/grant", data=form)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert message in html and "There is a problem" in html
    assert "<title>Error:" in html
    assert _grants(app) == []
    with app.app_context():
        assert (
            db.session.scalar(
                sa.select(sa.func.count())
                .select_from(AuditEvent)
                .where(AuditEvent.action == "test.extra_time")
            )
            == 0
        )


def test_an_unknown_participant_is_a_404(office):
    assert office.get("/admin/test-time/999999").status_code == 404
    response = office.post("/admin/test-time/999999/grant", data={"amount": "50", "reason": "x"})
    assert response.status_code == 404


def test_the_page_is_in_indonesian_by_default(admin_client, participant):
    html = admin_client.get("/admin/test-time").get_data(as_text=True)
    assert "Waktu tambahan untuk tes daring" in html and "Cari peserta" in html
    page = admin_client.get(f"/admin/test-time/{participant[0]}").get_data(as_text=True)
    assert "Beri waktu tambahan" in page and "+50%: 13 menit lagi" in page
