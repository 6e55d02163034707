"""/account once the participant holds a card: it leads with the next step, the balance and
its deadline, and the courses bought; the checklist of steps to a card is for those without
one, and never says "Not needed"."""

import re
from datetime import timedelta

import sqlalchemy as sa
from support.checkout_rows import buy, card_of
from support.demo_world import DEMO_ACCOUNTS, signed_in
from support.factories import PASSWORD
from support.programme_rows import make_participant

from marketplace.catalogue.models import CourseSession, Provider
from marketplace.core.base import utcnow
from marketplace.core.indonesia import jakarta_date, rupiah
from marketplace.extensions import db
from marketplace.money.models import CardStatus
from marketplace.orders import redemption
from marketplace.orders.models import Order, OrderStatus
from marketplace.people.accounts import hash_password
from marketplace.people.models import Participant, User


def _client(app, email):
    client = app.test_client()
    client.set_cookie("lang", "en")
    response = client.post("/login", data={"email": email, "password": PASSWORD})
    assert response.status_code == 302
    return client


def _main(html: str) -> str:
    """The page's main content (the header and footer have links of their own)."""
    return html.split('<main id="main"', 1)[1].split("</main>", 1)[0]


def _holder(app, factory, issued_at=None):
    """A card holder who can sign in: (participant id, email)."""
    participant = factory.card_holder(issued_at or utcnow() - timedelta(days=23))
    return participant.id, participant.user.email


def test_a_new_card_holder_is_led_to_the_first_course_and_its_deadline(app, factory):
    participant_id, email = _holder(app, factory)
    html = _main(_client(app, email).get("/account").get_data(as_text=True))
    with app.app_context():
        deadline = card_of(participant_id).purchase_deadline_at
    # In order: the next step, the balance, the deadline with the days left, the courses.
    step = html.index("Your next step")
    first = html.index("Choose your first course before")
    balance = html.index("Rp1.000.000")
    left = (jakarta_date(deadline) - jakarta_date(utcnow())).days  # calendar days in WIB
    days = html.index(f"Buy your first course within {left} days")
    courses = html.index("Your courses")
    assert step < first < balance < days < courses
    # The deadline in WIB (UTC+7), by its date in the next step and with the clock below.
    wib = deadline + timedelta(hours=7)
    assert f"{wib:%H}:{wib:%M} WIB" in html
    assert f"{wib:%B} {wib.day}, {wib.year}" in html
    assert html.index('href="/courses"') < balance  # the step's button leads to the catalogue
    assert "You have not bought a course yet." in html
    # No checklist of steps behind her, no "Not needed".
    assert "Not needed" not in html and "Your steps to a card" not in html
    for link in ("/account/statement", "/account/profile", "/account/batches"):
        assert f'href="{link}"' in html


def test_the_indonesian_page_names_the_deadline_in_indonesian(app, factory):
    _participant_id, email = _holder(app, factory)
    client = _client(app, email)
    client.set_cookie("lang", "id")
    html = _main(client.get("/account").get_data(as_text=True))
    assert "Langkah Anda berikutnya" in html
    assert "Pilih pelatihan pertama Anda sebelum" in html
    assert "Tidak perlu" not in html


def test_a_booked_webinar_is_the_next_step_and_the_courses_show_their_sessions(app, factory, shop):
    participant_id, email = _holder(app, factory)
    with app.app_context():
        card_of(participant_id).scheme.one_unfinished_course = False
        webinar = buy(shop, shop.webinar, shop.webinar_session, who=participant_id)
        self_paced = buy(shop, shop.self_paced, who=participant_id)
        starts = db.session.get(CourseSession, shop.webinar_session).starts_at
        title = webinar.course.title
        webinar_id, self_paced_id = webinar.id, self_paced.id
        db.session.commit()
    html = _main(_client(app, email).get("/account").get_data(as_text=True))
    wib = starts + timedelta(hours=7)
    step = html.split("Your card", 1)[0]
    assert f'Your webinar <span lang="id">{title}</span> starts on' in step  # WCAG 3.1.2
    assert f"{wib:%H}:{wib:%M} WIB" in step
    assert f'href="/account/orders/{webinar_id}"' in step
    # The first purchase is made: no deadline, the card is valid.
    assert "Buy your first course within" not in html
    assert "the first-purchase deadline no longer applies" in html
    courses = html.split("Your courses", 1)[1]
    assert f'href="/account/orders/{webinar_id}"' in courses
    assert f'href="/account/orders/{self_paced_id}"' in courses
    assert f"{wib:%H}:{wib:%M} WIB" in courses
    assert "No session: at your own pace" in courses
    assert courses.count(">Paid<") == 2


def test_a_self_paced_course_leads_to_its_voucher_then_a_cancelled_session_shows(
    app, factory, shop
):
    participant_id, email = _holder(app, factory)
    with app.app_context():
        order = buy(shop, shop.self_paced, who=participant_id)
        order_id, platform = order.id, order.course.platform.name
        db.session.commit()
    client = _client(app, email)
    step = _main(client.get("/account").get_data(as_text=True)).split("Your card", 1)[0]
    assert f"type its voucher code on the course's page, here or on {platform}" in step
    assert f'href="/learn/{order_id}"' in step and f'href="/account/orders/{order_id}"' in step
    # Once the provider has taken the voucher, the step is to follow the course.
    with app.app_context():
        order = db.session.get(Order, order_id)
        redemption.redeem(db.session.get(Provider, shop.provider_id), order.voucher_code, utcnow())
        db.session.commit()
    step = _main(client.get("/account").get_data(as_text=True)).split("Your card", 1)[0]
    assert "to complete it." in step and "voucher" not in step
    assert f'href="/learn/{order_id}"' in step


def test_a_spent_card_and_a_revoked_card_say_so(app, factory):
    participant_id, email = _holder(app, factory)
    client = _client(app, email)
    with app.app_context():
        card = card_of(participant_id)
        card.status = CardStatus.REVOKED
        card.revoked_reason = "First-purchase deadline missed"
        db.session.commit()
    html = _main(client.get("/account").get_data(as_text=True))
    assert "Your card was revoked" in html and "Choose your first course" not in html
    assert "mailto:" in html


def test_without_a_card_the_checklist_has_no_not_needed_rows(app, factory):
    with app.app_context():
        participant = make_participant()
        participant.user.password_hash = hash_password(PASSWORD)
        email = participant.user.email
        db.session.commit()
    html = _main(_client(app, email).get("/account").get_data(as_text=True))
    assert "Your steps to a card" in html
    assert "Receive your card and training balance" in html
    assert "Not needed" not in html
    assert "Your next step" not in html and "Your courses" not in html


def test_the_demo_participant_sees_her_card_courses_and_next_step(demo):
    client = signed_in(demo, DEMO_ACCOUNTS["participant"])
    client.set_cookie("lang", "en")
    html = _main(client.get("/account").get_data(as_text=True))
    with demo.app_context():
        participant = db.session.scalar(
            sa.select(Participant).join(User).where(User.email == DEMO_ACCOUNTS["participant"])
        )
        orders = list(
            db.session.scalars(sa.select(Order).where(Order.participant_id == participant.id))
        )
        balance = card_of(participant.id).balance
    # Rp1.000.000 less the course she completed and reviewed and the one she is in the
    # middle of (demo/journeys.py).
    kept = [order for order in orders if order.status is not OrderStatus.REFUNDED]
    assert sorted(order.status.value for order in kept) == ["completed", "redeemed"]
    assert balance == 1_000_000 - sum(order.price for order in kept)
    left = rupiah(balance)
    step = html.index("Your next step")
    assert step < html.index(left) < html.index("Your courses")
    # Her webinar was cancelled and refunded, one course completed, another started: the
    # next step is to go on with it, on its learning page.
    learning = next(order for order in kept if order.status is OrderStatus.REDEEMED)
    assert "to complete it." in html and f'href="/learn/{learning.id}"' in html
    assert "Cancelled by the training provider" in html and "Refunded" in html
    for order in orders:
        assert f'href="/account/orders/{order.id}"' in html
    assert "Not needed" not in html and "Your steps to a card" not in html
    assert re.search(r'href="/account/statement"', html)


def test_change_email_link_only_when_that_page_exists(app, factory):
    """No link to a page that does not exist; the link once its endpoint is registered."""
    _participant_id, email = _holder(app, factory)
    exists = "account.email" in app.view_functions
    if not exists:  # registered here, before the app's first request, as the page would be
        app.add_url_rule("/account/email", "account.email", lambda: "the email page")
    html = _main(_client(app, email).get("/account").get_data(as_text=True))
    assert 'href="/account/email"' in html and "Change email address" in html


def test_no_change_email_link_without_that_page(app, factory):
    _participant_id, email = _holder(app, factory)
    html = _main(_client(app, email).get("/account").get_data(as_text=True))
    exists = "account.email" in app.view_functions
    assert ("Change email address" in html) is exists
