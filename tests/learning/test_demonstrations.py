"""Skill demonstrations (learning/demonstrations.py): submitting (only the order's participant,
a course asking for one, not refunded, not while waiting or passed), the file's type read from
its content, its size and name, and the provider's decision. Runs on SQLite and PostgreSQL."""

import io

import pytest
import sqlalchemy as sa
from support.checkout_rows import buy

from marketplace.catalogue.models import Course, Provider
from marketplace.core import DomainError
from marketplace.core.models import AuditEvent
from marketplace.extensions import db
from marketplace.learning import demonstrations
from marketplace.learning.models import Demonstration, DemonstrationStatus
from marketplace.orders import redemption
from marketplace.orders.models import Order, OrderStatus
from marketplace.people.models import Participant, Role, User

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 32
EXE = b"MZ\x90\x00" + b"\x00" * 60
ANSWER = "Saya membuat laporan keuangan bulanan dengan rumus SUMIF dan tabel pivot."


@pytest.fixture
def world(app, shop, factory, tmp_path):
    with app.app_context():
        course = db.session.get(Course, shop.self_paced)
        course.needs_demonstration = True
        db.session.commit()
        order = buy(shop, shop.self_paced)
        redemption.start_self_paced(order, order.participant, order.voucher_code, shop.now)
        db.session.commit()
        order_id = order.id
    with app.app_context():
        provider = db.session.get(Provider, shop.provider_id)
        db.session.expunge(provider)
    desk_id = factory.user(role=Role.PROVIDER, provider=provider).id
    return type("World", (), {"order_id": order_id, "desk_id": desk_id, "dir": tmp_path / "up"})


def _order(order_id) -> Order:
    return db.session.get(Order, order_id)


def _submit(world, shop, answer=ANSWER, data=None, name=None, who=None):
    order = _order(world.order_id)
    participant = db.session.get(Participant, who or shop.buyer)
    upload = io.BytesIO(data) if data is not None else None
    return demonstrations.submit(order, participant, answer, upload, name, world.dir, shop.now)


def _stored(world) -> list:
    return list(world.dir.iterdir()) if world.dir.exists() else []


def _count() -> int:
    return db.session.scalar(sa.select(sa.func.count(Demonstration.id)))


def test_a_text_answer_alone_is_submitted(app, shop, world):
    with app.app_context():
        row = _submit(world, shop)
        assert row.status is DemonstrationStatus.SUBMITTED
        assert row.file_key is None and row.answer == ANSWER
        assert not demonstrations.passed(_order(world.order_id))
        assert _stored(world) == []


@pytest.mark.parametrize(
    ("data", "name", "content_type"),
    [
        (PDF, "laporan.pdf", "application/pdf"),
        (PNG, "foto.png", "image/png"),
        (JPEG, "foto.jpg", "image/jpeg"),
        (PDF, "gambar.png", "application/pdf"),
    ],
)
def test_the_file_type_comes_from_its_content(app, shop, world, data, name, content_type):
    with app.app_context():
        row = _submit(world, shop, data=data, name=name)
        assert row.content_type == content_type
        assert row.size == len(data)
        stored = world.dir / row.file_key
        assert stored.read_bytes() == data
        assert row.file_key != name and len(row.file_key) == 32


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (EXE, "program.pdf", demonstrations.WRONG_TYPE),
        (b"<?php system($_GET['c']); ?>", "x.png", demonstrations.WRONG_TYPE),
        (b"", "kosong.pdf", demonstrations.EMPTY_FILE),
        (b"%PDF-" + b"a" * (5 * 1024 * 1024 - 4), "besar.pdf", demonstrations.TOO_LARGE),
    ],
)
def test_a_wrong_empty_or_huge_file_is_refused_and_nothing_written(
    app, shop, world, data, name, message
):
    with app.app_context():
        with pytest.raises(DomainError) as refused:
            _submit(world, shop, data=data, name=name)
        assert refused.value.message == message and refused.value.field == "file"
        assert _count() == 0
        assert _stored(world) == []


def test_exactly_5_mb_is_taken(app, shop, world):
    data = b"%PDF-" + b"a" * (5 * 1024 * 1024 - 5)
    with app.app_context():
        row = _submit(world, shop, data=data, name="pas.pdf")
        assert row.size == 5 * 1024 * 1024


def test_a_path_in_the_name_is_harmless(app, shop, world):
    with app.app_context():
        row = _submit(world, shop, data=PNG, name="../../x.php")
        assert row.file_name == "x.php"
        assert [path.name for path in world.dir.iterdir()] == [row.file_key]
        assert not (world.dir.parent / "x.php").exists()
    assert demonstrations.clean_name("..\\..\\<script>.pdf", "application/pdf") == "_script_.pdf"
    assert demonstrations.clean_name("../..", "image/png") == "file.png"


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        ("   ", demonstrations.ANSWER_MISSING),
        ("a" * (demonstrations.LONGEST_ANSWER + 1), demonstrations.ANSWER_TOO_LONG),
    ],
)
def test_the_answer_is_required_and_bounded(app, shop, world, answer, message):
    with app.app_context():
        with pytest.raises(DomainError) as refused:
            _submit(world, shop, answer=answer, data=PDF, name="a.pdf")
        assert refused.value.message == message
        assert _count() == 0 and _stored(world) == []


def test_only_the_orders_participant_may_submit(app, shop, world):
    with app.app_context():
        with pytest.raises(DomainError) as refused:
            _submit(world, shop, who=shop.no_card)
        assert refused.value.message == demonstrations.NOT_YOURS
        assert _count() == 0


def test_a_course_without_demonstration_or_a_refunded_order_is_refused(app, shop, world):
    with app.app_context():
        _order(world.order_id).course.needs_demonstration = False
        with pytest.raises(DomainError) as refused:
            _submit(world, shop)
        assert refused.value.message == demonstrations.NOT_ASKED
        assert demonstrations.passed(_order(world.order_id))  # nothing to pass
        _order(world.order_id).course.needs_demonstration = True
        _order(world.order_id).status = OrderStatus.REFUNDED
        with pytest.raises(DomainError) as refused:
            _submit(world, shop)
        assert refused.value.message == demonstrations.REFUNDED
        assert _count() == 0


def test_waiting_then_returned_then_again_then_passed(app, shop, world):
    with app.app_context():
        first = _submit(world, shop)
        with pytest.raises(DomainError) as refused:
            _submit(world, shop)
        assert refused.value.message == demonstrations.WAITING
        desk = db.session.get(User, world.desk_id)
        with pytest.raises(DomainError) as refused:
            demonstrations.decide(first, desk, False, "  ", shop.now)
        assert refused.value.message == demonstrations.FEEDBACK_MISSING
        demonstrations.decide(first, desk, False, "Lampirkan tangkapan layar.", shop.now)
        assert first.status is DemonstrationStatus.RETURNED
        assert first.feedback == "Lampirkan tangkapan layar." and first.decided_by_id == desk.id
        with pytest.raises(DomainError) as refused:
            demonstrations.decide(first, desk, True, None, shop.now)
        assert refused.value.message == demonstrations.ALREADY_DECIDED
        second = _submit(world, shop, data=PNG, name="layar.png")
        assert demonstrations.current(_order(world.order_id)).id == second.id
        demonstrations.decide(second, desk, True, None, shop.now)
        assert demonstrations.passed(_order(world.order_id))
        with pytest.raises(DomainError) as refused:
            _submit(world, shop)
        assert refused.value.message == demonstrations.ALREADY_PASSED
        actions = db.session.scalars(
            sa.select(AuditEvent.action).where(
                AuditEvent.subject == f"order:{world.order_id}",
                AuditEvent.action.like("demonstration.%"),
            )
        ).all()
        assert sorted(actions) == ["demonstration.passed", "demonstration.returned"]


def test_another_provider_cannot_decide(app, shop, world, factory):
    other = factory.user(role=Role.PROVIDER, provider=factory.provider())
    with app.app_context():
        row = _submit(world, shop)
        with pytest.raises(DomainError) as refused:
            demonstrations.decide(row, db.session.get(User, other.id), True, None, shop.now)
        assert refused.value.message == demonstrations.NOT_YOUR_COURSE
        assert row.status is DemonstrationStatus.SUBMITTED
        assert demonstrations.provider_submissions(shop.provider_id) == [row]
        assert demonstrations.provider_submissions(other.provider_id) == []


def test_a_file_whose_row_is_rolled_back_is_removed_and_a_committed_one_kept(app, shop, world):
    with app.app_context():
        _submit(world, shop, data=PDF, name="laporan.pdf")
        assert len(_stored(world)) == 1
        db.session.rollback()  # a refused request, or a commit that failed
        assert _stored(world) == [] and _count() == 0
        kept = _submit(world, shop, data=PDF, name="laporan.pdf")
        db.session.commit()
        assert [path.name for path in _stored(world)] == [kept.file_key]


def test_passing_the_last_missing_step_completes_the_course(app, shop, world):
    from support.learning_rows import learn_after_start, write_bank

    with app.app_context():
        write_bank(shop.self_paced)
        order = _order(world.order_id)
        finished = learn_after_start(order, shop.now)
        assert order.status is OrderStatus.REDEEMED  # the demonstration is still missing
        row = _submit(world, shop)
        demonstrations.decide(row, db.session.get(User, world.desk_id), True, None, finished)
        assert order.status is OrderStatus.COMPLETED and order.score == 100


def test_a_course_not_started_takes_no_demonstration(app, shop):
    with app.app_context():
        course = db.session.get(Course, shop.self_paced)
        course.needs_demonstration = True
        order = buy(shop, shop.self_paced)
        participant = db.session.get(Participant, shop.buyer)
        with pytest.raises(DomainError) as refused:
            demonstrations.submit(order, participant, ANSWER, None, None, "/nonexistent", shop.now)
        assert refused.value.message == demonstrations.NOT_STARTED
        assert _count() == 0
