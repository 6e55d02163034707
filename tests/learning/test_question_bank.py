"""The question bank (catalogue/question_bank.add_question): a prompt, 2 to 6 distinct answers,
one of them right, a module of the same course; each rule allowed and refused, and nothing
stored when refused. Runs on SQLite and PostgreSQL (scripts/with-postgres.sh)."""

import pytest
import sqlalchemy as sa

from marketplace.catalogue import question_bank
from marketplace.catalogue.models import Course, Question
from marketplace.core import DomainError
from marketplace.extensions import db

CHOICES = ["Jawaban A", "Jawaban B", "Jawaban C"]


def _course(course_id) -> Course:
    return db.session.get(Course, course_id)


def _questions() -> int:
    return db.session.scalar(sa.select(sa.func.count(Question.id)))


def _refused(course, prompt="Apa itu neraca?", choices=CHOICES, correct=0, module=None):
    with pytest.raises(DomainError) as refused:
        question_bank.add_question(course, prompt, choices, correct, module)
    assert _questions() == 0
    return refused.value


def test_a_question_is_stored_trimmed_in_the_courses_bank(shop, ctx):
    course = _course(shop.self_paced)
    question = question_bank.add_question(
        course, "  Apa itu neraca?\n", ["  Laporan posisi keuangan ", "Laporan laba rugi"], 0
    )
    stored = db.session.get(Question, question.id)
    assert stored.prompt == "Apa itu neraca?"
    assert stored.choices == ["Laporan posisi keuangan", "Laporan laba rugi"]
    assert (stored.course_id, stored.module_id, stored.correct_choice) == (course.id, None, 0)
    assert question_bank.bank_size(course.id) == 1


def test_a_modules_question_is_its_quiz_and_not_in_the_test_bank(shop, ctx):
    course = _course(shop.self_paced)
    module = course.modules[1]
    question = question_bank.add_question(course, "Kuis?", CHOICES, 2, module)
    assert question.module_id == module.id
    assert question_bank.bank_size(course.id) == 0


@pytest.mark.parametrize("prompt", ["", "   \n\t ", None, "x" * 1001])
def test_the_prompt_is_written_and_at_most_1000_characters(shop, ctx, prompt):
    refused = _refused(_course(shop.self_paced), prompt=prompt)
    assert refused.field == "prompt"
    assert refused.params == {"longest": 1000}


def test_a_prompt_of_exactly_1000_characters_is_allowed(shop, ctx):
    question = question_bank.add_question(_course(shop.self_paced), "x" * 1000, CHOICES, 0)
    assert len(question.prompt) == 1000


@pytest.mark.parametrize(
    "choices",
    [
        [],
        ["Satu-satunya"],
        [f"Jawaban {n}" for n in range(7)],
        ["Jawaban A", "   "],
        ["Jawaban A", ""],
        ["Jawaban A", None],
    ],
)
def test_two_to_six_answers_none_empty(shop, ctx, choices):
    refused = _refused(_course(shop.self_paced), choices=choices)
    assert refused.field == "choices"
    assert refused.message == "Give %(fewest)s to %(most)s answers."


@pytest.mark.parametrize("count", [2, 6])
def test_two_and_six_answers_are_allowed(shop, ctx, count):
    choices = [f"Jawaban {n}" for n in range(count)]
    question = question_bank.add_question(_course(shop.self_paced), "Apa?", choices, count - 1)
    assert question.choices == choices and question.correct_choice == count - 1


@pytest.mark.parametrize(
    "choices", [["Jawaban A", "Jawaban A"], ["Jawaban A", "jawaban a"], ["Ya", " YA ", "Tidak"]]
)
def test_the_answers_differ_from_each_other(shop, ctx, choices):
    refused = _refused(_course(shop.self_paced), choices=choices)
    assert refused.message == "The answers must differ from each other."


def test_an_answer_is_at_most_300_characters(shop, ctx):
    course = _course(shop.self_paced)
    refused = _refused(course, choices=["Jawaban A", "y" * 301])
    assert refused.field == "choices" and refused.params == {"longest": 300}
    assert question_bank.add_question(course, "Apa?", ["Jawaban A", "y" * 300], 1)


@pytest.mark.parametrize("correct", [-1, 3, 4, 100])
def test_the_right_answer_is_one_of_the_answers(shop, ctx, correct):
    refused = _refused(_course(shop.self_paced), correct=correct)
    assert refused.field == "correct_choice"


@pytest.mark.parametrize("correct", [0, 2])
def test_the_first_and_the_last_answer_can_be_the_right_one(shop, ctx, correct):
    question = question_bank.add_question(_course(shop.self_paced), "Apa?", CHOICES, correct)
    assert question.correct_choice == correct


def test_a_module_of_another_course_is_refused(shop, ctx):
    course = _course(shop.self_paced)
    elsewhere = _course(shop.other).modules[0]
    refused = _refused(course, module=elsewhere)
    assert refused.field == "module"
    assert refused.message == "This module is not part of the course."
