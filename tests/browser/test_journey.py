"""The whole way in a real browser: /register to a card, the verification mail read from a
real SMTP server on loopback, the programme office running selection in its own browser."""

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect
from support import smtp
from test_phone import NO_SIDEWAYS_SCROLL

from marketplace.core.base import utcnow
from marketplace.core.models import Province
from marketplace.extensions import db
from marketplace.money import ledger
from marketplace.money.models import Card
from marketplace.people import accounts
from marketplace.people.models import Role, User
from marketplace.programme import batches, online_test
from marketplace.programme.models import Batch

PHONE = {"width": 360, "height": 740}
smtp_server = smtp.smtp_server  # the fixture: a fresh loopback SMTP server per test

EMAIL = "rina.wulandari@example.com"
PASSWORD = "Belajar-Terus-2026"
ADMIN_EMAIL = "kantor@example.com"
NIK = "3201235708950004"  # Jawa Barat; a woman born 17 August 1995


@pytest.fixture
def app_config(smtp_server):
    return smtp_server.config


@pytest.fixture
def programme(app):
    """An open batch of the 2020 scheme, the question bank, a funded programme, an admin."""
    with app.app_context():
        db.session.add(Province(code="32", name="Jawa Barat", slug="jawa-barat"))
        batches.ensure_schemes()
        online_test.seed_questions()
        ledger.allocate_budget(100_000_000, "APBN")
        now = utcnow()
        batch = batches.create_batch(
            7, now - timedelta(days=1), now + timedelta(days=6), 100, "2020", None, actor=None
        )
        accounts.create_user(
            email=ADMIN_EMAIL, name="Kantor", password=PASSWORD, role=Role.ADMIN, verified=True
        )
        db.session.commit()
        return batch.id


@pytest.mark.browser
def test_from_register_to_a_card(app, new_context, live_server, smtp_server, programme):
    context = new_context()
    context.add_cookies([{"name": "lang", "value": "en", "url": live_server}])
    page = context.new_page()

    # 1. Register.
    page.goto("/register")
    page.fill("input[name=name]", "Rina Wulandari")
    page.fill("input[name=email]", EMAIL)
    page.fill("input[name=password]", PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/register/check-email$"))

    # 2. The verification mail arrives at the SMTP server; its link confirms the address.
    [mail] = smtp_server.wait_for(1)
    assert mail.recipient == EMAIL
    link = re.search(r"https?://\S+/verify-email/\S+", mail.body).group(0)
    assert link.startswith(live_server)  # the link goes to this site
    page.goto(link)
    page.get_by_role("button", name="Confirm my email address").click()
    page.wait_for_url(re.compile(r"/account$"))

    # 3. The profile, checked against what the NIK says, then confirmed.
    page.goto("/account/profile")
    page.fill("input[name=nik]", NIK)
    page.fill("input[name=kk]", "3201231201150003")
    page.fill("input[name=full_name]", "Rina Wulandari")
    page.fill("input[name=birth_day]", "17")
    page.fill("input[name=birth_month]", "8")
    page.fill("input[name=birth_year]", "1995")
    page.check("input[name=sex][value=female]")
    page.fill("input[name=phone]", "0812-3456-7890")
    page.select_option("select[name=province_id]", label="Jawa Barat")
    page.fill("input[name=city]", "Kabupaten Bogor")
    page.select_option("select[name=education]", value="sma")
    page.check("input[name=employment][value=laid_off]")
    page.locator("main form button[type=submit]").first.click()
    expect(page.get_by_role("button", name="Confirm and save")).to_be_visible()
    expect(page.locator("main")).to_contain_text("August 17, 1995")
    page.get_by_role("button", name="Confirm and save").click()
    page.wait_for_url(re.compile(r"/account$"))
    expect(page.locator("main")).to_contain_text("3201********0004")
    assert NIK not in page.content()

    # 4. The online test: 18 questions, one per page, then check and submit.
    page.goto("/account/test")
    page.get_by_role("button", name="Start the test").click()
    for _question in range(18):
        page.wait_for_url(re.compile(r"/account/test/\d+/\d+$"))
        page.locator("input[name=choice]").first.check()
        page.get_by_role("button", name="Save and continue").click()
    page.wait_for_url(re.compile(r"/account/test/\d+/submit$"))
    page.get_by_role("button", name="Submit the test").click()
    page.wait_for_url(re.compile(r"/account/test/\d+/result$"))

    # 5. Join the open batch.
    page.goto("/account/batches")
    page.get_by_role("button", name="Join batch 7").click()
    expect(page.locator("main")).to_contain_text("Waiting for results")

    # 6. The batch closes; the programme office runs selection in its own browser.
    with app.app_context():
        batch = db.session.get(Batch, programme)
        batch.closes_at = utcnow() - timedelta(minutes=1)
        db.session.commit()
    office = new_context().new_page()
    office.context.add_cookies([{"name": "lang", "value": "en", "url": live_server}])
    office.goto("/login")
    office.fill("input[name=email]", ADMIN_EMAIL)
    office.fill("input[name=password]", PASSWORD)
    office.locator("main form button[type=submit]").click()
    office.goto(f"/admin/batches/{programme}/select")
    office.get_by_role("button", name="Run selection").click(timeout=30_000)
    expect(office.locator("main")).to_contain_text("Accepted")

    # 7. The participant holds a card with the training balance and a deadline.
    page.goto("/account")
    main = page.locator("main")
    expect(main).to_contain_text("Your card")
    expect(main).to_contain_text("Rp1.000.000")
    expect(main).to_contain_text("Buy your first course within 30 days")
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.email == EMAIL))
        card = db.session.scalar(sa.select(Card).where(Card.participant_id == user.participant.id))
        number = card.number
        assert ledger.verify() == []
    expect(main).to_contain_text(f"{number[:4]}********{number[-4:]}")
    assert number not in page.content()
    subjects = [message.subject for message in smtp_server.wait_for(4)]
    assert "Your Kartu Prakerja has been issued" in subjects, subjects

    # 8. On a small phone, none of these pages scrolls sideways.
    for email, paths in (
        (EMAIL, ["/account", "/account/profile", "/account/batches", "/account/test",
                 "/register", "/password/forgot"]),
        (ADMIN_EMAIL, ["/admin/batches", f"/admin/batches/{programme}"]),
    ):  # fmt: skip
        phone = new_context(viewport=PHONE, is_mobile=True, has_touch=True).new_page()
        phone.goto("/login")
        phone.fill("input[name=email]", email)
        phone.fill("input[name=password]", PASSWORD)
        phone.locator("main form button[type=submit]").click()
        phone.wait_for_load_state()
        for path in paths:
            phone.goto(path)
            measured = phone.evaluate(NO_SIDEWAYS_SCROLL)
            assert measured["scrollWidth"] <= measured["innerWidth"] == 360, (path, measured)
