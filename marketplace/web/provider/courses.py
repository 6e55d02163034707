"""The provider's course editor: its courses, a new course, and one course's overview with
its actions.

- /provider/courses: the provider's courses, filtered by status with a count per status, a
  search by title (the working copy's title, which is what the provider last typed) and
  pages; each with its status, whether a changed version waits for curation or was sent
  back, and the office's last note.
- /provider/courses/new and /provider/courses/<id>/details: every detail of a course
  (curation/drafts.read_details holds the rules, refusing field by field).
- /provider/courses/<id>: the working copy (drafts.working_copy) with the training
  standard's findings beside each part and the standard's figures, the modules (moved up and
  down by buttons), the tests' question bank, the sessions of a webinar or offline course,
  and the actions: submit for curation, withdraw, publish text fixes, archive, delete.

Every route takes the course through `course_or_404`: another provider's course is not found.
Every form that changes the working copy carries the copy's version as the page drew it
(`drafts.copy_version`, a hidden `version` field) and the view hands it to the operation: two
members of staff editing at once, the second one's form (naming a module or question by its
place) is refused with a 409 rather than landing on whatever has moved into that place; a
form without a readable version is a 400. Nothing changes either way.
A refusal that is about what was typed is a 400 with a message per field; one that is about
the course's state (waiting for curation, archived, sold) is a 409 saying why and what to do.
The modules' and questions' pages are in course_content.py, the sessions' in
course_sessions.py.
"""

import re

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.exceptions import BadRequest

from marketplace.catalogue.models import Category, Course, CourseStatus, Method
from marketplace.core import DomainError
from marketplace.core.base import utcnow
from marketplace.core.models import Province
from marketplace.curation import decisions, drafts, standard
from marketplace.curation import sessions as session_rules
from marketplace.curation.models import CourseDraft, DraftState, TrainingStandard
from marketplace.extensions import db
from marketplace.programme.models import Scheme
from marketplace.web.access import provider_required
from marketplace.web.formatting import error_message
from marketplace.web.i18n import gettext, page_locale
from marketplace.web.i18n import lazy_gettext as _l
from marketplace.web.labels import LISTING_STATUSES, LISTING_TAGS
from marketplace.web.paging import page_or_400, within_pages
from marketplace.web.provider import bp
from marketplace.web.provider.course_forms import (
    ActionForm,
    DetailsForm,
    SearchForm,
    show_refusal,
)

PER_PAGE = 20
LONGEST_QUERY = 200
STATUSES = tuple(status.value for status in CourseStatus)
STATUS_LABELS = LISTING_STATUSES
STATUS_TAGS = LISTING_TAGS
# A listed course's next version (its working copy), beside its status.
NEXT_VERSION = {
    "editing": _l("Changes not submitted yet"),
    "submitted": _l("Changes waiting for curation"),
    "rejected": _l("Changes sent back"),
}
# The working copy's parts, as the overview names what changed.
PART_LABELS = {
    "title": _l("Title"),
    "summary": _l("Summary"),
    "description": _l("Description"),
    "outcomes": _l("What participants will be able to do"),
    "audience": _l("Who the course is for"),
    "category_id": _l("Category"),
    "method": _l("Training method"),
    "level": _l("Level"),
    "price": _l("Price"),
    "province_id": _l("Province"),
    "city": _l("City"),
    "needs_demonstration": _l("Skill demonstration"),
    "demonstration_brief": _l("What the skill demonstration asks for"),
    "pass_mark": _l("Pass mark"),
    "test_tries": _l("Tries at the post-test"),
    "modules": _l("Modules"),
    "questions": _l("The tests' question bank"),
}


# --- shared by the editor's pages ----------------------------------------------------------


def course_or_404(course_id: int) -> Course:
    """This provider's course, or 404 (another provider's course is simply not found)."""
    found = db.session.scalar(
        sa.select(Course).where(
            Course.id == course_id, Course.provider_id == current_user.provider_id
        )
    )
    if found is None:
        abort(404)
    return found


def standard_for_page() -> tuple[TrainingStandard | None, Scheme | None]:
    """The standard in force and its scheme, without writing (`standard.shown`)."""
    return standard.shown()


def why_not_editable(course: Course) -> str | None:
    """Why the course's working copy can't be changed now, in the page's language."""
    if course.status is CourseStatus.ARCHIVED:
        return gettext(session_rules.ARCHIVED)
    draft = drafts.draft_of(course)
    if draft is not None and draft.state is DraftState.SUBMITTED:
        return gettext(drafts.EDITED_WHILE_SUBMITTED)
    return None


def attempt(operation, *args):
    """`operation(*args)` in a SAVEPOINT: when it refuses (DomainError), whatever it flushed
    before refusing (a working copy made from the rows, say) is undone at once, so the page
    drawn with the refusal shows the course as it is. The request's transaction is rolled
    back after a refusal anyway (web/transaction.py)."""
    with db.session.begin_nested():
        return operation(*args)


def posted_version(course: Course):
    """The working copy's version the posted form was drawn from (its hidden `version`
    field), checked before anything else is read: `(version, None)` when it is still the
    copy's, else `(None, answer)`: a 400 when the form has no readable version, a 409 (the
    overview saying drafts.CHANGED_SINCE) when someone changed the copy since. The operation
    is given the version too, to check it again under its lock."""
    raw = request.form.get("version", "").strip()
    if not re.fullmatch(r"[0-9]{1,12}", raw):
        return None, overview(
            course,
            400,
            [
                gettext(
                    "This form doesn't say which version of the course it was opened on, so "
                    "nothing was saved. Open the course again and make your change again."
                )
            ],
        )
    version = int(raw)
    if version != drafts.copy_version(course):
        return None, overview(course, 409, [gettext(drafts.CHANGED_SINCE)])
    return version, None


def changed_since(error: DomainError) -> bool:
    """Whether a refusal says the copy changed since the form was drawn (the page's module
    or question numbers may name other ones now: answer with the overview, not the form)."""
    return any(each.message == drafts.CHANGED_SINCE for each in error.errors)


def refusal_status(loose: list) -> int:
    """400 when every message of a refusal sits on a field (what was typed), else 409."""
    return 409 if loose else 400


def overview(course: Course, status: int = 200, problems: list | None = None):
    """The course's editor overview (the page, and the answer to a refused action)."""
    draft = drafts.draft_of(course)
    content = drafts.working_copy(course)
    rules, scheme = standard_for_page()
    findings = standard.findings(content, rules, scheme) if rules is not None else []
    found: dict[str, list[str]] = {}
    for finding in findings:
        found.setdefault(finding.field, []).append(error_message(finding))
    method = Method(content["method"])
    listed = drafts.ever_approved(course)
    changed = drafts.changed_keys(course, content) if listed and draft is not None else set()
    state = draft.state.value if draft is not None else None
    editable = course.status is not CourseStatus.ARCHIVED and state != "submitted"
    text_only = bool(changed) and changed <= set(drafts.TEXT_KEYS)
    minutes = sum(module["minutes"] for module in content["modules"])
    figures = None
    if rules is not None:
        figures = {
            "minutes": minutes,
            "least_hours": standard.least_hours(rules, method),
            "price": content["price"],
            "price_limit": standard.price_limit(scheme),
            "modules": len(content["modules"]),
            "least_modules": rules.min_modules,
            "questions": len(content["questions"]),
            "least_questions": rules.min_test_questions,
            "trainees_per_trainer": standard.trainees_per_trainer(rules, method),
            "scheme": scheme.name,
        }
    province = db.session.get(Province, content["province_id"]) if content["province_id"] else None
    return (
        render_template(
            "provider/courses/course.html",
            course=course,
            draft=draft,
            content=content,
            category=db.session.get(Category, content["category_id"]),
            province=province,
            method=method,
            listed=listed,
            state=state,
            editable=editable,
            changed=[PART_LABELS[key] for key in PART_LABELS if key in changed],
            can_fix_text=editable and course.status is CourseStatus.APPROVED and text_only,
            can_submit=editable and (not listed or bool(changed - set(drafts.TEXT_KEYS))),
            findings=found,
            finding_count=len(findings),
            figures=figures,
            sessions=list(course.sessions) if method is not Method.SELF_PACED else [],
            now=utcnow(),
            has_orders=not decisions.may_delete(course),
            note=course.curator_note or (draft.note if draft is not None else None),
            statuses=STATUS_LABELS,
            tags=STATUS_TAGS,
            next_version=NEXT_VERSION,
            action=ActionForm(formdata=None),
            version=drafts.copy_version(course),
            problem=problems,
        ),
        status,
    )


def _fill_choices(form: DetailsForm) -> None:
    """The category and province lists, named in the page's language."""
    english = page_locale() == "en"
    categories = db.session.scalars(sa.select(Category).order_by(Category.name)).all()
    form.category_id.choices = [("", gettext("Choose a category"))] + [
        (str(category.id), category.name_en if english else category.name)
        for category in categories
    ]
    provinces = db.session.scalars(sa.select(Province).order_by(Province.name)).all()
    form.province_id.choices = [("", gettext("None: the course is online"))] + [
        (str(province.id), province.name) for province in provinces
    ]


def _details_page(
    form: DetailsForm,
    course: Course | None,
    status: int = 200,
    problems=None,
    version: int | None = None,
):
    rules, scheme = standard_for_page()
    if course is not None and version is None:
        version = drafts.copy_version(course)
    return (
        render_template(
            "provider/courses/details.html",
            form=form,
            course=course,
            listed=course is not None and drafts.ever_approved(course),
            price_limit=standard.price_limit(scheme) if scheme is not None else None,
            rules=rules,
            text_keys=drafts.TEXT_KEYS,
            version=version,
            problem=problems,
        ),
        status,
    )


# --- the list -------------------------------------------------------------------------------


def _title_matches(words: str):
    """The condition "the course's title holds `words`", on the working copy's title where
    there is one (a course never listed keeps its first title in its row)."""
    escaped = words.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    title = sa.func.coalesce(CourseDraft.content["title"].as_string(), Course.title)
    return title.ilike(f"%{escaped}%", escape="\\")


@bp.route("/courses")
@provider_required
def courses():
    """The provider's courses, newest first, by status, with a search by title."""
    page = page_or_400(request.args.get("page"))
    status = request.args.get("status") or ""
    if status not in ("", *STATUSES):
        refused = BadRequest()
        refused.user_message = gettext("Choose one of the statuses listed on the page.")
        raise refused
    form = SearchForm(request.args)
    words = " ".join((form.q.data or "").split())
    answer = 200
    if len(words) > LONGEST_QUERY:
        form.q.errors = [
            gettext("Search with at most %(longest)s characters.", longest=LONGEST_QUERY)
        ]
        words, answer = "", 400
    conditions = [Course.provider_id == current_user.provider_id]
    if words:
        conditions.append(_title_matches(words))
    joined = sa.outerjoin(Course, CourseDraft, CourseDraft.course_id == Course.id)
    counts = dict(
        db.session.execute(
            sa.select(Course.status, sa.func.count(Course.id))
            .select_from(joined)
            .where(*conditions)
            .group_by(Course.status)
        ).all()
    )
    counts = {value: counts.get(CourseStatus(value), 0) for value in STATUSES}
    if status:
        conditions.append(Course.status == CourseStatus(status))
    query = sa.select(Course).select_from(joined).where(*conditions).order_by(Course.id.desc())
    results = within_pages(
        db.paginate(query, page=page, per_page=PER_PAGE, max_per_page=PER_PAGE, error_out=False)
    )
    ids = [course.id for course in results.items]
    copies = {
        draft.course_id: draft
        for draft in db.session.scalars(
            sa.select(CourseDraft).where(CourseDraft.course_id.in_(ids))
        )
    }
    return (
        render_template(
            "provider/courses/list.html",
            form=form,
            results=results,
            copies=copies,
            counts=counts,
            total=sum(counts.values()),
            status=status,
            words=words,
            statuses=STATUS_LABELS,
            tags=STATUS_TAGS,
            next_version=NEXT_VERSION,
        ),
        answer,
    )


# --- a new course, and its details ----------------------------------------------------------


@bp.route("/courses/new", methods=["GET", "POST"])
@provider_required
def course_new():
    """A new course from its details; modules, questions and sessions are added next."""
    if request.method == "GET":
        form = DetailsForm(
            formdata=None,
            data={
                "method": "self_paced",
                "level": "beginner",
                "pass_mark": "60",
                "test_tries": "3",
            },
        )
        _fill_choices(form)
        return _details_page(form, None)
    form = DetailsForm()
    _fill_choices(form)
    try:
        course = attempt(
            drafts.create_course, current_user.provider, current_user, form.values(), utcnow()
        )
    except DomainError as error:
        loose = show_refusal(form, error)
        return _details_page(form, None, refusal_status(loose), loose)
    flash(
        gettext(
            "The course has been created. Add its modules and the tests' questions, then "
            "submit it for curation."
        ),
        "success",
    )
    return redirect(url_for("provider.course", course_id=course.id))


@bp.route("/courses/<id:course_id>/details", methods=["GET", "POST"])
@provider_required
def course_details(course_id: int):
    """Change the course's details in its working copy."""
    course = course_or_404(course_id)
    refusal = why_not_editable(course)
    if refusal:
        return overview(course, 409, [refusal])
    if request.method == "GET":
        form = DetailsForm.of(drafts.working_copy(course))
        _fill_choices(form)
        return _details_page(form, course)
    version, answer = posted_version(course)
    if answer:
        return answer
    form = DetailsForm()
    _fill_choices(form)
    try:
        attempt(drafts.save_details, course, current_user, form.values(), utcnow(), version)
    except DomainError as error:
        if changed_since(error):
            return overview(course, 409, [error_message(each) for each in error.errors])
        loose = show_refusal(form, error)
        return _details_page(form, course, refusal_status(loose), loose, version)
    flash(gettext("The course's details have been saved."), "success")
    return redirect(url_for("provider.course", course_id=course.id))


# --- one course and its actions -------------------------------------------------------------


@bp.route("/courses/<id:course_id>")
@provider_required
def course(course_id: int):
    """The course's editor overview."""
    return overview(course_or_404(course_id))


def _act(course_id: int, operation, done: str, to_list: bool = False):
    """Run an action on the course (its button's form is only the CSRF token): the overview
    with the refusal (409) when its state refuses it, else back with `done` said."""
    course = course_or_404(course_id)
    try:
        attempt(operation, course)
    except DomainError as error:
        return overview(
            course_or_404(course_id), 409, [error_message(each) for each in error.errors]
        )
    flash(done, "success")
    if to_list:
        return redirect(url_for("provider.courses"))
    return redirect(url_for("provider.course", course_id=course_id))


@bp.route("/courses/<id:course_id>/submit", methods=["POST"])
@provider_required
def course_submit(course_id: int):
    """Send the working copy to the curation queue (refused with every finding)."""
    return _act(
        course_id,
        lambda course: decisions.submit(course, current_user, utcnow()),
        gettext(
            "The course has been sent for curation. The programme office checks it against "
            "the training standard; you get an email when it has decided."
        ),
    )


@bp.route("/courses/<id:course_id>/withdraw", methods=["POST"])
@provider_required
def course_withdraw(course_id: int):
    """Take the working copy back from the queue to change it."""
    return _act(
        course_id,
        lambda course: decisions.withdraw(course, current_user, utcnow()),
        gettext("The course has been taken back from curation. Change it, then submit it again."),
    )


@bp.route("/courses/<id:course_id>/text-fixes", methods=["POST"])
@provider_required
def course_text_fixes(course_id: int):
    """Put a listed course's text fixes live at once."""
    return _act(
        course_id,
        lambda course: drafts.publish_text_fixes(course, current_user, utcnow()),
        gettext("The text fixes are live: participants see them now."),
    )


def _check_page(template: str, course: Course, status: int = 200, problems=None):
    return (
        render_template(
            template,
            course=course,
            title=drafts.working_copy(course)["title"],
            has_orders=not decisions.may_delete(course),
            action=ActionForm(formdata=None),
            statuses=STATUS_LABELS,
            problem=problems,
        ),
        status,
    )


@bp.route("/courses/<id:course_id>/archive", methods=["GET", "POST"])
@provider_required
def course_archive(course_id: int):
    """Check, then archive: the course leaves the catalogue; its learners keep it."""
    course = course_or_404(course_id)
    if course.status is CourseStatus.ARCHIVED:
        return overview(course, 409, [gettext("This course is archived already.")])
    if request.method == "GET":
        return _check_page("provider/courses/archive.html", course)
    return _act(
        course_id,
        lambda course: decisions.archive(course, current_user, utcnow()),
        gettext(
            "The course has been archived: it has left the catalogue, and participants who "
            "bought it keep learning it."
        ),
    )


@bp.route("/courses/<id:course_id>/delete", methods=["GET", "POST"])
@provider_required
def course_delete(course_id: int):
    """Check, then delete a course nobody bought (one with orders can only be archived)."""
    course = course_or_404(course_id)
    if request.method == "GET":
        return _check_page("provider/courses/delete.html", course)
    title = drafts.working_copy(course)["title"]
    try:
        attempt(decisions.delete, course, current_user)
    except DomainError as error:
        return _check_page("provider/courses/delete.html", course, 409, [error_message(error)])
    flash(gettext("The course \u201c%(title)s\u201d has been deleted.", title=title), "success")
    return redirect(url_for("provider.courses"))
