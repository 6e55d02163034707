"""A course's way into the catalogue in a real browser on a 360 px phone, in Indonesian,
through the pages only: a provider's staff member creates a self-paced course in "Your
courses" (its details, two modules with their lessons and quizzes, the tests' question bank),
sees the training standard's findings go as the course fills up, and submits it; the
programme office finds it in the curation queue with its checks and approves it; an
anonymous visitor finds it by the catalogue search; a participant buys it with their card;
the provider's settlement statement counts the sale.

The database is only read (the purchase code from the outbox, the rows at the end) and used
to set up the accounts, the category and the card, as the other browser tests do.

Screenshots of the editor's overview with findings, the curation queue, the decision page
and the settlement are taken at 360 px into pytest's tmp dir; with SCREENSHOT_DIR set (for
example `SCREENSHOT_DIR=docs/screenshots`) they are written there too.
"""

import os
import re
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask_babel import force_locale, gettext
from playwright.sync_api import expect
from support.factories import PASSWORD
from test_phone import NO_SIDEWAYS_SCROLL

from marketplace.catalogue.models import Course, CourseStatus, Method
from marketplace.core.base import utcnow
from marketplace.core.models import OutboxMail
from marketplace.curation import standard
from marketplace.extensions import db
from marketplace.orders.models import Order, OrderStatus
from marketplace.people.models import Role
from marketplace.programme import batches

PHONE = {"width": 360, "height": 740}
PROVIDER = "LPK Dapur Nusantara"
WORD = "Rendang"  # in the title only: the catalogue search finds the course by it
TITLE = f"Memasak {WORD} Padang untuk Usaha Katering Rumahan"
PRICE = 450_000
DETAILS = {
    "title": TITLE,
    "summary": "Memasak rendang yang awet dan menjualnya lewat pesanan katering dari rumah.",
    "description": (
        "Pelatihan ini mengajarkan cara memasak rendang Padang dalam jumlah besar dengan rasa "
        "yang tetap, menghitung harga pokok per porsi, mengemas rendang agar awet, dan "
        "menerima pesanan katering dari rumah."
    ),
    "outcomes": "Memasak rendang dalam jumlah besar\nMenghitung harga pokok per porsi",
    "audience": "Ibu rumah tangga dan pelaku usaha kuliner rumahan",
    "price": str(PRICE),
    "pass_mark": "70",
    "test_tries": "3",
}
MODULES = (
    (
        "Bumbu dan bahan rendang",
        "## Bumbu dasar\nBumbu dihaluskan, lalu ditumis.\n- Cabai\n- Lengkuas",
    ),
    ("Mengemas dan menjual", "## Kemasan\nRendang dikemas rapat agar awet.\n- Vakum\n- Label"),
)
QUIZ = (
    ("Bumbu apa yang memberi rasa pedas?", ("Cabai", "Gula", "Garam"), 1),
    ("Bagaimana rendang dikemas agar awet?", ("Terbuka", "Rapat", "Basah"), 2),
)
BANK = (
    ("Berapa lama rendang dimasak?", ("Sepuluh menit", "Beberapa jam", "Semalam"), 2),
    ("Apa gunanya harga pokok per porsi?", ("Menentukan harga jual", "Memilih warna"), 1),
    ("Santan dimasak sampai?", ("Mendidih sebentar", "Kering dan berminyak"), 2),
    ("Apa yang ditulis pada label?", ("Tanggal masak", "Nama tetangga"), 1),
    ("Pesanan katering dicatat di mana?", ("Buku pesanan", "Dinding dapur"), 1),
)
FIRST_BATCH = 2  # test questions written before the screenshot with findings


@pytest.fixture
def id_(app):
    """id_(message, **values): the message as the Indonesian page says it."""

    def say(message: str, **values) -> str:
        with app.app_context(), force_locale("id"):
            return gettext(message, **values)

    return say


@pytest.fixture
def people(app, factory):
    """A provider with one member of staff, the office, a participant with a 2020 card of
    Rp1.000.000, a category and the schemes (so the training standard is in force)."""
    provider = factory.provider(
        PROVIDER, platform=factory.platform("Pintaria"), province=factory.province()
    )
    category = factory.category("Kuliner", "Culinary")
    staff = factory.user(Role.PROVIDER, email="staf@dapurnusantara.example", provider=provider)
    office = factory.user(Role.ADMIN, email="kurator@prakerja.example")
    buyer = factory.card_holder(utcnow(), locale="id")
    with app.app_context():
        batches.ensure_schemes()
        db.session.commit()
    return {
        "staff": staff.email,
        "office": office.email,
        "buyer": buyer.user.email,
        "category": category.id,
    }


@pytest.fixture
def shots(tmp_path):
    """shot(page, name): a full-page PNG in tmp_path, and in SCREENSHOT_DIR when it is set
    (there in 256 colours, about a third of the size, for the docs)."""
    kept = os.environ.get("SCREENSHOT_DIR")

    def shot(page, name: str) -> Path:
        path = tmp_path / f"{name}.png"
        page.screenshot(path=path, full_page=True)
        assert path.read_bytes().startswith(b"\x89PNG")
        if kept:
            from PIL import Image  # Pillow comes with fpdf2

            Path(kept).mkdir(parents=True, exist_ok=True)
            with Image.open(path) as picture:
                small = picture.convert("RGB").quantize(
                    colors=256, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE
                )
                small.save(Path(kept) / f"{name}.png", optimize=True)
        return path

    return shot


def phone(new_context, live_server):
    """A fresh 360 px phone context (own cookies) showing the site in Indonesian."""
    context = new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    context.add_cookies([{"name": "lang", "value": "id", "url": live_server}])
    return context.new_page()


def sign_in(page, email: str) -> None:
    page.goto("/login")
    page.locator("#email").fill(email)
    page.locator("#password").fill(PASSWORD)
    page.locator("main button[type=submit]").click()
    page.wait_for_url(lambda url: "/login" not in url)


def no_sideways_scroll(page) -> None:
    measured = page.evaluate(NO_SIDEWAYS_SCROLL)
    assert measured["innerWidth"] == 360
    assert measured["scrollWidth"] <= measured["innerWidth"], (page.url, measured)


def write_question(page, id_, prompt: str, choices: tuple, right: int, button: str) -> None:
    """Fill the question form (right: the right answer's box, from 1) and press `button`."""
    page.get_by_label(id_("Question"), exact=True).fill(prompt)
    for number, choice in enumerate(choices, start=1):
        page.get_by_label(id_(f"Answer {number}"), exact=True).fill(choice)
    page.get_by_label(id_("Answer %(number)s is the right one", number=right)).check()
    page.get_by_role("button", name=button, exact=True).click()


def findings_on(page) -> list[str]:
    return page.locator("main .course-editor__findings li").all_inner_texts()


@pytest.mark.browser
def test_a_provider_lists_a_course_the_office_approves_it_and_a_participant_buys_it(
    app, new_context, live_server, people, id_, shots
):
    rules = standard.DEFAULTS
    minutes = rules["min_hours_self_paced"] * 60 // len(MODULES)  # adds up to the least hours
    assert len(MODULES) >= rules["min_modules"] and len(BANK) >= rules["min_test_questions"]

    # --- 1. The provider's staff member writes the course and submits it. -------------------
    page = phone(new_context, live_server)
    main = page.locator("main")
    sign_in(page, people["staff"])
    page.get_by_role("navigation", name=id_("Main menu")).get_by_role(
        "link", name=id_("Your courses")
    ).click()
    page.wait_for_url(re.compile(r"/provider/courses$"))
    expect(main.get_by_role("heading", level=1)).to_have_text(id_("Your courses"))
    expect(main).to_contain_text(id_("No courses yet"))
    no_sideways_scroll(page)

    main.get_by_role("link", name=id_("Create a course")).click()
    page.wait_for_url(re.compile(r"/provider/courses/new$"))
    for name in ("title", "summary", "description", "outcomes", "audience", "price"):
        page.locator(f"#{name}").fill(DETAILS[name])
    page.locator("#category_id").select_option(str(people["category"]))
    page.locator("#method").select_option("self_paced")
    page.locator("#level").select_option("beginner")
    page.locator("#pass_mark").fill(DETAILS["pass_mark"])
    page.locator("#test_tries").fill(DETAILS["test_tries"])
    no_sideways_scroll(page)
    page.get_by_role("button", name=id_("Create the course")).click()
    page.wait_for_url(re.compile(r"/provider/courses/\d+$"))
    overview = page.url
    course_id = int(overview.rsplit("/", 1)[1])
    expect(main.get_by_role("heading", level=1)).to_have_text(TITLE)
    # A new course has no modules nor questions: the standard says so beside each part.
    expect(main.locator("#finding-modules")).to_contain_text(
        id_("A course has at least %(count)s modules.", count=rules["min_modules"])
    )

    for number, ((title, lesson), (prompt, choices, right)) in enumerate(
        zip(MODULES, QUIZ, strict=True), start=1
    ):
        page.goto(overview)
        main.get_by_role("link", name=id_("Add a module")).click()
        page.get_by_label(id_("Module title")).fill(title)
        page.get_by_label(id_("Length in minutes")).fill(str(minutes))
        page.get_by_label(id_("Lesson"), exact=True).fill(lesson)
        page.get_by_role("button", name=id_("Add the module")).click()
        page.wait_for_url(re.compile(rf"/provider/courses/{course_id}/modules/{number}$"))
        expect(main).to_contain_text(id_("Module %(number)s has been added.", number=number))
        main.get_by_role("link", name=id_("Add a quiz question")).click()
        write_question(page, id_, prompt, choices, right, id_("Add the question"))
        page.wait_for_url(re.compile(rf"/modules/{number}(#quiz)?$"))
        expect(main.locator("#quiz")).to_contain_text(prompt)
        no_sideways_scroll(page)

    page.goto(overview)
    main.get_by_role("link", name=id_("Add a question")).click()
    for index, (prompt, choices, right) in enumerate(BANK[:FIRST_BATCH]):
        last = index == FIRST_BATCH - 1
        button = id_("Add the question") if last else id_("Add it and write another")
        write_question(page, id_, prompt, choices, right, button)
        expect(main).to_contain_text(id_("Question %(number)s has been added.", number=index + 1))
    page.wait_for_url(re.compile(rf"/provider/courses/{course_id}(#questions)?$"))
    # Modules and hours meet the standard now; the test bank does not yet.
    expect(main.locator("#finding-modules")).to_have_count(0)
    expect(main.locator("#finding-questions")).to_contain_text(
        id_(
            "The pre-test and post-test draw from at least %(count)s questions; "
            "the course has %(have)s.",
            count=rules["min_test_questions"],
            have=FIRST_BATCH,
        )
    )
    assert len(findings_on(page)) == 1
    no_sideways_scroll(page)
    shots(page, "provider-course")

    main.get_by_role("link", name=id_("Add a question")).click()
    rest = BANK[FIRST_BATCH:]
    for index, (prompt, choices, right) in enumerate(rest):
        last = index == len(rest) - 1
        button = id_("Add the question") if last else id_("Add it and write another")
        write_question(page, id_, prompt, choices, right, button)
    page.wait_for_url(re.compile(rf"/provider/courses/{course_id}(#questions)?$"))
    assert findings_on(page) == []
    expect(main.locator(".course-editor__findings")).to_have_count(0)
    expect(main).to_contain_text(id_("The course meets every rule of the training standard."))
    for prompt, _choices, _right in BANK:
        expect(main.locator("#questions")).to_contain_text(prompt)

    main.get_by_role("button", name=id_("Submit for curation")).click()
    page.wait_for_url(re.compile(rf"/provider/courses/{course_id}$"))
    expect(main).to_contain_text(
        id_(
            "The course has been sent for curation. The programme office checks it against "
            "the training standard; you get an email when it has decided."
        )
    )
    expect(main.locator(".tag").first).to_have_text(id_("Waiting for curation"))
    main.get_by_role("link", name=id_("Your courses")).click()
    expect(main.locator(".task-list__item", has_text=TITLE)).to_contain_text(
        id_("Waiting for curation")
    )

    # --- 2. The office finds it in the queue with its checks and approves it. ---------------
    office = phone(new_context, live_server)
    office_main = office.locator("main")
    sign_in(office, people["office"])
    office.get_by_role("navigation", name=id_("Main menu")).get_by_role(
        "link", name=id_("Curation")
    ).click()
    office.wait_for_url(re.compile(r"/admin/curation$"))
    item = office_main.locator(".curation-item", has_text=TITLE)
    expect(item).to_have_count(1)
    expect(item).to_contain_text(PROVIDER)
    expect(item).to_contain_text(id_("First listing"))
    # Every check worked out at submission, none needing the curator's eye.
    labels = item.locator(".curation-check__label").all_inner_texts()
    for label in ("Hours", "Price", "Modules", "Test questions", "Outcomes"):
        assert f"{id_(label)}:" in labels, labels
    expect(item.locator(".curation-check--flagged")).to_have_count(0)
    expect(item.locator(".curation-check .tag--green")).to_have_count(len(labels))
    expect(item).to_contain_text(
        id_(
            "%(hours)s hours; the least for its method is %(least)s",
            hours=rules["min_hours_self_paced"],
            least=rules["min_hours_self_paced"],
        )
    )
    expect(item).to_contain_text(
        id_("%(count)s; at least %(least)s", count=len(BANK), least=rules["min_test_questions"])
    )
    no_sideways_scroll(office)
    shots(office, "curation-queue")

    item.get_by_role("link", name=id_("Read and decide")).click()
    office.wait_for_url(re.compile(r"/admin/curation/\d+$"))
    expect(office_main.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(office_main).to_contain_text(PROVIDER)
    for title, _lesson in MODULES:
        expect(office_main).to_contain_text(title)
    for prompt, choices, right in (*QUIZ, *BANK):
        question = office_main.locator(".curation-question", has_text=prompt)
        expect(question.locator(".curation-choice--right")).to_contain_text(choices[right - 1])
    no_sideways_scroll(office)
    shots(office, "curation-decision")

    office.get_by_label(id_("Approve: list it in the catalogue")).check()
    office.get_by_role("button", name=id_("Save the decision")).click()
    office.wait_for_url(re.compile(r"/admin/curation$"))
    expect(office_main).to_contain_text(
        id_("Approved: \u201c%(title)s\u201d is in the catalogue now.", title=TITLE)
    )
    expect(office_main).to_contain_text(id_("No course is waiting for curation."))

    # --- 3. An anonymous visitor finds it by the catalogue search. --------------------------
    visitor = phone(new_context, live_server)
    visitor.goto(f"/courses?q={WORD.lower()}")
    card = visitor.locator("main .course-card", has_text=TITLE)
    expect(card).to_have_count(1)
    expect(card).to_contain_text("Rp450.000")
    no_sideways_scroll(visitor)
    card.get_by_role("link", name=TITLE).click()
    visitor.wait_for_url(re.compile(r"/courses/[^/?]+$"))
    slug = visitor.url.rsplit("/", 1)[1]
    expect(visitor.locator("main h1")).to_have_text(TITLE)
    expect(visitor.locator("main")).to_contain_text(MODULES[0][0])

    # --- 4. A participant with a card buys it through checkout. -----------------------------
    buyer = phone(new_context, live_server)
    buyer_main = buyer.locator("main")
    sign_in(buyer, people["buyer"])
    buyer.goto(f"/courses/{slug}")
    buyer_main.get_by_role("link", name=id_("Buy with Kartu Prakerja")).click()
    buyer.wait_for_url(re.compile(rf"/checkout/{slug}$"))
    expect(buyer_main).to_contain_text("Rp1.000.000")
    expect(buyer_main).to_contain_text("Rp550.000")  # what the card keeps
    no_sideways_scroll(buyer)
    buyer.get_by_role("button", name=id_("Send me a code")).click()
    expect(buyer_main.get_by_role("heading", level=1)).to_have_text(id_("Enter your code"))
    with app.app_context():
        body = db.session.scalar(
            sa.select(OutboxMail.body)
            .where(OutboxMail.recipient == people["buyer"])
            .order_by(OutboxMail.id.desc())
            .limit(1)
        )
    code = re.search(r"\b(\d{6})\b", body).group(1)
    buyer.get_by_label(id_("Code"), exact=True).fill(code)
    buyer.get_by_role("button", name=id_("Confirm the purchase")).click()
    buyer.wait_for_url(re.compile(r"/account/orders/\d+$"))
    expect(buyer_main).to_contain_text(TITLE)
    expect(buyer_main).to_contain_text("Rp550.000")  # the card's new balance
    no_sideways_scroll(buyer)

    # --- The provider's settlement counts the sale. -----------------------------------------
    page.goto("/provider")
    main.get_by_role("link", name=id_("Monthly settlement")).click()
    page.wait_for_url(re.compile(r"/provider/settlement$"))
    expect(main).to_contain_text(TITLE)
    expect(main.locator(".summary-list").first).to_contain_text("Rp450.000")
    no_sideways_scroll(page)
    shots(page, "provider-settlement")

    with app.app_context():
        course = db.session.get(Course, course_id)
        assert course.status is CourseStatus.APPROVED and course.method is Method.SELF_PACED
        assert (course.title, course.price) == (TITLE, PRICE)
        assert course.hours == rules["min_hours_self_paced"]
        assert [module.minutes for module in course.modules] == [minutes] * len(MODULES)
        order = db.session.scalar(sa.select(Order).where(Order.course_id == course_id))
        assert order.status is OrderStatus.PAID and order.price == PRICE
