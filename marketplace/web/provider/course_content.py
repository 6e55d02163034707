"""A course's modules and question banks in the provider's editor (web/provider/courses.py
has the course's overview and the rules of these pages).

- /provider/courses/<id>/modules/new and /modules/<n>: a module's title, length and lesson
  (the lesson's small syntax: "## " starts a heading, "- " a list item); the module's page
  lists its quiz questions. /modules/<n>/move moves it one place up or down (a button each,
  no JavaScript); /modules/<n>/remove asks first, then removes it.
- /provider/courses/<id>/questions/new, /questions/<n> and /questions/<n>/remove: the bank the
  pre-test and post-test are drawn from; /modules/<m>/questions/... the same for a module's
  quiz. A question has its prompt, two to six answers and the right one.

Modules and questions are numbered from 1 in the working copy's order; a number the copy
doesn't have is not found (404). Since a number only means something in the copy the page was
drawn from, every form here carries that copy's version (courses.posted_version): a form from
before someone else's change is refused (409) before its numbers are looked at.
"""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from marketplace.catalogue import courses as course_rules
from marketplace.catalogue import question_bank
from marketplace.catalogue.models import Course
from marketplace.core import DomainError
from marketplace.core.base import utcnow
from marketplace.curation import drafts
from marketplace.learning import lessons
from marketplace.web.access import provider_required
from marketplace.web.formatting import error_message
from marketplace.web.i18n import gettext
from marketplace.web.provider import bp
from marketplace.web.provider.course_forms import (
    ActionForm,
    ModuleForm,
    MoveForm,
    QuestionForm,
    show_refusal,
)
from marketplace.web.provider.courses import (
    attempt,
    changed_since,
    course_or_404,
    overview,
    posted_version,
    refusal_status,
    why_not_editable,
)


def _module_or_404(content: dict, number: int) -> dict:
    if not 1 <= number <= len(content["modules"]):
        abort(404)
    return content["modules"][number - 1]


def _bank_or_404(content: dict, module_number: int | None) -> list:
    """The tests' bank, or module `module_number`'s quiz (404 when there is no such module)."""
    if module_number is None:
        return content["questions"]
    return _module_or_404(content, module_number)["quiz"]


def _question_or_404(course: Course, module_number: int | None, number: int) -> list:
    """The bank holding question `number` (404 when the module or the question isn't there)."""
    bank = _bank_or_404(drafts.working_copy(course), module_number)
    if not 1 <= number <= len(bank):
        abort(404)
    return bank


def _refused(course: Course, error: DomainError):
    """A state's refusal of a change (the course waits for curation...): the overview, 409."""
    return overview(course, 409, [error_message(each) for each in error.errors])


# --- modules ---------------------------------------------------------------------------------


def _module_page(
    course: Course,
    number: int | None,
    form,
    status: int = 200,
    problems=None,
    version: int | None = None,
):
    content = drafts.working_copy(course)
    module = content["modules"][number - 1] if number is not None else None
    return (
        render_template(
            "provider/courses/module.html",
            course=course,
            title=content["title"],
            number=number,
            module=module,
            preview=lessons.blocks(module["lesson"]) if module is not None else [],
            form=form,
            action=ActionForm(formdata=None),
            shortest=course_rules.SHORTEST_MODULE,
            step=course_rules.MINUTE_STEP,
            longest=drafts.LONGEST_LESSON,
            locked=why_not_editable(course),
            version=drafts.copy_version(course) if version is None else version,
            problem=problems,
        ),
        status,
    )


@bp.route("/courses/<id:course_id>/modules/new", methods=["GET", "POST"])
@provider_required
def course_module_new(course_id: int):
    """Add a module at the end of the course."""
    course = course_or_404(course_id)
    refusal = why_not_editable(course)
    if refusal:
        return overview(course, 409, [refusal])
    if request.method == "GET":
        return _module_page(course, None, ModuleForm(formdata=None))
    version, answer = posted_version(course)
    if answer:
        return answer
    form = ModuleForm()
    try:
        draft = attempt(
            drafts.save_module, course, current_user, None, form.values(), utcnow(), version
        )
    except DomainError as error:
        if changed_since(error):
            return _refused(course, error)
        loose = show_refusal(form, error)
        return _module_page(course, None, form, refusal_status(loose), loose, version)
    number = len(draft.content["modules"])
    flash(gettext("Module %(number)s has been added.", number=number), "success")
    return redirect(url_for("provider.course_module", course_id=course.id, number=number))


@bp.route("/courses/<id:course_id>/modules/<id:number>", methods=["GET", "POST"])
@provider_required
def course_module(course_id: int, number: int):
    """One module: change it, and its quiz questions."""
    course = course_or_404(course_id)
    if request.method == "GET":
        module = _module_or_404(drafts.working_copy(course), number)
        return _module_page(course, number, ModuleForm(formdata=None, data=module))
    refusal = why_not_editable(course)
    if refusal:
        return overview(course, 409, [refusal])
    version, answer = posted_version(course)
    if answer:
        return answer
    _module_or_404(drafts.working_copy(course), number)
    form = ModuleForm()
    try:
        attempt(drafts.save_module, course, current_user, number, form.values(), utcnow(), version)
    except DomainError as error:
        if changed_since(error):
            return _refused(course, error)
        loose = show_refusal(form, error)
        return _module_page(course, number, form, refusal_status(loose), loose, version)
    flash(gettext("Module %(number)s has been saved.", number=number), "success")
    return redirect(url_for("provider.course", course_id=course.id, _anchor="modules"))


@bp.route("/courses/<id:course_id>/modules/<id:number>/move", methods=["POST"])
@provider_required
def course_module_move(course_id: int, number: int):
    """Move a module one place up or down (the button pressed says which way)."""
    course = course_or_404(course_id)
    refusal = why_not_editable(course)
    if refusal:
        return overview(course, 409, [refusal])
    version, answer = posted_version(course)
    if answer:
        return answer
    _module_or_404(drafts.working_copy(course), number)
    direction = {"up": -1, "down": 1}.get(MoveForm().direction.data or "")
    if direction is None:
        return overview(course, 400, [gettext("Choose whether to move the module up or down.")])
    try:
        attempt(drafts.move_module, course, current_user, number, direction, utcnow(), version)
    except DomainError as error:
        return _refused(course, error)
    moved_to = number + direction
    flash(
        gettext("The module is now module %(number)s.", number=moved_to),
        "success",
    )
    return redirect(url_for("provider.course", course_id=course.id, _anchor="modules"))


@bp.route("/courses/<id:course_id>/modules/<id:number>/remove", methods=["GET", "POST"])
@provider_required
def course_module_remove(course_id: int, number: int):
    """Check, then take a module (with its quiz) out of the working copy."""
    course = course_or_404(course_id)
    content = drafts.working_copy(course)
    if request.method == "GET":
        module = _module_or_404(content, number)
    refusal = why_not_editable(course)
    if refusal:
        return overview(course, 409, [refusal])
    if request.method == "GET":
        return render_template(
            "provider/courses/module_remove.html",
            course=course,
            title=content["title"],
            number=number,
            module=module,
            action=ActionForm(formdata=None),
            version=drafts.copy_version(course),
        )
    version, answer = posted_version(course)
    if answer:
        return answer
    _module_or_404(content, number)
    try:
        attempt(drafts.remove_module, course, current_user, number, utcnow(), version)
    except DomainError as error:
        return _refused(course, error)
    flash(gettext("Module %(number)s has been removed.", number=number), "success")
    return redirect(url_for("provider.course", course_id=course.id, _anchor="modules"))


# --- questions -------------------------------------------------------------------------------


def _question_page(
    course: Course,
    module_number: int | None,
    number: int | None,
    form: QuestionForm,
    status: int = 200,
    problems=None,
    version: int | None = None,
):
    content = drafts.working_copy(course)
    module = content["modules"][module_number - 1] if module_number is not None else None
    return (
        render_template(
            "provider/courses/question.html",
            course=course,
            title=content["title"],
            module_number=module_number,
            module=module,
            number=number,
            form=form,
            fewest=question_bank.FEWEST_CHOICES,
            most=question_bank.MOST_CHOICES,
            version=drafts.copy_version(course) if version is None else version,
            problem=problems,
        ),
        status,
    )


def _back_to_bank(course: Course, module_number: int | None):
    if module_number is None:
        return redirect(url_for("provider.course", course_id=course.id, _anchor="questions"))
    return redirect(
        url_for("provider.course_module", course_id=course.id, number=module_number, _anchor="quiz")
    )


def _new_question(course_id: int, module_number: int | None):
    course = course_or_404(course_id)
    if request.method == "GET":
        _bank_or_404(drafts.working_copy(course), module_number)
    refusal = why_not_editable(course)
    if refusal:
        return overview(course, 409, [refusal])
    if request.method == "GET":
        return _question_page(course, module_number, None, QuestionForm(formdata=None))
    version, answer = posted_version(course)
    if answer:
        return answer
    _bank_or_404(drafts.working_copy(course), module_number)
    form = QuestionForm()
    try:
        draft = attempt(
            drafts.save_question,
            course,
            current_user,
            module_number,
            None,
            form.values(),
            utcnow(),
            version,
        )
    except DomainError as error:
        if changed_since(error):
            return _refused(course, error)
        loose = form.show(error)
        return _question_page(
            course, module_number, None, form, refusal_status(loose), loose, version
        )
    bank = _bank_or_404(draft.content, module_number)
    flash(gettext("Question %(number)s has been added.", number=len(bank)), "success")
    if request.form.get("another"):
        return redirect(request.path)
    return _back_to_bank(course, module_number)


def _question(course_id: int, module_number: int | None, number: int):
    course = course_or_404(course_id)
    if request.method == "GET":
        bank = _question_or_404(course, module_number, number)
    refusal = why_not_editable(course)
    if refusal:
        return overview(course, 409, [refusal])
    if request.method == "GET":
        return _question_page(course, module_number, number, QuestionForm.of(bank[number - 1]))
    version, answer = posted_version(course)
    if answer:
        return answer
    _question_or_404(course, module_number, number)
    form = QuestionForm()
    try:
        attempt(
            drafts.save_question,
            course,
            current_user,
            module_number,
            number,
            form.values(),
            utcnow(),
            version,
        )
    except DomainError as error:
        if changed_since(error):
            return _refused(course, error)
        loose = form.show(error)
        return _question_page(
            course, module_number, number, form, refusal_status(loose), loose, version
        )
    flash(gettext("Question %(number)s has been saved.", number=number), "success")
    return _back_to_bank(course, module_number)


def _remove_question(course_id: int, module_number: int | None, number: int):
    course = course_or_404(course_id)
    refusal = why_not_editable(course)
    if refusal:
        return overview(course, 409, [refusal])
    version, answer = posted_version(course)
    if answer:
        return answer
    _question_or_404(course, module_number, number)
    try:
        attempt(
            drafts.remove_question, course, current_user, module_number, number, utcnow(), version
        )
    except DomainError as error:
        return _refused(course, error)
    flash(gettext("Question %(number)s has been removed.", number=number), "success")
    return _back_to_bank(course, module_number)


@bp.route("/courses/<id:course_id>/questions/new", methods=["GET", "POST"])
@provider_required
def course_question_new(course_id: int):
    """Add a question to the bank the pre-test and post-test are drawn from."""
    return _new_question(course_id, None)


@bp.route("/courses/<id:course_id>/questions/<id:number>", methods=["GET", "POST"])
@provider_required
def course_question(course_id: int, number: int):
    """Change one question of the tests' bank."""
    return _question(course_id, None, number)


@bp.route("/courses/<id:course_id>/questions/<id:number>/remove", methods=["POST"])
@provider_required
def course_question_remove(course_id: int, number: int):
    """Remove one question of the tests' bank."""
    return _remove_question(course_id, None, number)


@bp.route(
    "/courses/<id:course_id>/modules/<id:module_number>/questions/new", methods=["GET", "POST"]
)
@provider_required
def course_quiz_question_new(course_id: int, module_number: int):
    """Add a question to a module's quiz."""
    return _new_question(course_id, module_number)


@bp.route(
    "/courses/<id:course_id>/modules/<id:module_number>/questions/<id:number>",
    methods=["GET", "POST"],
)
@provider_required
def course_quiz_question(course_id: int, module_number: int, number: int):
    """Change one question of a module's quiz."""
    return _question(course_id, module_number, number)


@bp.route(
    "/courses/<id:course_id>/modules/<id:module_number>/questions/<id:number>/remove",
    methods=["POST"],
)
@provider_required
def course_quiz_question_remove(course_id: int, module_number: int, number: int):
    """Remove one question of a module's quiz."""
    return _remove_question(course_id, module_number, number)
