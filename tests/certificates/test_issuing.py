"""Issuing certificates (certificates/issuing.py): completing a course issues exactly one
certificate with the facts copied at that moment, under a random code of at least 128 bits
drawn from the alphabet without look-alikes; the code is read back forgivingly and anything
that can't be a code is refused. Two completions at once, and two issues at once, issue one
certificate. Runs on SQLite and PostgreSQL (scripts/with-postgres.sh), where the races are
real."""

import contextlib
import math
import threading
from datetime import timedelta

import pytest
import sqlalchemy as sa
from support.certificate_rows import certificates_of, issued, order
from support.checkout_rows import buy, race
from support.learning_rows import complete as mark_completed
from support.learning_rows import events, learn_after_start, start, write_bank

from marketplace.certificates import issuing
from marketplace.certificates.issuing import CODE_LENGTH, read_code, shown
from marketplace.certificates.models import Certificate
from marketplace.extensions import db
from marketplace.learning import completion
from marketplace.orders.models import Order, OrderStatus
from marketplace.orders.redemption import CODE_ALPHABET

LOOK_ALIKES = set("0OQ1IL2Z5S8B")


# --- issued by completion, once, with the facts of the day -----------------------------------


def test_completing_a_course_issues_one_certificate_with_its_facts(app, shop):
    made = issued(app, shop, name="Siti Nurhaliza Putri")
    with app.app_context():
        row = order(made.order)
        (certificate,) = certificates_of(row.id)
        course = row.course
        assert certificate.id == made.id
        assert (
            certificate.holder_name,
            certificate.course_title,
            certificate.provider_name,
            certificate.platform_name,
            certificate.hours,
            certificate.score,
            certificate.completed_at,
            certificate.issued_at,
            certificate.participant_id,
            certificate.course_id,
        ) == (
            "Siti Nurhaliza Putri",
            course.title,
            course.provider.name,
            course.platform.name,
            course.hours,
            row.score,
            row.completed_at,
            row.completed_at,
            made.participant,
            course.id,
        )
        assert row.score == 100 and not certificate.revoked
        assert len(certificate.code) == CODE_LENGTH
        assert set(certificate.code) <= set(CODE_ALPHABET)
        assert [event.detail["order_id"] for event in events("certificate.issued")] == [row.id]


def test_completing_again_issues_nothing_more_and_later_changes_leave_it_as_issued(app, shop):
    made = issued(app, shop)
    with app.app_context():
        row = order(made.order)
        title = row.course.title
        row.course.title = "Judul Baru Setelah Selesai"
        row.participant.full_name = "Nama Yang Dibetulkan"
        db.session.flush()
        assert completion.complete(row, shop.now + timedelta(days=1)) is row
        assert issuing.issue(row).id == made.id
        (certificate,) = certificates_of(row.id)
        assert certificate.code == made.code
        assert certificate.course_title == title
        assert certificate.holder_name != "Nama Yang Dibetulkan"
        assert len(events("certificate.issued")) == 1


def test_only_a_completed_order_gets_a_certificate(app, shop):
    with app.app_context():
        write_bank(shop.self_paced)
        row = buy(shop, shop.self_paced)
        start(row, shop.now)
        with pytest.raises(ValueError):
            issuing.issue(row)
        assert certificates_of(row.id) == []


def test_each_certificate_has_its_own_code(app, shop):
    first = issued(app, shop)
    second = issued(app, shop)
    assert first.code != second.code
    with app.app_context():
        assert issuing.by_code(shown(first.code).lower()).id == first.id
        assert issuing.by_code(second.code).id == second.id


# --- the code --------------------------------------------------------------------------------


def test_the_code_carries_at_least_128_bits_from_an_alphabet_without_look_alikes():
    assert CODE_LENGTH * math.log2(len(CODE_ALPHABET)) >= 128
    assert len(set(CODE_ALPHABET)) == len(CODE_ALPHABET)
    assert not LOOK_ALIKES & set(CODE_ALPHABET)


def test_a_thousand_codes_are_distinct_and_use_the_whole_alphabet():
    codes = [issuing.new_code() for _ in range(1000)]
    assert len(set(codes)) == 1000
    assert all(len(code) == CODE_LENGTH and set(code) <= set(CODE_ALPHABET) for code in codes)
    assert set("".join(codes)) == set(CODE_ALPHABET)


def test_a_thousand_issues_store_a_thousand_distinct_codes(app, shop):
    """1,000 completed orders (one bought, 999 rows like it), each issued its certificate."""
    with app.app_context():
        first = buy(shop, shop.self_paced)
        mark_completed(first.id, shop.now)
        table = Order.__table__
        db.session.execute(
            table.insert(),
            [
                {
                    "participant_id": first.participant_id,
                    "card_id": first.card_id,
                    "course_id": first.course_id,
                    "price": first.price,
                    "purchase_key": f"thousand-{n}",
                    "voucher_code": f"TK{n:08d}",
                    "status": OrderStatus.COMPLETED,
                    "created_at": shop.now,
                    "completed_at": shop.now,
                }
                for n in range(999)
            ],
        )
        rows = db.session.scalars(sa.select(Order).where(Order.course_id == first.course_id)).all()
        codes = [issuing.issue(row).code for row in rows]
        assert len(codes) == 1000
        assert len(set(codes)) == 1000
        stored = db.session.scalars(sa.select(Certificate.code)).all()
        assert sorted(stored) == sorted(codes)


def test_the_code_is_shown_in_seven_groups_of_four():
    code = issuing.new_code()
    groups = shown(code).split("-")
    assert [len(group) for group in groups] == [4] * 7
    assert "".join(groups) == code


def test_a_code_is_read_back_however_it_is_typed():
    code = issuing.new_code()
    grouped = shown(code)
    full_width = "".join(chr(ord(ch) + 0xFEE0) for ch in code)
    for typed in [
        code,
        code.lower(),
        grouped,
        grouped.lower(),
        grouped.replace("-", " "),
        grouped.replace("-", "."),
        grouped.replace("-", "\u2013"),  # an en dash, as a word processor makes it
        f"  {grouped}\n",
        full_width,
        f"https://prakerja.example/certificates/{grouped}",
        f"https://prakerja.example/certificates/{grouped}/",
        f"https://prakerja.example/certificates/{grouped}.pdf",
        f"{code}.json",
    ]:
        assert read_code(typed) == code, typed


@pytest.mark.parametrize(
    "typed",
    [
        None,
        "",
        "   ",
        "ABCD",
        "A" * (CODE_LENGTH - 1),
        "A" * (CODE_LENGTH + 1),
        "A" * 100_000,
        "O" * CODE_LENGTH,  # a look-alike, not in the alphabet
        "0" * CODE_LENGTH,
        "../../../../etc/passwd",
        "%2e%2e%2f%2e%2e%2fetc%2fpasswd",
        "' OR '1'='1' -- ",
        "'; DROP TABLE certificate; --",
        "A" * 14 + "\x00" + "A" * 14,
        "A" * 14 + "\u202e" + "A" * 14,
        "<script>alert(1)</script>",
    ],
)
def test_what_can_t_be_a_code_is_refused(typed):
    assert read_code(typed) is None


def test_a_refused_code_finds_nothing(app, shop):
    issued(app, shop)
    with app.app_context():
        assert issuing.by_code("' OR 1=1 --") is None
        assert issuing.by_code("A" * CODE_LENGTH) is None


# --- concurrency -----------------------------------------------------------------------------


def _all_done_but_not_completed(app, shop) -> int:
    """An order whose every step is done but which is not completed yet (the course asked for
    a demonstration while the post-test was passed, then no longer); its id, committed."""
    with app.app_context():
        write_bank(shop.self_paced)
        row = buy(shop, shop.self_paced)
        start(row, shop.now)
        row.course.needs_demonstration = True
        learn_after_start(row, shop.now)
        assert row.status is OrderStatus.REDEEMED
        row.course.needs_demonstration = False
        db.session.commit()
        return row.id


def _meet_before(monkeypatch, module, name: str) -> None:
    """On PostgreSQL, make two callers of `module.name` wait (2 s at most) for each other
    there, so both are past their reads before either writes. SQLite runs each request's
    transaction whole (BEGIN IMMEDIATE), so nothing is patched there."""
    meet = threading.Barrier(2)
    real = getattr(module, name)

    def when_both_are_here(*args, **kwargs):
        with contextlib.suppress(threading.BrokenBarrierError):
            meet.wait(timeout=2)
        return real(*args, **kwargs)

    monkeypatch.setattr(module, name, when_both_are_here)


def _on_postgres(app) -> bool:
    with app.app_context():
        return db.engine.dialect.name == "postgresql"


def test_two_completions_at_once_issue_one_certificate(app, shop, monkeypatch):
    order_id = _all_done_but_not_completed(app, shop)
    if _on_postgres(app):
        _meet_before(monkeypatch, completion, "missing")
    when = shop.now + timedelta(hours=1)

    def complete():
        return completion.complete(order(order_id), when).id

    outcomes = race(app, [complete, complete])
    assert outcomes == [order_id, order_id], outcomes
    with app.app_context():
        (certificate,) = certificates_of(order_id)
        assert certificate.completed_at == when
        assert len(events("certificate.issued")) == 1


def test_two_issues_at_once_issue_one_certificate(app, shop, monkeypatch):
    """Both look for the order's certificate, find none, and insert: the unique order_id
    keeps the first, and the second (in its savepoint) returns it."""
    with app.app_context():
        row = buy(shop, shop.self_paced)
        mark_completed(row.id, shop.now)
        db.session.commit()
        order_id = row.id
    if _on_postgres(app):
        looked = threading.Barrier(2)
        real = issuing.of_order
        calls = threading.local()

        def of_order_then_meet(row):
            found = real(row)
            if not getattr(calls, "seen", False):  # the first look, before inserting
                calls.seen = True
                with contextlib.suppress(threading.BrokenBarrierError):
                    looked.wait(timeout=2)
            return found

        monkeypatch.setattr(issuing, "of_order", of_order_then_meet)

    def issue():
        return issuing.issue(order(order_id)).id

    outcomes = race(app, [issue, issue])
    with app.app_context():
        (certificate,) = certificates_of(order_id)
        assert outcomes == [certificate.id, certificate.id], outcomes
        assert len(events("certificate.issued")) == 1
