"""The README's demo walk, step by step as a newcomer would take it on the seeded demo: the
participant buys one of the demo provider's self-paced courses (the link the README gives),
the provider redeems its voucher code and is refused the others the README names, and the
programme office finds the order. If a step stops working, or the README stops naming it,
this fails."""

import re
from pathlib import Path

import sqlalchemy as sa

from marketplace.catalogue.models import CourseSession, SessionStatus
from marketplace.core.indonesia import rupiah
from marketplace.core.models import OutboxMail
from marketplace.extensions import db
from marketplace.orders.models import Order, OrderStatus
from marketplace.people.models import Participant, User
from marketplace.seed_data import DEMO_PASSWORD

README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
PARTICIPANT, PROVIDER, OFFICE = "peserta@example.com", "lembaga@example.com", "admin@example.com"
COURSE_LINK = re.compile(r'href="(/courses/[a-z0-9-]+)"')
CODE = re.compile(r"\b(\d{6})\b")


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


def _latest_code(app, email: str) -> str:
    with app.app_context():
        body = db.session.scalar(
            sa.select(OutboxMail.body)
            .where(OutboxMail.recipient == email)
            .order_by(OutboxMail.id.desc())
            .limit(1)
        )
    return CODE.search(body).group(1)


def _buy(app, client, course_path: str) -> int:
    """Checkout's two steps as the README says them; the new order's id."""
    slug = course_path.rsplit("/", 1)[1]
    check = client.get(f"/checkout/{slug}")
    assert check.status_code == 200 and "can't buy" not in _text(check)
    sent = client.post(f"/checkout/{slug}", data={})
    assert sent.status_code == 200, _text(sent)
    key = re.search(r'name="purchase_key" value="([^"]+)"', _text(sent)).group(1)
    done = client.post(
        "/checkout/confirm",
        data={"purchase_key": key, "code": _latest_code(app, PARTICIPANT), "course": slug},
    )
    assert done.status_code == 302, _text(done)
    return int(re.search(r"/account/orders/(\d+)$", done.headers["Location"]).group(1))


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
    # The participant: her card's balance, her refunded order, and room for one course.
    participant = _signed_in(app, PARTICIPANT)
    home = _text(participant.get("/account"))
    # Rp1.000.000 less the course she completed and reviewed (demo/journeys.py).
    with app.app_context():
        completed = db.session.scalar(
            sa.select(Order.price)
            .join(Participant, Participant.id == Order.participant_id)
            .join(User, User.id == Participant.user_id)
            .where(Order.status == OrderStatus.COMPLETED, User.email == PARTICIPANT)
        )
    assert rupiah(1_000_000 - completed) in home and "Refunded" in home
    listing = participant.get(_walk_link())
    assert listing.status_code == 200
    offered = COURSE_LINK.findall(_text(listing))
    assert len(offered) >= 2, "the README's link lists too few courses"
    order_id = _buy(app, participant, offered[0])
    page = _text(participant.get(f"/account/orders/{order_id}"))
    with app.app_context():
        voucher = db.session.get(Order, order_id).voucher_code
    assert _shows(page, voucher)
    # A second purchase is refused, saying why, before any button.
    second = _text(participant.get(f"/checkout/{offered[1].rsplit('/', 1)[1]}"))
    assert "one unfinished course at a time" in second and "Send me a code" not in second

    # The provider redeems her voucher once, and is refused the other codes the README names.
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
    assert [(row.seats_taken, row.status) for row in taken] == [
        (3, SessionStatus.SCHEDULED),
        (2, SessionStatus.SCHEDULED),
        (4, SessionStatus.CANCELLED),
    ]
    assert taken[1].course_id == taken[2].course_id
    redeemed = _redeem(desk, voucher)
    assert redeemed.status_code == 302
    assert "Siti Rahayu" in _text(desk.get(redeemed.headers["Location"]))
    again = _redeem(desk, voucher)
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
