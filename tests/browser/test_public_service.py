"""A public service people trust (issue 11), on a small Android phone (360×740):

1. the start page says who can apply and what they get, and "Daftar sekarang" leads to
   registering; a mistyped address is corrected on the check-your-email page and the
   verification mail (read from a real SMTP server on loopback) goes to the new address only;
2. a card holder buys a course: the code page names the masked address and until when the
   code works, "resend the code" mails a new one and the old one is refused, the order page
   names the platform, the provider, the steps and the code in groups, and the confirmation
   mail carries the order number, course, price, new balance and code;
3. the card holder's /account leads with the next step, the balance and the deadline, and
   lists the course once bought;
4. the help pages open from the footer, each with its heading, in Indonesian and English.

No page scrolls sideways at 360 px; every page visited is checked by axe-core (conftest).
"""

import re
import time
from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask_babel import force_locale, gettext
from playwright.sync_api import expect
from support import smtp
from support.factories import PASSWORD
from test_phone import NO_SIDEWAYS_SCROLL

from marketplace.catalogue.models import Course
from marketplace.core.base import utcnow
from marketplace.core.indonesia import in_jakarta, rupiah
from marketplace.core.models import Province
from marketplace.extensions import db
from marketplace.money import ledger
from marketplace.money.models import Card
from marketplace.orders import checkout
from marketplace.orders.models import Order, PurchaseCode
from marketplace.orders.redemption import grouped
from marketplace.people.models import Participant, User
from marketplace.people.participants import MAX_AGE, MIN_AGE
from marketplace.programme import batches
from marketplace.web.checkout.views import masked_address
from marketplace.web.formatting import long_date

PHONE = {"width": 360, "height": 740}
smtp_server = smtp.smtp_server  # the fixture: a fresh loopback SMTP server per test

MISTYPED = "rina.wulandari@gmial.com"
RIGHT = "rina.wulandari@gmail.com"
NEW_PASSWORD = "Belajar-Terus-2026"
BALANCE = 1_000_000  # the 2020 scheme's training balance
PRICE = 350_000


@pytest.fixture
def app_config(smtp_server):
    return smtp_server.config


@pytest.fixture
def id_(app):
    """id_(message, **values): the message as the Indonesian page says it. The words come
    from the catalogue the site uses, so rewording a translation does not break this proof;
    what it proves is that the page shows the message, translated."""

    def say(message: str, **values) -> str:
        with app.app_context(), force_locale("id"):
            text = gettext(message, **values)
        assert text != message % values if values else text != message, message
        return text

    return say


@pytest.fixture
def phone(new_context):
    """A page on a 360×740 touch phone (its own cookies)."""
    return new_context(viewport=PHONE, is_mobile=True, has_touch=True).new_page()


def no_sideways_scroll(page) -> None:
    measured = page.evaluate(NO_SIDEWAYS_SCROLL)
    assert measured["innerWidth"] == 360, measured
    assert measured["scrollWidth"] <= 360, (page.url, measured)


def sign_in(page, email: str) -> None:
    page.goto("/login")
    page.locator("#email").fill(email)
    page.locator("#password").fill(PASSWORD)
    page.locator("main button[type=submit]").click()
    page.wait_for_url(re.compile(r"/account$"))


@pytest.fixture
def open_batch(app):
    """Batch 7 of the 2020 scheme, open for six more days."""
    with app.app_context():
        db.session.add(Province(code="32", name="Jawa Barat", slug="jawa-barat"))
        batches.ensure_schemes()
        ledger.allocate_budget(100_000_000, "APBN")
        now = utcnow()
        batches.create_batch(
            7, now - timedelta(days=1), now + timedelta(days=6), 100, "2020", None, actor=None
        )
        db.session.commit()


@pytest.mark.browser
def test_start_page_to_a_verified_address_after_a_correction(
    app, phone, smtp_server, open_batch, id_
):
    page = phone
    page.goto("/")
    main = page.locator("main")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    # Who can apply (the ages the code checks), what you get (the scheme's amounts), the batch.
    who = page.locator("#siapa-bisa-daftar")
    expect(who.get_by_role("heading", name=id_("Who can apply"))).to_be_visible()
    expect(who).to_contain_text(f"{MIN_AGE}")
    expect(who).to_contain_text(f"{MAX_AGE}")
    get = page.locator("#yang-didapat")
    expect(get.get_by_role("heading", name=id_("What you get"))).to_be_visible()
    expect(get).to_contain_text(rupiah(BALANCE))
    expect(page.locator("#gelombang")).to_contain_text(id_("Batch %(number)s is open", number=7))
    no_sideways_scroll(page)

    # "Daftar sekarang" leads to registering; the address is mistyped.
    page.get_by_role("button", name=id_("Register now"), exact=True).click()
    page.wait_for_url(re.compile(r"/register$"))
    no_sideways_scroll(page)
    page.get_by_label(id_("Full name")).fill("Rina Wulandari")
    page.get_by_label(id_("Email address")).fill(MISTYPED)
    page.get_by_label(id_("Create a password")).fill(NEW_PASSWORD)
    page.get_by_role("button", name=id_("Create account")).click()
    page.wait_for_url(re.compile(r"/register/check-email$"))
    expect(main.get_by_role("heading", level=1)).to_have_text(id_("Check your email"))
    expect(main).to_contain_text(MISTYPED)
    [first] = smtp_server.wait_for(1)
    assert first.recipient == MISTYPED
    old_link = re.search(r"https?://\S+/verify-email/\S+", first.body).group(0)
    no_sideways_scroll(page)

    # The address is corrected on the same page; the link goes to the new address.
    page.get_by_label(id_("The right email address")).fill(RIGHT)
    page.get_by_role("button", name=id_("Send the link to this address")).click()
    page.wait_for_url(re.compile(r"/register/check-email$"))
    expect(main).to_contain_text(id_("We have sent a new link to %(email)s.", email=RIGHT))
    expect(main).not_to_contain_text(MISTYPED)
    no_sideways_scroll(page)
    smtp_server.wait_for(2)
    [mail] = smtp_server.to(RIGHT)
    link = re.search(r"https?://\S+/verify-email/\S+", mail.body).group(0)
    assert link != old_link

    # The link sent to the mistyped address no longer works.
    response = page.goto(old_link)
    assert response.status == 400
    expect(page.get_by_role("button", name=id_("Confirm my email address"))).to_have_count(0)

    # The new link confirms the new address.
    page.goto(link)
    no_sideways_scroll(page)
    page.get_by_role("button", name=id_("Confirm my email address")).click()
    page.wait_for_url(re.compile(r"/account$"))
    expect(main).to_contain_text(id_("Your email address is confirmed. Thank you."))
    expect(main).to_contain_text(RIGHT)
    no_sideways_scroll(page)
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.name == "Rina Wulandari"))
        assert user.email == RIGHT and user.verified_at is not None

    # The mistyped address got the first mail and nothing after the correction.
    assert len(smtp_server.to(MISTYPED)) == 1
    assert [m.recipient for m in smtp_server.messages] == [MISTYPED, RIGHT]


@pytest.fixture
def holder(app, factory):
    """A card holder (Indonesian, a Rp1.000.000 card issued now) and a self-paced course on
    a platform with a web address; (the holder's email, the course's slug and title)."""
    email = factory.card_holder(utcnow(), locale="id").user.email
    platform = factory.platform("Sekolah Daring")
    provider = factory.provider("LPK Cahaya Mandiri", platform=platform)
    course = factory.course("Microsoft Excel untuk Pemula", provider=provider, price=PRICE)
    with app.app_context():
        db.session.get(type(platform), platform.id).url = "https://sekolah-daring.example.com/"
        db.session.commit()
    return email, course.slug, course.title


def mails(smtp_server, email: str, subject: str, count: int = 1, timeout: float = 5.0) -> list:
    """The mails to `email` with `subject`, once at least `count` have arrived."""
    deadline = time.monotonic() + timeout
    while True:
        found = [m for m in smtp_server.to(email) if m.subject == subject]
        if len(found) >= count or time.monotonic() > deadline:
            assert len(found) >= count, (subject, [m.subject for m in smtp_server.messages])
            return found
        time.sleep(0.05)


def code_in(mail) -> str:
    return re.search(r"\b(\d{6})\b", mail.body).group(1)


@pytest.mark.browser
def test_buying_with_a_resent_code_on_a_phone(app, phone, smtp_server, holder, id_):
    email, slug, title = holder
    code_subject = id_("Your code to confirm a purchase")
    new_code_subject = id_("Your new code to confirm a purchase")
    page = phone
    sign_in(page, email)
    main = page.locator("main")
    page.goto(f"/courses/{slug}")
    no_sideways_scroll(page)
    page.get_by_role("link", name=id_("Buy with Kartu Prakerja")).click()
    page.wait_for_url(re.compile(rf"/checkout/{slug}$"))
    expect(main).to_contain_text(rupiah(BALANCE - PRICE))
    no_sideways_scroll(page)
    page.get_by_role("button", name=id_("Send me a code")).click()

    # The code page: where the code went (masked) and until when it works.
    expect(main.get_by_role("heading", level=1)).to_have_text(id_("Enter your code"))
    masked = masked_address(email)
    assert masked != email and masked.endswith("@example.com")
    expect(main).to_contain_text(
        id_("We sent a 6-digit code to your email address, %(address)s.", address=masked)
    )
    assert email not in page.content()
    with app.app_context():
        row = db.session.scalar(sa.select(PurchaseCode))
        expires = in_jakarta(row.expires_at)
    expect(page.locator("#code-expiry")).to_have_text(
        id_("Valid until %(time)s.", time=f"{expires:%H}.{expires:%M} WIB")
    )
    no_sideways_scroll(page)
    [first] = mails(smtp_server, email, code_subject)
    old_code = code_in(first)

    # Too soon for a new code: the page says from when, and nothing is mailed.
    page.get_by_role("button", name=id_("Resend the code")).click()
    expect(page.locator("#problem")).to_contain_text("WIB")
    assert [m.subject for m in smtp_server.to(email)].count(code_subject) == 1

    # A minute later a new code is mailed; the old one no longer works.
    with app.app_context():
        row = db.session.scalar(sa.select(PurchaseCode))
        row.created_at -= timedelta(minutes=2)
        db.session.commit()
    page.get_by_role("button", name=id_("Resend the code")).click()
    expect(main).to_contain_text(
        id_(
            "We sent a new code to %(address)s. The code in any earlier email no longer works.",
            address=masked,
        )
    )
    [resent] = mails(smtp_server, email, new_code_subject)
    new_code = code_in(resent)
    assert new_code != old_code
    no_sideways_scroll(page)

    page.get_by_label(id_("Code")).fill(old_code)
    page.get_by_role("button", name=id_("Confirm the purchase")).click()
    expect(page.locator(".error-summary")).to_be_visible()
    expect(page).to_have_title(re.compile("^" + re.escape(id_("Error:"))))
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Order)) == 0
    no_sideways_scroll(page)

    page.get_by_label(id_("Code")).fill(new_code)
    page.get_by_role("button", name=id_("Confirm the purchase")).click()
    page.wait_for_url(re.compile(r"/account/orders/\d+$"))
    order_id = int(page.url.rsplit("/", 1)[1])
    with app.app_context():
        order = db.session.get(Order, order_id)
        voucher = grouped(order.voucher_code)
    assert re.fullmatch(r"[A-Z0-9]{4}(-[A-Z0-9]{4})+", voucher), voucher

    # The order page: platform, provider, numbered steps, the code in groups, the balance.
    expect(main).to_contain_text(id_("Your purchase is complete."))
    expect(main.locator(".panel .order-code")).to_have_text(voucher)
    expect(main).to_contain_text(id_("Order number %(number)s", number=order_id))
    steps = main.locator("#next ol.steps > li")
    expect(steps).to_have_count(4)
    expect(steps.nth(0)).to_contain_text(
        id_(
            "Open %(platform)s, the digital platform where this course is given.",
            platform="Sekolah Daring",
        )
    )
    expect(steps.nth(0).get_by_role("link", name="Sekolah Daring")).to_have_attribute(
        "href", "https://sekolah-daring.example.com/"
    )
    expect(steps.nth(1)).to_contain_text(email)
    expect(steps.nth(2)).to_contain_text(voucher)
    expect(steps.nth(2)).to_contain_text("LPK Cahaya Mandiri")
    facts = main.locator(".summary-list")
    expect(facts).to_contain_text(id_("Training provider"))
    expect(facts).to_contain_text("LPK Cahaya Mandiri")
    expect(facts).to_contain_text(id_("Digital platform"))
    expect(facts).to_contain_text("Sekolah Daring")
    expect(facts).to_contain_text(rupiah(PRICE))
    expect(facts).to_contain_text(rupiah(BALANCE - PRICE))
    no_sideways_scroll(page)

    # The confirmation mail, in the buyer's language.
    subject = id_("Order %(number)s: you have bought %(course)s", number=order_id, course=title)
    [confirmation] = mails(smtp_server, email, subject)
    for fact in (str(order_id), title, rupiah(PRICE), rupiah(BALANCE - PRICE), voucher):
        assert fact in confirmation.body, (fact, confirmation.body)
    assert f"/account/orders/{order_id}" in confirmation.body
    # One code mail, one new code (none for the refused early resend), one confirmation.
    subjects = [m.subject for m in smtp_server.to(email)]
    assert subjects.count(code_subject) == subjects.count(new_code_subject) == 1, subjects


@pytest.mark.browser
def test_a_card_holders_account_leads_with_the_next_step(app, new_context, live_server, factory):
    holder = factory.card_holder(utcnow())  # English
    email = holder.user.email
    course = factory.course("Dasar Pemrograman Python", price=PRICE)
    with app.app_context(), force_locale("en"):
        card = db.session.scalar(sa.select(Card).where(Card.participant_id == holder.id))
        deadline = long_date(card.purchase_deadline_at)
        number = card.masked_number
    page = new_context(viewport=PHONE, is_mobile=True, has_touch=True).new_page()
    sign_in(page, email)
    main = page.locator("main")

    # Before buying: the next step first, then the card's balance and deadline.
    headings = main.get_by_role("heading", level=2)
    expect(headings.first).to_have_text("Your next step")
    expect(headings.nth(1)).to_have_text("Your card")
    next_step = main.locator(".next-step")
    expect(next_step).to_contain_text(f"Choose your first course before {deadline}.")
    expect(next_step.get_by_role("link", name="Find a course")).to_be_visible()
    expect(next_step).to_be_in_viewport()
    card_box = main.locator(".card-summary")
    expect(card_box.locator(".card-summary__balance")).to_have_text(rupiah(BALANCE))
    expect(card_box).to_contain_text(number)
    expect(card_box).to_contain_text("Buy your first course within 30 days")
    expect(main).to_contain_text("You have not bought a course yet.")
    no_sideways_scroll(page)

    # Bought (through the service): the course is listed and the next step is to start it.
    with app.test_request_context("/checkout/confirm", method="POST"):
        participant = db.session.get(Participant, holder.id)
        row, code = checkout.begin(participant, db.session.get(Course, course.id), None, utcnow())
        checkout.confirm(participant, row.purchase_key, code, utcnow())
        db.session.commit()
    page.reload()
    expect(headings.first).to_have_text("Your next step")
    expect(next_step).to_contain_text(
        "Start Dasar Pemrograman Python: type its voucher code on the course's page"
    )
    expect(card_box.locator(".card-summary__balance")).to_have_text(rupiah(BALANCE - PRICE))
    expect(card_box).not_to_contain_text("Buy your first course within")
    courses = main.locator("section", has=page.get_by_role("heading", name="Your courses"))
    expect(courses.get_by_role("link", name="Dasar Pemrograman Python")).to_be_visible()
    no_sideways_scroll(page)


# The help pages: their paths and headings (the words of their footer links too).
HELP_PAGES = [
    ("/contact", "Contact us"),
    ("/privacy", "Privacy notice"),
    ("/accessibility", "Accessibility statement"),
    ("/terms", "Terms of use"),
]


def _has_route(app, path: str) -> bool:
    return any(rule.rule == path for rule in app.url_map.iter_rules())


@pytest.mark.browser
def test_help_pages_open_from_the_footer_in_both_languages(app, phone, id_):
    page = phone
    pages = list(HELP_PAGES)
    if _has_route(app, "/glossary"):  # added while this was written
        pages.append(("/glossary", "Programme words"))
    for path, english in pages:
        indonesian = id_(english)
        # From the footer, in Indonesian.
        page.goto("/")
        link = page.locator("footer").locator(f'a[href="{path}"]')
        expect(link).to_have_text(indonesian)
        link.click()
        page.wait_for_url(re.compile(rf"{path}$"))
        heading = page.get_by_role("heading", level=1)
        expect(page.locator("html")).to_have_attribute("lang", "id")
        expect(heading).to_have_text(indonesian)
        no_sideways_scroll(page)

        # The language switch: the same page in English.
        page.locator(".language-switch").get_by_role("link", name="English").click()
        page.wait_for_url(re.compile(rf"{path}$"))
        expect(page.locator("html")).to_have_attribute("lang", "en")
        expect(heading).to_have_text(english)
        expect(page.locator("footer").locator(f'a[href="{path}"]')).to_have_text(english)
        no_sideways_scroll(page)

        # And back to Indonesian, for the next page.
        page.locator(".language-switch").get_by_role("link", name="Bahasa Indonesia").click()
        page.wait_for_url(re.compile(rf"{path}$"))
        expect(heading).to_have_text(indonesian)
