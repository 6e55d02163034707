"""The provider's attendance sheet, /provider/sessions/<id>/attendance: the roster with present
or absent per day, saved in one form, only for the provider's own sessions and only from the
session's start to 23.59 WIB seven days after its end."""

import html
import re
from datetime import timedelta
from types import SimpleNamespace

import pytest
import sqlalchemy as sa
from support.checkout_rows import card_holders
from support.factories import PASSWORD

from marketplace.catalogue.models import Course, CourseSession, Method, Provider
from marketplace.core.base import utcnow
from marketplace.core.indonesia import jakarta_date, utc_from_jakarta
from marketplace.core.models import AuditEvent
from marketplace.extensions import db
from marketplace.learning.models import Attendance
from marketplace.orders import checkout
from marketplace.people.models import Participant, Role


@pytest.fixture
def app_config(request):
    """CSRF is checked only in the test that asks for the `csrf_on` fixture."""
    return {"WTF_CSRF_ENABLED": True} if "csrf_on" in request.fixturenames else {}


@pytest.fixture
def csrf_on():
    """Marker fixture: the app under test checks CSRF tokens."""


def _sign_in(app, email: str, english: bool = True):
    client = app.test_client()
    if english:
        client.set_cookie("lang", "en")
    token = re.search(
        r'name="csrf_token" type="hidden" value="([^"]+)"', _text(client.get("/login"))
    )
    data = {"email": email, "password": PASSWORD, "csrf_token": token.group(1) if token else ""}
    response = client.post("/login", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)
    return client


def _buy(app, buyer: int, session_id: int, now) -> int:
    with app.app_context():
        participant = db.session.get(Participant, buyer)
        session = db.session.get(CourseSession, session_id)
        row, code = checkout.begin(participant, session.course, session, now)
        order = checkout.confirm(participant, row.purchase_key, code, now)
        db.session.commit()
        return order.id


def _move(app, session_id: int, starts_at, ends_at) -> None:
    """Put a session (bought while it was ahead) at other times: the tests' clock."""
    with app.app_context():
        session = db.session.get(CourseSession, session_id)
        session.starts_at, session.ends_at = starts_at, ends_at
        db.session.commit()


@pytest.fixture
def sheet(app, factory):
    """A webinar of "LPK Maju Jaya" with a session running from 09.00 WIB yesterday to 12.00
    WIB tomorrow (three days) with two participants, a session a week ahead and one that
    ended twenty days ago (each with a participant), a rival provider's running session with
    its own participant, and the provider's staff signed in (English)."""
    now = utcnow().replace(microsecond=0)
    provider = factory.provider(name="LPK Maju Jaya")
    rival = factory.provider(name="LPK Saingan")
    webinar = factory.course(
        "Pemasaran Digital", provider=provider, price=300_000, method=Method.WEBINAR
    )
    rival_webinar = factory.course(
        "Webinar Saingan", provider=rival, price=300_000, method=Method.WEBINAR
    )
    ahead = now + timedelta(days=30)
    running = factory.session(webinar, ahead, capacity=10).id
    upcoming = factory.session(webinar, ahead + timedelta(days=1), capacity=10).id
    over = factory.session(webinar, ahead + timedelta(days=2), capacity=10).id
    rival_running = factory.session(rival_webinar, ahead, capacity=10).id
    buyers = card_holders(app, 5, now)
    with app.app_context():
        for participant_id, name in zip(buyers, ("Budi Santoso", "Ani Wijaya"), strict=False):
            db.session.get(Participant, participant_id).full_name = name
        db.session.commit()
    orders = [_buy(app, buyer, running, now) for buyer in buyers[:2]]
    upcoming_order = _buy(app, buyers[2], upcoming, now)
    over_order = _buy(app, buyers[3], over, now)
    rival_order = _buy(app, buyers[4], rival_running, now)
    today = jakarta_date(now)
    days = [today - timedelta(days=1), today, today + timedelta(days=1)]
    start, end = utc_from_jakarta(days[0], 9, 0), utc_from_jakarta(days[2], 12, 0)
    _move(app, running, start, end)
    _move(app, rival_running, start, end)
    _move(app, upcoming, now + timedelta(days=7), now + timedelta(days=7, hours=3))
    _move(app, over, now - timedelta(days=20, hours=3), now - timedelta(days=20))
    staff = factory.user(role=Role.PROVIDER, provider=provider).email
    return SimpleNamespace(
        app=app,
        factory=factory,
        now=now,
        provider=provider,
        running=running,
        upcoming=upcoming,
        over=over,
        rival_running=rival_running,
        orders=orders,
        upcoming_order=upcoming_order,
        over_order=over_order,
        rival_order=rival_order,
        days=days,
        staff=staff,
        client=_sign_in(app, staff),
    )


def _field(order_id: int, day) -> str:
    return f"mark-{order_id}-{day.isoformat()}"


def _text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def _url(session_id: int) -> str:
    return f"/provider/sessions/{session_id}/attendance"


def _marks(sheet) -> dict:
    with sheet.app.app_context():
        return {
            (row.order_id, row.day): row.present
            for row in db.session.scalars(sa.select(Attendance))
        }


def _audited(sheet) -> list:
    with sheet.app.app_context():
        return [
            (event.subject, event.detail)
            for event in db.session.scalars(
                sa.select(AuditEvent)
                .where(AuditEvent.action == "attendance.marked")
                .order_by(AuditEvent.id)
            )
        ]


# --- the page --------------------------------------------------------------------------------


def test_the_session_page_links_to_the_sheet(sheet):
    page = _text(sheet.client.get(f"/provider/sessions/{sheet.running}"))
    assert f'href="{_url(sheet.running)}"' in page


def test_the_sheet_is_an_accessible_table_of_names_and_days(sheet):
    response = sheet.client.get(_url(sheet.running))
    assert response.status_code == 200
    page = _text(response)
    assert response.headers["Cache-Control"] == "no-store"
    assert len(re.findall(r'<th scope="col">', page)) == 1 + 3  # the name and three days
    assert '<th scope="row">Ani Wijaya</th>' in page
    assert '<th scope="row">Budi Santoso</th>' in page
    assert page.index("Ani Wijaya") < page.index("Budi Santoso")  # by name
    # One radio group per participant and day, each radio labelled with both.
    for order_id in sheet.orders:
        for day in sheet.days:
            name = _field(order_id, day)
            assert f'name="{name}" value="present"' in page
            assert f'<label for="{name}-present">' in page
            assert f'<label for="{name}-absent">' in page
    day = sheet.days[1].strftime("%B %-d, %Y")
    assert f'Present<span class="visually-hidden">: Budi Santoso, {day}</span>' in page
    assert '<span class="cell-label">' in page  # read out per cell at 360 px
    assert page.count("Save attendance</button>") == 1  # one form, one button


def test_saving_marks_every_cell_sent_and_says_how_many(sheet):
    first, second = sheet.orders
    day1, day2, _ = sheet.days
    form = {_field(first, day1): "present", _field(second, day1): "absent"}
    response = sheet.client.post(_url(sheet.running), data=form)
    assert response.status_code == 302
    assert response.headers["Location"] == _url(sheet.running)
    page = _text(sheet.client.get(_url(sheet.running)))
    assert "2 changes saved." in page
    assert _marks(sheet) == {(first, day1): True, (second, day1): False}
    assert re.search(rf'name="{_field(first, day1)}" value="present" checked', page)
    assert re.search(rf'name="{_field(second, day1)}" value="absent" checked', page)
    # Saved again with one cell changed and one added: two changes, audited alone.
    form = {**form, _field(first, day1): "absent", _field(first, day2): "present"}
    sheet.client.post(_url(sheet.running), data=form)
    assert "2 changes saved." in _text(sheet.client.get(_url(sheet.running)))
    audited = _audited(sheet)
    assert len(audited) == 4
    assert audited[-2:] == [
        (
            f"order:{first}",
            {"session": sheet.running, "day": day1.isoformat(), "before": "present",
             "after": "absent"},
        ),
        (
            f"order:{first}",
            {"session": sheet.running, "day": day2.isoformat(), "before": "unmarked",
             "after": "present"},
        ),
    ]  # fmt: skip
    sheet.client.post(_url(sheet.running), data=form)
    assert "Nothing changed" in _text(sheet.client.get(_url(sheet.running)))
    assert len(_audited(sheet)) == 4


def test_the_success_message_speaks_indonesian_by_default(sheet):
    client = _sign_in(sheet.app, sheet.staff, english=False)
    form = {_field(sheet.orders[0], sheet.days[0]): "present"}
    client.post(_url(sheet.running), data=form)
    assert "1 perubahan disimpan." in _text(client.get(_url(sheet.running)))


# --- bad input -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "tampered",
    ["other_session", "rival", "unknown", "day_before", "day_after"],
)
def test_a_tampered_order_or_day_is_refused_and_nothing_saved(sheet, tampered):
    first = sheet.orders[0]
    day1, _, day3 = sheet.days
    bad = {
        "other_session": _field(sheet.upcoming_order, day1),
        "rival": _field(sheet.rival_order, day1),
        "unknown": _field(999999, day1),
        "day_before": _field(first, day1 - timedelta(days=1)),
        "day_after": _field(first, day3 + timedelta(days=1)),
    }[tampered]
    response = sheet.client.post(
        _url(sheet.running), data={_field(first, day1): "present", bad: "present"}
    )
    assert response.status_code == 400
    page = _text(response)
    assert "not on this session's attendance sheet. Nothing was saved" in page
    assert "<title>Error:" in page
    assert _marks(sheet) == {} and _audited(sheet) == []


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("mark-abc-2026-01-01", "present", "does not have"),
        ("mark-1-2026-13-45", "present", "does not have"),
        ("mark-" + "9" * 30 + "-2026-01-01", "present", "does not have"),
        ("mark-²-2026-01-01", "present", "does not have"),
        ("mark-1-２０２６-01-01", "present", "does not have"),
        (None, "maybe", "Choose present or absent"),
        (None, "", "Choose present or absent"),
        (None, ["present", "absent"], "Choose present or absent"),
    ],
)
def test_bad_form_input_is_a_400_with_a_message(sheet, name, value, message):
    name = name or _field(sheet.orders[0], sheet.days[0])
    response = sheet.client.post(
        _url(sheet.running),
        data={_field(sheet.orders[1], sheet.days[0]): "present", name: value},
    )
    assert response.status_code == 400
    assert message in _text(response)
    assert _marks(sheet) == {}


def test_a_form_without_its_csrf_token_is_refused(sheet, csrf_on):
    response = sheet.client.post(
        _url(sheet.running), data={_field(sheet.orders[0], sheet.days[0]): "present"}
    )
    assert response.status_code == 400
    assert _marks(sheet) == {}


# --- the window ------------------------------------------------------------------------------


def test_before_the_start_the_sheet_says_when_marking_opens(sheet):
    response = sheet.client.get(_url(sheet.upcoming))
    page = _text(response)
    assert response.status_code == 200
    assert "Attendance can be marked from the start of the session" in page
    assert 'type="radio"' not in page and "Save attendance" not in page
    assert "Not marked" in page  # the sheet, read-only
    refused = sheet.client.post(
        _url(sheet.upcoming), data={_field(sheet.upcoming_order, sheet.days[0]): "present"}
    )
    assert refused.status_code == 409
    assert "Attendance can be marked from the start of the session" in _text(refused)
    assert _marks(sheet) == {}


def test_a_week_after_the_end_the_sheet_is_read_only(sheet):
    page = _text(sheet.client.get(_url(sheet.over)))
    assert "Attendance could be marked until" in page and "That time has passed." in page
    assert 'type="radio"' not in page
    with sheet.app.app_context():
        session = db.session.get(CourseSession, sheet.over)
        day = jakarta_date(session.starts_at)
    refused = sheet.client.post(_url(sheet.over), data={_field(sheet.over_order, day): "absent"})
    assert refused.status_code == 409 and "That time has passed." in _text(refused)
    assert _marks(sheet) == {}


# --- who may open it -------------------------------------------------------------------------


def test_another_providers_session_is_not_found(sheet):
    url = _url(sheet.rival_running)
    assert sheet.client.get(url).status_code == 404
    form = {_field(sheet.rival_order, sheet.days[0]): "present"}
    assert sheet.client.post(url, data=form).status_code == 404
    assert _marks(sheet) == {}
    assert sheet.client.get(_url(999999)).status_code == 404


def test_only_a_providers_staff_may_open_it(sheet, participant_client, admin_client, client):
    url = _url(sheet.running)
    assert participant_client.get(url).status_code == 403
    assert admin_client.get(url).status_code == 403
    assert participant_client.post(url, data={}).status_code == 403
    anonymous = client.get(url)
    assert anonymous.status_code == 302 and anonymous.headers["Location"].startswith("/login")
    with sheet.app.app_context():
        assert db.session.get(Provider, sheet.provider.id) is not None
        assert db.session.get(Course, db.session.get(CourseSession, sheet.running).course_id)
