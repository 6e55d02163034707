"""The README's demo walk, step by step as a newcomer would take it on the seeded demo: the
participant, in the middle of one of the demo provider's self-paced courses, is refused
another of them (the link the README gives), the provider is refused her used voucher code
and redeems another participant's, and the programme office finds her order. If a step stops
working, or the README stops naming it, this fails."""

import re
from pathlib import Path

import sqlalchemy as sa

from marketplace.catalogue.models import CourseSession, SessionStatus
from marketplace.core.indonesia import rupiah
from marketplace.extensions import db
from marketplace.orders.models import Order, OrderStatus
from marketplace.people.models import Participant, User
from marketplace.seed_data import DEMO_PASSWORD

README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
PARTICIPANT, PROVIDER, OFFICE = "peserta@example.com", "lembaga@example.com", "admin@example.com"
COURSE_LINK = re.compile(r'href="(/courses/[a-z0-9-]+)"')


def _walk_link() -> str:
    """The catalogue link the README gives for the course to buy."""
    found = re.search(r"`(/courses\?provider=lpk-cahaya-mandiri[^`]*)`", README)
    assert found, "the README names no course of the demo provider to buy"
    return found.group(1)


def _signed_in(app, email: str):
    client = app.test_client()
    client.set_cookie("lang", "en")
    response = client.post("/login", data={"email": email, "password": DEMO_PASSWORD})
    assert response.status_code == 302, response.get_data(as_text=True)
    return client


def _text(response) -> str:
    return response.get_data(as_text=True)


def _shows(page: str, code: str) -> bool:
    """Whether the page shows the code, whole or in groups ("VCMK-7JDG-RFW6")."""
    return re.search(r"[-\s\u00a0]?".join(code), page) is not None


def _redeem(client, code: str):
    return client.post("/provider/redeem", data={"code": code})


def test_the_readme_names_the_commands_as_a_newcomer_types_them():
    assert "make run PORT=5001" in README
    assert ".venv/bin/flask ledger verify" in README
    assert ".venv/bin/flask mail outbox --to peserta@example.com" in README
    assert re.search(r"(?<![/\w])flask ledger verify", README) is None  # never a bare `flask`
    # /admin/orders belongs to the office: the provider's step doesn't send her there alone.
    provider_step = README[README.index("- Sign in as `lembaga@example.com`") :]
    provider_step = provider_step[: provider_step.index("- Sign in as `admin@example.com`")]
    assert "as `admin@example.com`" in provider_step


def test_the_readme_walk_works_as_written(demo):
    app = demo
    # The participant: her card's balance, her refunded order, a course completed and one in
    # the middle (demo/journeys.py), so that her scheme refuses another purchase.
    participant = _signed_in(app, PARTICIPANT)
    home = _text(participant.get("/account"))
    with app.app_context():
        mine = db.session.scalars(
            sa.select(Order)
            .join(Participant, Participant.id == Order.participant_id)
            .join(User, User.id == Participant.user_id)
            .where(User.email == PARTICIPANT)
            .order_by(Order.id)
        ).all()
        statuses = [order.status for order in mine]
        spent = sum(order.price for order in mine if order.status is not OrderStatus.REFUNDED)
        learning = next(order for order in mine if order.status is OrderStatus.REDEEMED)
        order_id, voucher = learning.id, learning.voucher_code
    assert statuses == [OrderStatus.REFUNDED, OrderStatus.COMPLETED, OrderStatus.REDEEMED]
    assert rupiah(1_000_000 - spent) in home and "Refunded" in home
    listing = participant.get(_walk_link())
    assert listing.status_code == 200
    offered = COURSE_LINK.findall(_text(listing))
    assert len(offered) >= 2, "the README's link lists too few courses"
    # Another purchase is refused, saying why, before any button.
    refused = _text(participant.get(f"/checkout/{offered[0].rsplit('/', 1)[1]}"))
    assert "one unfinished course at a time" in refused and "Send me a code" not in refused
    assert _shows(_text(participant.get(f"/account/orders/{order_id}")), voucher)

    # The provider: her voucher was used when she started her course; another participant's
    # unused voucher is redeemed once; an unknown code is not found.
    desk = _signed_in(app, PROVIDER)
    sessions = _text(desk.get("/provider"))
    # The cancelled webinar session keeps its four seats, an earlier one of it has two.
    assert "Cancelled" in sessions
    assert re.search(r"\b4 of \d+", sessions) and re.search(r"\b2 of \d+", sessions)
    # (The session that began as the seed ran, first, has three: its attendance is marked.)
    with app.app_context():
        taken = db.session.execute(
            sa.select(CourseSession.seats_taken, CourseSession.status, CourseSession.course_id)
            .where(CourseSession.seats_taken > 0)
            .order_by(CourseSession.starts_at)
        ).all()
        unused = db.session.scalar(
            sa.select(Order)
            .where(Order.status == OrderStatus.PAID, Order.session_id.is_(None))
            .order_by(Order.id)
            .limit(1)
        )
        unused_voucher, buyer = unused.voucher_code, unused.participant.full_name
    assert [(row.seats_taken, row.status) for row in taken] == [
        (3, SessionStatus.SCHEDULED),
        (2, SessionStatus.SCHEDULED),
        (4, SessionStatus.CANCELLED),
    ]
    assert taken[1].course_id == taken[2].course_id
    used = _redeem(desk, voucher)
    assert used.status_code == 400 and "already been used" in _text(used)
    redeemed = _redeem(desk, unused_voucher)
    assert redeemed.status_code == 302
    assert buyer in _text(desk.get(redeemed.headers["Location"]))
    again = _redeem(desk, unused_voucher)
    assert again.status_code == 400 and "already been used" in _text(again)
    unknown = _redeem(desk, "VCZZZZZZZZZZ")
    assert unknown.status_code == 400 and "not found" in _text(unknown)
    assert desk.get("/admin/orders").status_code == 403

    # The office's order pages show a paid order of the webinar and its redeem code, which
    # the provider can't use outside its hour around the session's start.
    office = _signed_in(app, OFFICE)
    assert office.get("/admin/orders").status_code == 200
    with app.app_context():
        booked = db.session.scalar(
            sa.select(Order)
            .where(Order.status == OrderStatus.PAID, Order.redeem_code.is_not(None))
            .order_by(Order.id)
            .limit(1)
        )
        booked_id, redeem_code = booked.id, booked.redeem_code
    order_page = _text(office.get(f"/admin/orders/{booked_id}"))
    assert _shows(order_page, redeem_code)
    found = _text(office.get("/admin/orders", query_string={"q": voucher}))
    assert f"#{order_id}" in found
    outside = _redeem(desk, redeem_code)
    assert outside.status_code == 400 and "works only from" in _text(outside)

    # And the books balance, as `.venv/bin/flask ledger verify` says.
    result = app.test_cli_runner().invoke(args=["ledger", "verify"])
    assert result.exit_code == 0 and "ledger ok" in result.output
