"""The learner's pages: "Pelatihan Saya" and each bought course's learning pages.

Addresses, each only for the order's own participant (another participant's order, module or
try, an unknown id, a module the course does not have: 404; a provider or the office: 403):

- /account/courses, "Pelatihan Saya" (`completion.COURSES_PATH`, which the completion mail
  links to): every order, newest first, with its state, progress, next step and deadline;
- /learn/<order>: the course's home: its state, its steps, what to do next; before a
  self-paced course is started, the form for its voucher code (POST /learn/<order>/start);
- /learn/<order>/modules/<position>: a module's lesson once opened, else the button that
  opens it (POST), or why it is still locked;
- /learn/<order>/pre-test, /learn/<order>/modules/<position>/quiz, /learn/<order>/post-test:
  the test's page (the open try's questions, or its latest result and a button that starts
  a try: POST .../start); POST sends the answers.

Where a course stands (done, open, waiting, locked) is learning/journey.py's alone; these
pages draw it and call one operation per form. A test's form carries only question ids and
choice indexes (`read_answers`): the try, its questions, its score and the time are the
server's. A refusal is the page again with the reason in the page's language: 400 for what
was sent (a wrong code, an answer missing or not of the test), 409 for the course's state
(a module still locked, the tries used up); the transaction boundary rolls back whatever a
refused request wrote.
"""

from dataclasses import dataclass
from datetime import datetime

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from marketplace.catalogue.models import Module
from marketplace.certificates import holdings, issuing
from marketplace.certificates.models import Certificate
from marketplace.core import DomainError
from marketplace.core.base import LARGEST_ID, utcnow
from marketplace.core.indonesia import jakarta_date
from marketplace.core.inputs import whole_number
from marketplace.learning import assessments, attendance, completion, lessons, reviews
from marketplace.learning import journey as journeys
from marketplace.learning.journey import CourseState, Journey, Step, StepKind, StepState
from marketplace.learning.models import Assessment, AssessmentKind
from marketplace.orders import checkout, redemption
from marketplace.orders.models import Order, OrderStatus
from marketplace.people.participants import participant_of
from marketplace.web.access import participant_required
from marketplace.web.formatting import error_message, wib
from marketplace.web.i18n import gettext
from marketplace.web.labels import COURSE_STATES, COURSE_TAGS, STEP_STATES, STEP_TAGS
from marketplace.web.learning import bp
from marketplace.web.learning.forms import ButtonForm, StartForm

ANSWER = "answer-"  # a test's radios are named answer-<question id>; their values the choice
NO_CHOICE = -1  # a value that is not a choice: the service refuses it for its question

# The test of each kind of page, and the step of the journey it is.
TEST_STEPS = {
    AssessmentKind.PRE_TEST: StepKind.PRE_TEST,
    AssessmentKind.QUIZ: StepKind.MODULE,
    AssessmentKind.POST_TEST: StepKind.POST_TEST,
}


@bp.app_template_filter("wib_soon")
def wib_soon(value: datetime | None) -> str:
    """A time the participant may go on at, in WIB: its hour alone when it is today in
    Jakarta ("10.30 WIB"), with its date when it is another day."""
    if value is None:
        return ""
    return wib(value, with_date=jakarta_date(value) != jakarta_date(utcnow()))


# --- what comes next -----------------------------------------------------------------------


@dataclass(frozen=True)
class NextStep:
    """The one thing to do next on a course; `kind` picks what learning/_next.html says:

    voucher, session (not started); pre_test, module, quiz, module_time, post_test,
    demonstration (the participant's move); attendance, demonstration_sent (the provider's);
    not_passed, review, completed, refunded, finishing (every step done, completion to come).
    """

    kind: str
    step: Step | None = None
    when: datetime | None = None  # the deadline or the time the participant may go on


def next_step(where: Journey, awaiting_review: bool) -> NextStep:
    """What the participant does next on `where.order` (or waits for)."""
    order = where.order
    state = where.state
    if state is CourseState.REFUNDED:
        return NextStep("refunded")
    if state is CourseState.COMPLETED:
        return NextStep("review" if awaiting_review else "completed")
    if state is CourseState.NOT_STARTED:
        if order.session is None:
            return NextStep("voucher")
        return NextStep("session", when=order.session.starts_at)
    if state is CourseState.NOT_PASSED:
        return NextStep("not_passed", where.step(StepKind.POST_TEST))
    step = where.next_step
    if step is None:
        return NextStep("finishing")
    if step.kind is StepKind.MODULE:
        if step.state is StepState.WAITING:
            return NextStep("module_time", step, when=step.until)
        opened = step.module.id in journeys.progress_of(order)
        return NextStep("quiz" if opened and step.has_quiz else "module", step)
    if step.kind is StepKind.DEMONSTRATION:
        sent = step.state is StepState.WAITING
        return NextStep("demonstration_sent" if sent else "demonstration", step)
    return NextStep(step.kind.value, step)  # pre_test, attendance, post_test


@dataclass(frozen=True)
class CourseRow:
    """One order on "Pelatihan Saya"."""

    order: Order
    journey: Journey
    next: NextStep
    certificate: Certificate | None = None  # once completed


def _labels() -> dict:
    return {
        "course_states": COURSE_STATES,
        "course_tags": COURSE_TAGS,
        "step_states": STEP_STATES,
        "step_tags": STEP_TAGS,
    }


# --- whose order ---------------------------------------------------------------------------


def _own_order(order_id: int) -> Order:
    """The signed-in participant's order; 404 for anyone else's or an unknown one."""
    participant = participant_of(current_user)
    found = checkout.order_for(participant, order_id) if participant is not None else None
    if found is None:
        abort(404)
    return found


def _own_module(order: Order, position: int) -> Module:
    """The module at `position` of a self-paced order's course; 404 otherwise (a course with a
    session is learnt at its session: it has no module pages)."""
    found = lessons.module_of(order, position) if order.session_id is None else None
    if found is None:
        abort(404)
    return found


# --- Pelatihan Saya ------------------------------------------------------------------------


@bp.route("/account/courses")
@participant_required
def courses():
    """Every course the participant bought, newest first: its state and the one next step."""
    participant = participant_of(current_user)
    orders = checkout.orders_of(participant) if participant is not None else []
    now = utcnow()
    completed = any(order.status is OrderStatus.COMPLETED for order in orders)
    reviewed = (
        {order.id for order in reviews.completed_and_reviewed(participant)} if completed else set()
    )
    # Every certificate she holds in one query, not one per completed order.
    held = holdings.of_participant(participant.id) if completed else {}
    rows = []
    for order in orders:
        where = journeys.journey(order, now)
        awaiting = order.status is OrderStatus.COMPLETED and order.id not in reviewed
        rows.append(CourseRow(order, where, next_step(where, awaiting), held.get(order.id)))
    return render_template("learning/courses.html", rows=rows, **_labels())


# --- the course's home ---------------------------------------------------------------------


def _takes_code(order: Order) -> bool:
    """Whether the course's page shows the voucher form: a self-paced order not started."""
    return order.status is OrderStatus.PAID and order.session_id is None


def _course_page(order: Order, form: StartForm, status: int = 200, problem: str | None = None):
    now = utcnow()
    where = journeys.journey(order, now)
    awaiting = reviews.awaiting_review(order)
    return (
        render_template(
            "learning/course.html",
            order=order,
            course=order.course,
            where=where,
            next=next_step(where, awaiting),
            days=attendance.attendance_of(order),
            days_required=attendance.days_required(order),
            form=form,
            takes_code=_takes_code(order),
            problem=problem,
            certificate=issuing.of_order(order) if order.status is OrderStatus.COMPLETED else None,
            **_labels(),
        ),
        status,
    )


@bp.route("/learn/<id:order_id>")
@participant_required
def course(order_id: int):
    """The course's state, progress and steps, and what to do next."""
    return _course_page(_own_order(order_id), StartForm())


@bp.route("/learn/<id:order_id>/start", methods=["POST"])
@participant_required
def start(order_id: int):
    """The participant types the voucher code: the self-paced course starts."""
    order = _own_order(order_id)
    form = StartForm()
    if not form.validate_on_submit():
        return _course_page(order, form, 400)
    try:
        redemption.start_self_paced(order, participant_of(current_user), form.code.data, utcnow())
    except DomainError as error:
        if _takes_code(order):  # the form is on the page: the code was wrong
            form.code.errors = [*form.code.errors, error_message(error)]
            return _course_page(order, form, 400)
        if order.status in (OrderStatus.REDEEMED, OrderStatus.COMPLETED):
            # Sent twice (a second tab, a double tap): the course has started, as asked.
            flash(gettext("Your course has already started."), "info")
            return redirect(url_for("learning.course", order_id=order.id))
        return _course_page(order, form, 409, problem=error_message(error))
    flash(gettext("Your course has started. Begin with the pre-test."), "success")
    return redirect(url_for("learning.course", order_id=order.id))


@bp.route("/learn/<id:order_id>/complete", methods=["POST"])
@participant_required
def complete(order_id: int):
    """Every step done but the course not completed (a provider corrected an attendance day
    after the post-test): the participant completes it; every rule is checked again."""
    order = _own_order(order_id)
    if not ButtonForm().validate_on_submit():
        return _course_page(order, StartForm(), 400)
    try:
        completion.complete(order, utcnow())
    except DomainError as error:
        return _course_page(order, StartForm(), 409, problem=error_message(error))
    flash(
        gettext(
            "You completed the course. Rate it now: your review helps other participants choose."
        ),
        "success",
    )
    return redirect(url_for("learning.course", order_id=order.id))


# --- a module ------------------------------------------------------------------------------


def _module_page(
    order: Order, module: Module, form: ButtonForm, status: int = 200, problem: str | None = None
):
    now = utcnow()
    where = journeys.journey(order, now)
    step = where.step(StepKind.MODULE, module.id)
    progress = journeys.progress_of(order).get(module.id)
    closed = lessons.why_closed(order)
    shown = progress is not None and order.status is not OrderStatus.REFUNDED
    if closed is not None and not (shown and order.status is OrderStatus.COMPLETED):
        why_not = error_message(closed)
    elif progress is None and step.state is StepState.LOCKED:
        why_not = error_message(lessons.why_locked(where, module))
    else:
        why_not = None
    minimum = journeys.minimum_time(module, journeys.learning_percent(order))
    modules = order.course.modules
    index = modules.index(module)
    return (
        render_template(
            "learning/module.html",
            order=order,
            course=order.course,
            module=module,
            step=step,
            progress=progress,
            blocks=lessons.blocks(module.lesson) if shown else [],
            shown=shown,
            can_open=progress is None and why_not is None,
            why_not=why_not,
            minimum_minutes=int(minimum.total_seconds() // 60),
            continue_at=progress.opened_at + minimum if progress is not None else None,
            now=now,
            previous=modules[index - 1] if index > 0 else None,
            following=modules[index + 1] if index + 1 < len(modules) else None,
            form=form,
            problem=problem,
            **_labels(),
        ),
        status,
    )


@bp.route("/learn/<id:order_id>/modules/<id:position>", methods=["GET", "POST"])
@participant_required
def module(order_id: int, position: int):
    """A module's lesson; POST opens it (its minimum learning time starts then)."""
    order = _own_order(order_id)
    found = _own_module(order, position)
    form = ButtonForm()
    if request.method == "GET":
        return _module_page(order, found, form)
    if not form.validate_on_submit():
        return _module_page(order, found, form, 400)
    try:
        lessons.open_module(order, participant_of(current_user), found, utcnow())
    except DomainError as error:
        return _module_page(order, found, form, 409, problem=error_message(error))
    return redirect(url_for("learning.module", order_id=order.id, position=position))


# --- the tests -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Paper:
    """Which test a page is: its kind, its module (a quiz's) and the URLs of its forms."""

    order: Order
    kind: AssessmentKind
    module: Module | None = None

    @property
    def module_id(self) -> int | None:
        return self.module.id if self.module is not None else None

    def url(self, start: bool = False) -> str:
        values = {"order_id": self.order.id}
        if self.kind is AssessmentKind.QUIZ:
            endpoint = "learning.start_quiz" if start else "learning.quiz"
            values["position"] = self.module.position
        else:
            endpoint = f"learning.{'start_' if start else ''}{self.kind.value}"
        return url_for(endpoint, **values)


def _place(order_id: int, kind: AssessmentKind, position: int | None) -> Paper:
    """The test's page of the participant's own order; 404 for a quiz the module lacks."""
    order = _own_order(order_id)
    if kind is not AssessmentKind.QUIZ:
        return Paper(order, kind)
    found = _own_module(order, position)
    if found.id not in journeys.quiz_modules(order.course_id):
        abort(404)
    return Paper(order, kind, found)


def read_answers(form) -> tuple[dict[int, int], bool]:
    """The answers a test's form sent, {question id: choice index}, and whether it sent an
    `answer-` name that is not a question id (a non-number, a number out of range).

    Only the names' ids and the values' indexes are read: a value that is not one whole
    number (a word, two values for one question) becomes NO_CHOICE, which the service refuses
    for that question. Other names (the CSRF token) are not answers.
    """
    answers: dict[int, int] = {}
    unreadable = False
    for name, values in form.lists():
        if not name.startswith(ANSWER):
            continue
        question_id = whole_number(name[len(ANSWER) :], lowest=1, highest=LARGEST_ID)
        if question_id is None:
            unreadable = True
            continue
        choice = whole_number(values[0], highest=LARGEST_ID) if len(values) == 1 else None
        answers[question_id] = NO_CHOICE if choice is None else choice
    return answers, unreadable


def _test_page(
    place: Paper,
    form: ButtonForm,
    status: int = 200,
    problem: str | None = None,
    answer_errors: dict[int, str] | None = None,
    chosen: dict[int, int] | None = None,
):
    order = place.order
    now = utcnow()
    where = journeys.journey(order, now)
    step = where.step(TEST_STEPS[place.kind], place.module_id)
    # A try left open is not offered once the course is closed (refunded, completed).
    closed = lessons.why_closed(order)
    attempt = assessments.open_try(order, place.kind, place.module_id) if closed is None else None
    tries = [
        row
        for row in journeys.assessments_of(order)
        if row.kind is place.kind and row.module_id == place.module_id and row.submitted_at
    ]
    why_not = None
    if attempt is None:
        # The check `assessments.start` makes before it draws a try: read-only, so the page
        # says why no try can start rather than offering a button that would be refused.
        refused = assessments.why_not(order, place.kind, place.module, now)
        why_not = error_message(refused) if refused is not None else None
    questions = assessments.questions(attempt) if attempt is not None else []
    return (
        render_template(
            "learning/test.html",
            order=order,
            course=order.course,
            place=place,
            kind=place.kind.value,
            module=place.module,
            step=step,
            attempt=attempt,
            questions=questions,
            latest=tries[-1] if tries else None,
            why_not=why_not,
            form=form,
            problem=problem,
            answer_errors=answer_errors or {},
            chosen=chosen or {},
            next_module=_module_after(order, place.module),
            **_labels(),
        ),
        status,
    )


def _module_after(order: Order, module: Module | None) -> Module | None:
    if module is None:
        return None
    return lessons.module_of(order, module.position + 1)


def _show_test(order_id: int, kind: AssessmentKind, position: int | None = None):
    """GET: the test's page. POST: the answers to the open try, scored by the server."""
    place = _place(order_id, kind, position)
    form = ButtonForm()
    if request.method == "GET":
        return _test_page(place, form)
    if not form.validate_on_submit():
        return _test_page(place, form, 400)
    attempt: Assessment | None = assessments.open_try(place.order, kind, place.module_id)
    if attempt is None:  # sent already (a second tab), or never started
        started = assessments.tries(place.order, kind, place.module_id) > 0
        message = assessments.SUBMITTED if started else assessments.START_FIRST
        return _test_page(place, form, 409, problem=gettext(message))
    answers, unreadable = read_answers(request.form)
    chosen = {key: value for key, value in answers.items() if value != NO_CHOICE}
    if unreadable:
        problem = gettext(assessments.NOT_IN_TRY)
        return _test_page(place, form, 400, problem=problem, chosen=chosen)
    try:
        assessments.submit(attempt, participant_of(current_user), answers, utcnow())
    except DomainError as error:
        per_question = {
            int(refusal.field[len(ANSWER) :]): error_message(refusal)
            for refusal in error.errors
            if refusal.field and refusal.field.startswith(ANSWER)
        }
        typed = per_question or error.message == assessments.NOT_IN_TRY
        return _test_page(
            place,
            form,
            400 if typed else 409,
            problem=error_message(error),
            answer_errors=per_question,
            chosen=chosen,
        )
    return _after_submit(place, attempt)


def _after_submit(place: Paper, attempt: Assessment):
    order = place.order
    mark = order.course.pass_mark
    if attempt.kind is AssessmentKind.POST_TEST and order.status is OrderStatus.COMPLETED:
        flash(
            gettext(
                "You passed the post-test with %(score)s of 100 and completed the course. "
                "Rate it now: your review helps other participants choose.",
                score=attempt.score,
            ),
            "success",
        )
        return redirect(url_for("learning.course", order_id=order.id))
    if attempt.kind is AssessmentKind.PRE_TEST and order.session_id is not None:
        message = gettext("Your pre-test score is %(score)s of 100.", score=attempt.score)
    elif attempt.kind is AssessmentKind.PRE_TEST:
        message = gettext(
            "Your pre-test score is %(score)s of 100. The modules are open now.",
            score=attempt.score,
        )
    elif attempt.passed:
        message = gettext("You scored %(score)s of 100: you passed.", score=attempt.score)
    else:
        message = gettext(
            "You scored %(score)s of 100: the pass mark is %(mark)s.",
            score=attempt.score,
            mark=mark,
        )
    flash(message, "success" if attempt.passed is not False else "info")
    return redirect(place.url())


def _start_test(order_id: int, kind: AssessmentKind, position: int | None = None):
    """POST: a new try of the test (or the one still open), then its questions."""
    place = _place(order_id, kind, position)
    form = ButtonForm()
    if not form.validate_on_submit():
        return _test_page(place, form, 400)
    try:
        assessments.start(
            place.order, participant_of(current_user), kind, utcnow(), module=place.module
        )
    except DomainError as error:
        return _test_page(place, form, 409, problem=error_message(error))
    return redirect(place.url())


@bp.route("/learn/<id:order_id>/pre-test", methods=["GET", "POST"])
@participant_required
def pre_test(order_id: int):
    """The pre-test: taken once, before the modules open."""
    return _show_test(order_id, AssessmentKind.PRE_TEST)


@bp.route("/learn/<id:order_id>/pre-test/start", methods=["POST"])
@participant_required
def start_pre_test(order_id: int):
    return _start_test(order_id, AssessmentKind.PRE_TEST)


@bp.route("/learn/<id:order_id>/modules/<id:position>/quiz", methods=["GET", "POST"])
@participant_required
def quiz(order_id: int, position: int):
    """A module's quiz: taken until it is passed."""
    return _show_test(order_id, AssessmentKind.QUIZ, position)


@bp.route("/learn/<id:order_id>/modules/<id:position>/quiz/start", methods=["POST"])
@participant_required
def start_quiz(order_id: int, position: int):
    return _start_test(order_id, AssessmentKind.QUIZ, position)


@bp.route("/learn/<id:order_id>/post-test", methods=["GET", "POST"])
@participant_required
def post_test(order_id: int):
    """The post-test: passed at the course's pass mark within its tries."""
    return _show_test(order_id, AssessmentKind.POST_TEST)


@bp.route("/learn/<id:order_id>/post-test/start", methods=["POST"])
@participant_required
def start_post_test(order_id: int):
    return _start_test(order_id, AssessmentKind.POST_TEST)
