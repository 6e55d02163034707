"""A course's question bank: the multiple-choice questions its tests are drawn from.

A question with a module is one of that module's quiz questions; one without is for the
pre-test and the post-test (learning/assessments.py draws them). `add_question` is the one
operation that writes a question, so its rules hold wherever questions come from (the demo
seed, the provider's course editor): a prompt, 2 to 6 distinct answers, one of them right.
"""

import sqlalchemy as sa

from marketplace.catalogue.models import Course, Module, Question
from marketplace.core import N_, DomainError
from marketplace.extensions import db

FEWEST_CHOICES = 2
MOST_CHOICES = 6
LONGEST_PROMPT = 1000
LONGEST_CHOICE = 300


def check(prompt: str, choices: list[str], correct_choice: int) -> tuple[str, list[str]]:
    """The prompt and answers, stripped; DomainError when a rule above is broken."""
    prompt = (prompt or "").strip()
    choices = [(choice or "").strip() for choice in choices]
    if not prompt or len(prompt) > LONGEST_PROMPT:
        raise DomainError(
            N_("Write the question, at most %(longest)s characters."),
            field="prompt",
            longest=LONGEST_PROMPT,
        )
    if not FEWEST_CHOICES <= len(choices) <= MOST_CHOICES or not all(choices):
        raise DomainError(
            N_("Give %(fewest)s to %(most)s answers."),
            field="choices",
            fewest=FEWEST_CHOICES,
            most=MOST_CHOICES,
        )
    if any(len(choice) > LONGEST_CHOICE for choice in choices):
        raise DomainError(
            N_("Each answer is at most %(longest)s characters."),
            field="choices",
            longest=LONGEST_CHOICE,
        )
    if len({choice.casefold() for choice in choices}) != len(choices):
        raise DomainError(N_("The answers must differ from each other."), field="choices")
    if not 0 <= correct_choice < len(choices):
        raise DomainError(N_("Choose the right answer."), field="correct_choice")
    return prompt, choices


def add_question(
    course: Course,
    prompt: str,
    choices: list[str],
    correct_choice: int,
    module: Module | None = None,
) -> Question:
    """Add a question to the course's bank (to a module's quiz when `module` is given)."""
    if module is not None and module.course_id != course.id:
        raise DomainError(N_("This module is not part of the course."), field="module")
    prompt, choices = check(prompt, choices, correct_choice)
    question = Question(
        course_id=course.id,
        module_id=module.id if module is not None else None,
        prompt=prompt,
        choices=choices,
        correct_choice=correct_choice,
    )
    db.session.add(question)
    db.session.flush()
    return question


def bank_size(course_id: int) -> int:
    """How many questions the course's pre-test and post-test can be drawn from."""
    return (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(Question)
            .where(Question.course_id == course_id, Question.module_id.is_(None))
        )
        or 0
    )
