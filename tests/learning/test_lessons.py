"""Lessons (learning/lessons.py): a lesson's text read into headings, lists and paragraphs, and
opening a module: in order (after the pre-test, after the module before is done, after its
minimum time, to the second, on a clock the test gives), once, only the order's own course's.
Runs on SQLite and PostgreSQL (scripts/with-postgres.sh)."""

from datetime import timedelta

import pytest
import sqlalchemy as sa
from support.checkout_rows import buy, card_holders
from support.learning_rows import events, session_order, start, take, write_bank

from marketplace.catalogue.models import Course
from marketplace.core import DomainError
from marketplace.extensions import db
from marketplace.learning import lessons
from marketplace.learning.lessons import Block, blocks
from marketplace.learning.models import AssessmentKind, ModuleProgress
from marketplace.orders.models import Order
from marketplace.people.models import Participant

MODULE_TIME = timedelta(minutes=23)  # 50% of a factory module's 45 minutes, rounded up
SECOND = timedelta(seconds=1)


# --- a lesson's blocks -----------------------------------------------------------------------


def test_headings_lists_and_paragraphs_in_order():
    lesson = (
        "## Pengantar\n"
        "Baris pertama paragraf\n"
        "dan baris keduanya.\n"
        "\n"
        "- Langkah satu\n"
        "- Langkah dua\n"
        "\n"
        "## Penutup\n"
        "Paragraf terakhir."
    )
    assert blocks(lesson) == [
        Block("heading", "Pengantar"),
        Block("paragraph", "Baris pertama paragraf dan baris keduanya."),
        Block("list", items=("Langkah satu", "Langkah dua")),
        Block("heading", "Penutup"),
        Block("paragraph", "Paragraf terakhir."),
    ]


def test_a_list_right_after_a_paragraph_and_a_paragraph_right_after_a_list():
    assert blocks("Sebelum daftar:\n- satu\n- dua\nSesudah daftar.") == [
        Block("paragraph", "Sebelum daftar:"),
        Block("list", items=("satu", "dua")),
        Block("paragraph", "Sesudah daftar."),
    ]


def test_a_heading_ends_a_paragraph_and_a_list():
    assert blocks("Teks\n## Judul\n- butir\n## Judul dua") == [
        Block("paragraph", "Teks"),
        Block("heading", "Judul"),
        Block("list", items=("butir",)),
        Block("heading", "Judul dua"),
    ]


def test_blank_lines_windows_line_ends_and_indentation_are_forgiven():
    assert blocks("\r\n\r\n   ## Judul  \r\n\r\n\r\n  -  butir  \r\n\r\n\r\n  teks  \r\n") == [
        Block("heading", "Judul"),
        Block("list", items=("butir",)),
        Block("paragraph", "teks"),
    ]


@pytest.mark.parametrize(
    ("line", "kind"),
    [
        ("##Judul", "paragraph"),
        ("-butir", "paragraph"),
        ("### Sub", "paragraph"),
        ("# H", "paragraph"),
    ],
)
def test_only_hash_hash_space_and_dash_space_are_markup(line, kind):
    assert blocks(line) == [Block(kind, line)]


@pytest.mark.parametrize("lesson", ["", None, "\n\n  \n"])
def test_an_empty_lesson_has_no_blocks(lesson):
    assert blocks(lesson) == []


def test_html_is_kept_as_text_for_the_template_to_escape():
    lesson = (
        "## <b>Judul</b>\n"
        "<script>alert('x')</script> & <a href=\"javascript:x\">tautan</a>\n"
        "\n"
        "- <img src=x onerror=alert(1)>"
    )
    assert blocks(lesson) == [
        Block("heading", "<b>Judul</b>"),
        Block("paragraph", "<script>alert('x')</script> & <a href=\"javascript:x\">tautan</a>"),
        Block("list", items=("<img src=x onerror=alert(1)>",)),
    ]


# --- opening a module ------------------------------------------------------------------------


@pytest.fixture
def order(app, shop):
    """The shop's buyer's self-paced order, started at shop.now; its id."""
    with app.app_context():
        write_bank(shop.self_paced)
        row = buy(shop, shop.self_paced)
        start(row, shop.now)
        db.session.commit()
        return row.id


def _order(order_id) -> Order:
    return db.session.get(Order, order_id)


def _module(row: Order, position: int):
    return lessons.module_of(row, position)


def _open(row: Order, position: int, now, who=None):
    return lessons.open_module(row, who or row.participant, _module(row, position), now)


def _opened(order_id) -> list[tuple[int, object]]:
    return [
        (progress.module_id, progress.opened_at)
        for progress in db.session.scalars(
            sa.select(ModuleProgress)
            .where(ModuleProgress.order_id == order_id)
            .order_by(ModuleProgress.opened_at)
        )
    ]


def _refused(row: Order, position: int, now, who=None) -> DomainError:
    before = _opened(row.id)
    with pytest.raises(DomainError) as refused:
        _open(row, position, now, who)
    assert _opened(row.id) == before
    return refused.value


def _ready_for_module_one(row: Order, now) -> None:
    take(row, AssessmentKind.PRE_TEST, now)


def _quiz(row: Order, position: int, now, wrong=0):
    return take(row, AssessmentKind.QUIZ, now, module=_module(row, position), wrong=wrong)


def test_module_of_finds_a_module_by_its_position(app, shop, order):
    with app.app_context():
        row = _order(order)
        assert [lessons.module_of(row, n).position for n in (1, 2)] == [1, 2]
        assert lessons.module_of(row, 3) is None and lessons.module_of(row, 0) is None


def test_the_first_module_is_locked_until_the_pre_test(app, shop, order):
    with app.app_context():
        row = _order(order)
        refused = _refused(row, 1, shop.now)
        assert refused.message == "Take the pre-test first: the modules open after it."
        _ready_for_module_one(row, shop.now)
        progress = _open(row, 1, shop.now)
        assert (progress.module_id, progress.opened_at, progress.quiz_passed_at) == (
            _module(row, 1).id,
            shop.now,
            None,
        )


def test_opening_is_audited(app, shop, order):
    with app.app_context():
        row = _order(order)
        _ready_for_module_one(row, shop.now)
        _open(row, 1, shop.now)
        (event,) = events("module.opened", f"order:{order}")
        assert event.actor_id == row.participant.user_id
        assert event.detail == {"module_id": _module(row, 1).id, "position": 1}


def test_the_next_module_is_locked_until_the_quiz_before_is_passed(app, shop, order):
    with app.app_context():
        row = _order(order)
        _ready_for_module_one(row, shop.now)
        _open(row, 1, shop.now)
        # Within the minimum time or after it: the quiz is what is missing, not the time.
        for now in (shop.now + timedelta(minutes=1), shop.now + timedelta(days=1)):
            refused = _refused(row, 2, now)
            assert refused.message == "Pass the quiz of module %(number)s first."
            assert refused.params == {"number": 1}
            _quiz(row, 1, shop.now, wrong=1)  # 50: not passed
            refused = _refused(row, 2, now)
            assert refused.message == "Pass the quiz of module %(number)s first."


def test_the_next_module_is_locked_until_the_one_before_is_opened(app, shop, order):
    with app.app_context():
        row = _order(order)
        _ready_for_module_one(row, shop.now)
        refused = _refused(row, 2, shop.now)
        assert refused.params == {"number": 1}
        assert refused.message in (
            "Pass the quiz of module %(number)s first.",
            "Finish module %(number)s first.",
        )


def test_the_next_module_opens_exactly_when_the_minimum_time_has_gone_by(app, shop, order):
    with app.app_context():
        row = _order(order)
        _ready_for_module_one(row, shop.now)
        _open(row, 1, shop.now)
        _quiz(row, 1, shop.now + timedelta(minutes=3))
        until = shop.now + MODULE_TIME

        refused = _refused(row, 2, until - SECOND)
        assert refused.message.startswith("You can continue at %(when)s")
        assert refused.params == {"when": until}

        progress = _open(row, 2, until)
        assert progress.opened_at == until
        assert _opened(order) == [(_module(row, 1).id, shop.now), (_module(row, 2).id, until)]


def test_the_minimum_time_follows_the_schemes_share(app, shop, order):
    with app.app_context():
        row = _order(order)
        row.card.scheme.min_learning_percent = 100
        _ready_for_module_one(row, shop.now)
        _open(row, 1, shop.now)
        _quiz(row, 1, shop.now)
        full = shop.now + timedelta(minutes=45)
        assert _refused(row, 2, full - SECOND).params == {"when": full}
        assert _open(row, 2, full).opened_at == full


def test_the_minimum_time_runs_from_the_opening_not_from_the_quiz(app, shop, order):
    with app.app_context():
        row = _order(order)
        _ready_for_module_one(row, shop.now)
        _open(row, 1, shop.now)
        _quiz(row, 1, shop.now + timedelta(hours=5))  # long after the minimum time
        assert _open(row, 2, shop.now + timedelta(hours=5)).opened_at == shop.now + timedelta(
            hours=5
        )


def test_opening_again_changes_nothing(app, shop, order):
    with app.app_context():
        row = _order(order)
        _ready_for_module_one(row, shop.now)
        first = _open(row, 1, shop.now)
        again = _open(row, 1, shop.now + timedelta(hours=1))
        assert again is first and again.opened_at == shop.now
        assert _opened(order) == [(_module(row, 1).id, shop.now)]
        assert len(events("module.opened")) == 1


def test_opening_again_does_not_restart_the_minimum_time(app, shop, order):
    with app.app_context():
        row = _order(order)
        _ready_for_module_one(row, shop.now)
        _open(row, 1, shop.now)
        _quiz(row, 1, shop.now)
        _open(row, 1, shop.now + timedelta(minutes=20))
        assert _open(row, 2, shop.now + MODULE_TIME).opened_at == shop.now + MODULE_TIME


def test_a_module_of_another_course_is_refused(app, shop, order):
    with app.app_context():
        row = _order(order)
        _ready_for_module_one(row, shop.now)
        elsewhere = db.session.get(Course, shop.other).modules[0]
        with pytest.raises(DomainError) as refused:
            lessons.open_module(row, row.participant, elsewhere, shop.now)
        assert refused.value.message == "This module is not part of your course."
        assert _opened(order) == []


def test_another_participant_can_not_open_the_orders_module(app, shop, order):
    (stranger,) = card_holders(app, 1, shop.now)
    with app.app_context():
        row = _order(order)
        _ready_for_module_one(row, shop.now)
        refused = _refused(row, 1, shop.now, who=db.session.get(Participant, stranger))
        assert refused.message == "This module is not part of your course."


def test_a_webinars_modules_are_not_opened_here(app, shop, factory):
    """A webinar's modules are its syllabus: there is no lesson to open, before or after its
    pre-test (after it, asking why the module is locked once failed with a 500)."""
    world = session_order(app, shop, factory)
    with app.app_context():
        row = _order(world.order)
        for _ in ("before the pre-test", "after it"):
            refused = _refused(row, 1, world.starts_at)
            assert refused.message == "This module is not part of your course."
            if not events("pre_test.submitted"):
                take(row, AssessmentKind.PRE_TEST, world.starts_at)
