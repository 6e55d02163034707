"""A course's hours are its modules' minutes added up (catalogue/courses.py)."""

import random

import pytest
import sqlalchemy as sa

from marketplace.catalogue import courses
from marketplace.catalogue.models import Course, Module
from marketplace.core import DomainError
from marketplace.extensions import db


def _course(course_id: int) -> Course:
    return db.session.get(Course, course_id)


def _modules(course_id: int) -> list[tuple[int, str, int]]:
    return db.session.execute(
        sa.select(Module.position, Module.title, Module.minutes)
        .where(Module.course_id == course_id)
        .order_by(Module.position)
    ).all()


def test_modules_of_whole_hours_give_the_course_its_hours():
    assert courses.hours_of([60, 45, 75]) == 3
    assert courses.hours_of([15] * 4) == 1


@pytest.mark.parametrize(
    "minutes",
    [
        [],  # no module
        [60, 50],  # 110 minutes: not whole hours
        [10, 50],  # a module under 15 minutes
        [62, 58],  # not in steps of 5
        [0, 60],
    ],
)
def test_modules_that_dont_make_whole_hours_are_refused(minutes):
    with pytest.raises(DomainError) as refused:
        courses.hours_of(minutes)
    assert refused.value.field == "modules"


def test_set_modules_replaces_the_modules_and_sets_the_hours(ctx, factory):
    course_id = factory.course(hours=10, modules=2).id  # 2 × 45 minutes: they disagree
    assert courses.hours_disagreements([course_id]) == [(course_id, 10, 90)]

    course = _course(course_id)
    courses.set_modules(course, [("Pengenalan", 45), ("  Praktik   langsung ", 90), ("Ujian", 45)])

    assert course.hours == 3
    assert _modules(course_id) == [
        (1, "Pengenalan", 45),
        (2, "Praktik langsung", 90),
        (3, "Ujian", 45),
    ]
    assert courses.hours_disagreements([course_id]) == []


def test_a_refused_set_of_modules_changes_nothing(ctx, factory):
    course_id = factory.course(hours=1, modules=0).id
    course = _course(course_id)
    courses.set_modules(course, [("Satu", 30), ("Dua", 30)])
    for modules in ([("Satu", 30), ("Dua", 40)], [("", 60)], [("x" * 201, 60)]):
        with pytest.raises(DomainError):
            courses.set_modules(course, modules)
        assert course.hours == 1
        assert _modules(course_id) == [(1, "Satu", 30), (2, "Dua", 30)]


def test_spread_minutes_shares_out_exactly_the_course_hours():
    rng = random.Random(2020)
    for hours in range(2, 41):
        for count in range(3, 9):
            shares = [0.7 + 0.6 * rng.random() for _ in range(count)]
            minutes = courses.spread_minutes(hours, shares)
            assert len(minutes) == count
            assert sum(minutes) == hours * 60
            assert all(length >= 15 and length % 5 == 0 for length in minutes)
            assert courses.hours_of(minutes) == hours


def test_spread_minutes_follows_the_shares():
    assert courses.spread_minutes(4, [1, 1, 2]) == [60, 60, 120]
    assert courses.spread_minutes(1, [1, 1, 1, 1]) == [15, 15, 15, 15]


def test_spread_minutes_refuses_too_few_hours_for_the_modules():
    with pytest.raises(ValueError):
        courses.spread_minutes(1, [1] * 5)  # 5 modules of at least 15 minutes
    with pytest.raises(ValueError):
        courses.spread_minutes(3, [])


def test_a_course_without_modules_disagrees_with_its_hours(ctx, factory):
    course_id = factory.course(hours=4, modules=0).id
    assert courses.hours_disagreements([course_id]) == [(course_id, 4, 0)]
