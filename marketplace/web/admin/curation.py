"""/admin/curation: the programme office's curation ("kurasi") of the courses providers
submit.

- The queue: every copy waiting (`CourseDraft.state` submitted), the longest waiting first,
  20 a page, each with its provider, title, method, whether it is a first listing or a change
  of a listed course, how long it has waited, and the checks worked out when it was
  submitted (curation/checks.py), each check that needs the curator's eye said in words.
- One copy: everything submitted (details, modules with their lessons, the question banks
  with the right answers marked, the skill demonstration's brief), for a listed course what
  it changes against the live rows, the checks, the course's history, and the decision: approve
  or send back with a note (required to send back). The form carries the copy's version and
  the time it was submitted: `decisions.decide` decides the version the curator read and no
  other, so the second of two curators (or one deciding a copy changed since) is told it was
  decided already (409) and nothing changes.
The rules are curation/'s; this module reads and shows.
"""

import copy
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy.orm import joinedload
from wtforms import HiddenField, StringField, TextAreaField

from marketplace.catalogue.models import Category, Course
from marketplace.core import N_, DomainError
from marketplace.core.base import LARGEST_ID, utcnow
from marketplace.core.models import Province
from marketplace.curation import decisions, drafts
from marketplace.curation.models import CourseDraft, DraftState
from marketplace.extensions import db
from marketplace.learning.lessons import blocks
from marketplace.web.access import admin_required
from marketplace.web.admin import bp
from marketplace.web.admin.course_history import DETAILS, latest_events
from marketplace.web.formatting import error_message, number, rupiah, wib
from marketplace.web.i18n import gettext, ngettext, page_locale
from marketplace.web.i18n import lazy_gettext as _l
from marketplace.web.inputs import WholeNumberField
from marketplace.web.labels import COURSE_LEVELS, COURSE_METHODS
from marketplace.web.paging import page_or_400, within_pages

QUEUE_PER_PAGE = 20
HISTORY_SHOWN = 20  # the latest changes of status on a copy's page; the history page has all
DECISIONS = ("approve", "reject")
DECISION_MISSING = N_("Choose whether to approve the course or send it back.")
FORM_OUT_OF_DATE = N_("This form is out of date: open the course from the queue again.")

LONG_TEXTS = ("description", "outcomes", "audience", "demonstration_brief")
METHODS = COURSE_METHODS
LEVELS = COURSE_LEVELS


class DecisionForm(FlaskForm):
    """Approve or send back, the note, and which copy the curator read."""

    version = WholeNumberField(highest=LARGEST_ID, message=_l(FORM_OUT_OF_DATE))
    submitted = HiddenField()
    decision = StringField(_l("Approve it, or send it back?"))
    note = TextAreaField(_l("Note to the provider"))


# --- what is shown ----------------------------------------------------------------------------


def shown(key: str, value) -> str:
    """A detail's value as the page shows it, in the page's language."""
    if key == "category_id":
        category = db.session.get(Category, value) if isinstance(value, int) else None
        if category is None:
            return "–"
        return category.name_en if page_locale() == "en" else category.name
    if key == "province_id":
        province = db.session.get(Province, value) if isinstance(value, int) else None
        return province.name if province is not None else "–"
    if key == "method":
        return str(METHODS.get(value, value))
    if key == "level":
        return str(LEVELS.get(value, value))
    if key == "price":
        return rupiah(value) if isinstance(value, int) else "–"
    if key == "needs_demonstration":
        return gettext("Asked for") if value else gettext("Not asked for")
    if key == "pass_mark":
        return gettext("%(mark)s of 100", mark=value)
    if value is None or value == "":
        return "–"
    return str(value)


def waited(since: datetime | None, now: datetime) -> str:
    """How long a copy has waited, in days, else hours, in the page's language."""
    if since is None:
        return "–"
    seconds = max((now - since).total_seconds(), 0)
    days = int(seconds // 86400)
    if days:
        return ngettext("%(num)s day", "%(num)s days", days)
    hours = int(seconds // 3600)
    if hours:
        return ngettext("%(num)s hour", "%(num)s hours", hours)
    return gettext("Less than an hour")


@dataclass
class Check:
    """One line of the checks: what it is, what was found, and whether it needs a look."""

    label: str
    found: str
    flagged: bool
    items: list = field(default_factory=list)  # (text, course id or None)


def _percent(share) -> str:
    return f"{number(round(float(share) * 100))}%"


def _finding(found: dict) -> str:
    params = found.get("params") if isinstance(found.get("params"), dict) else {}
    if "limit" in params and isinstance(params["limit"], int):
        params = {**params, "limit": rupiah(params["limit"])}
    return gettext(str(found.get("message", "")), **params)


def checks_of(checks: dict | None) -> list[Check]:
    """The stored checks of a copy (curation/checks.py's keys) as lines to show."""
    if not checks:
        return []
    result: list[Check] = []
    hours, least_hours = checks.get("hours") or 0, checks.get("least_hours") or 0
    whole = float(hours).is_integer()
    result.append(
        Check(
            gettext("Hours"),
            gettext(
                "%(hours)s hours; the least for its method is %(least)s",
                hours=number(hours, 0 if whole else 1),
                least=least_hours,
            ),
            not whole or hours < least_hours,
        )
    )
    price, limit = checks.get("price"), checks.get("price_limit")
    result.append(
        Check(
            gettext("Price"),
            gettext(
                "%(price)s; the scheme's limit is %(limit)s",
                price=rupiah(price),
                limit=rupiah(limit),
            ),
            not isinstance(price, int) or not isinstance(limit, int) or not 0 < price <= limit,
        )
    )
    modules, least_modules = checks.get("modules") or 0, checks.get("least_modules") or 0
    result.append(
        Check(
            gettext("Modules"),
            gettext("%(count)s; at least %(least)s", count=modules, least=least_modules),
            modules < least_modules,
        )
    )
    questions, least_questions = checks.get("questions") or 0, checks.get("least_questions") or 0
    result.append(
        Check(
            gettext("Test questions"),
            gettext("%(count)s; at least %(least)s", count=questions, least=least_questions),
            questions < least_questions,
        )
    )
    ratio = checks.get("trainees_per_trainer")
    sessions = checks.get("sessions") or []
    if ratio is None:
        result.append(
            Check(gettext("Participants per trainer"), gettext("Not for self-paced courses"), False)
        )
    else:
        items = []
        for session in sessions:
            try:
                starts_at = datetime.fromisoformat(session["starts_at"])
            except (KeyError, TypeError, ValueError):
                continue
            items.append(
                (
                    gettext(
                        "%(when)s: %(capacity)s seats, %(trainers)s trainers: %(verdict)s",
                        when=wib(starts_at),
                        capacity=session.get("capacity"),
                        trainers=session.get("trainers"),
                        verdict=gettext("within the ratio")
                        if session.get("within")
                        else gettext("over the ratio"),
                    ),
                    None,
                )
            )
        over = [session for session in sessions if not session.get("within")]
        found = (
            gettext("One trainer for at most %(ratio)s participants", ratio=ratio)
            + " · "
            + (
                gettext("no upcoming schedule yet")
                if not sessions
                else gettext(
                    "%(over)s of %(count)s schedules over it", over=len(over), count=len(sessions)
                )
            )
        )
        result.append(Check(gettext("Participants per trainer"), found, bool(over), items))
    findings = checks.get("findings") or []
    result.append(
        Check(
            gettext("Findings of the training standard"),
            gettext("None") if not findings else gettext("%(count)s found", count=len(findings)),
            bool(findings),
            [(_finding(found), None) for found in findings if isinstance(found, dict)],
        )
    )
    titles = checks.get("close_titles") or []
    result.append(
        Check(
            gettext("Title close to another of the provider's courses"),
            gettext("None") if not titles else gettext("%(count)s found", count=len(titles)),
            bool(titles),
            [
                (
                    gettext(
                        "\u201c%(title)s\u201d, %(percent)s alike",
                        title=found.get("title", ""),
                        percent=_percent(found.get("closeness", 0)),
                    ),
                    found.get("course_id"),
                )
                for found in titles
                if isinstance(found, dict)
            ],
        )
    )
    copies = checks.get("copied_descriptions") or []
    result.append(
        Check(
            gettext("Description copied from another course"),
            gettext("None") if not copies else gettext("%(count)s found", count=len(copies)),
            bool(copies),
            [
                (
                    gettext(
                        "%(percent)s of it is in \u201c%(title)s\u201d by %(provider)s",
                        percent=_percent(found.get("share", 0)),
                        title=found.get("title", ""),
                        provider=found.get("provider", ""),
                    ),
                    found.get("course_id"),
                )
                for found in copies
                if isinstance(found, dict)
            ],
        )
    )
    missing = bool(checks.get("outcomes_missing"))
    result.append(
        Check(
            gettext("Outcomes"),
            gettext("Missing") if missing else gettext("Written"),
            missing,
        )
    )
    return result


# --- what a changed copy changes ------------------------------------------------------------


@dataclass
class ModuleChange:
    kind: str  # "added", "removed", "changed"
    number: int  # its place in the copy (removed: in the live course)
    title: str
    old_title: str = ""
    minutes: tuple | None = None  # (old, new) when they changed
    lesson: bool = False  # the lesson changed
    old_lesson: str = ""
    quiz: tuple | None = None  # (old count, new count) when the quiz changed
    moved_from: int | None = None


@dataclass
class BankChange:
    added: list = field(default_factory=list)  # prompts
    removed: list = field(default_factory=list)
    changed: list = field(default_factory=list)


@dataclass
class Changes:
    details: list  # (label, key, old, new)
    modules: list  # ModuleChange
    bank: BankChange | None
    module_state: dict  # index (0-based) in the copy -> "added" or "changed"


def _same_question(first: dict, second: dict) -> bool:
    keys = ("prompt", "choices", "correct")
    return all(first.get(key) == second.get(key) for key in keys)


def _bank_changes(live: list, copy_: list) -> BankChange:
    live_by_id = {question.get("id"): question for question in live}
    kept_ids = {question.get("id") for question in copy_ if question.get("id") in live_by_id}
    change = BankChange()
    for question in copy_:
        before = live_by_id.get(question.get("id")) if question.get("id") is not None else None
        if before is None:
            change.added.append(question.get("prompt", ""))
        elif not _same_question(before, question):
            change.changed.append(question.get("prompt", ""))
    change.removed = [
        question.get("prompt", "") for question in live if question.get("id") not in kept_ids
    ]
    return change


def _module_changes(live: list, copy_: list) -> tuple[list, dict]:
    live_by_id = {module.get("id"): (position, module) for position, module in enumerate(live, 1)}
    changes, state = [], {}
    for position, module in enumerate(copy_, start=1):
        found = live_by_id.get(module.get("id")) if module.get("id") is not None else None
        if found is None:
            changes.append(ModuleChange("added", position, module.get("title", "")))
            state[position - 1] = "added"
            continue
        old_position, before = found
        old_quiz, new_quiz = before.get("quiz") or [], module.get("quiz") or []
        quiz_changed = len(old_quiz) != len(new_quiz) or not all(
            _same_question(a, b) for a, b in zip(old_quiz, new_quiz, strict=False)
        )
        change = ModuleChange(
            "changed",
            position,
            module.get("title", ""),
            old_title=before.get("title", "") if before.get("title") != module.get("title") else "",
            minutes=(before.get("minutes"), module.get("minutes"))
            if before.get("minutes") != module.get("minutes")
            else None,
            lesson=(before.get("lesson") or "") != (module.get("lesson") or ""),
            old_lesson=before.get("lesson") or "",
            quiz=(len(old_quiz), len(new_quiz)) if quiz_changed else None,
            moved_from=old_position if old_position != position else None,
        )
        if change.old_title or change.minutes or change.lesson or change.quiz or change.moved_from:
            changes.append(change)
            state[position - 1] = "changed"
    kept = {module.get("id") for module in copy_ if module.get("id") is not None}
    for position, module in enumerate(live, start=1):
        if module.get("id") not in kept:
            changes.append(ModuleChange("removed", position, module.get("title", "")))
    return changes, state


def changes_of(course: Course, content: dict) -> Changes:
    """What the copy of a listed course changes against its live rows."""
    changed = drafts.changed_keys(course, content)
    live = drafts.content_of(course)
    details = [
        (label, key, shown(key, live.get(key)), shown(key, content.get(key)))
        for key, label in DETAILS.items()
        if key in changed
    ]
    modules, state = (
        _module_changes(live.get("modules") or [], content.get("modules") or [])
        if "modules" in changed
        else ([], {})
    )
    bank = (
        _bank_changes(live.get("questions") or [], content.get("questions") or [])
        if "questions" in changed
        else None
    )
    return Changes(details, modules, bank, state)


# --- the queue --------------------------------------------------------------------------------


@bp.route("/curation")
@admin_required
def curation():
    """The copies waiting for curation, the longest waiting first."""
    page = page_or_400(request.args.get("page"))
    results = within_pages(
        db.paginate(
            sa.select(CourseDraft)
            .where(CourseDraft.state == DraftState.SUBMITTED)
            .options(joinedload(CourseDraft.course).joinedload(Course.provider))
            .order_by(CourseDraft.submitted_at, CourseDraft.id),
            page=page,
            per_page=QUEUE_PER_PAGE,
            error_out=False,
            count=True,
        )
    )
    now = utcnow()
    rows = [
        {
            "draft": draft,
            "course": draft.course,
            "title": draft.content.get("title") or draft.course.title,
            "method": draft.content.get("method") or draft.course.method.value,
            "first_listing": not drafts.ever_approved(draft.course),
            "waited": waited(draft.submitted_at, now),
            "checks": checks_of(draft.checks),
        }
        for draft in results.items
    ]
    return render_template("admin/curation.html", results=results, rows=rows, methods=METHODS)


# --- one copy ---------------------------------------------------------------------------------


def _decided_page(draft: CourseDraft | None, status: int, problem: DomainError | None = None):
    """What the office reads when the copy was decided already (or changed since), or when
    another rule refused the decision (`problem`): nothing was changed."""
    return (
        render_template(
            "admin/curation_decided.html",
            decided=problem is None,
            message=error_message(problem or DomainError(decisions.DECIDED_ALREADY)),
            course_id=draft.course_id if draft is not None else None,
            draft_id=draft.id if draft is not None and problem is not None else None,
        ),
        status,
    )


def _draft_page(draft: CourseDraft, form: DecisionForm, status: int = 200):
    course = draft.course
    content = copy.deepcopy(draft.content)
    first_listing = not drafts.ever_approved(course)
    events, older = latest_events(course.id, HISTORY_SHOWN)
    return (
        render_template(
            "admin/curation_draft.html",
            draft=draft,
            course=course,
            content=content,
            first_listing=first_listing,
            details=[
                (key, label, shown(key, content.get(key)))
                for key, label in DETAILS.items()
                if key not in ("title",)
            ],
            long_texts=LONG_TEXTS,
            changes=None if first_listing else changes_of(course, content),
            checks=checks_of(draft.checks),
            waited=waited(draft.submitted_at, utcnow()),
            lesson_blocks=[
                blocks(module.get("lesson") or "") for module in content.get("modules") or []
            ],
            events=events,
            older_events=older,
            details_labels=DETAILS,
            form=form,
            longest=decisions.LONGEST_NOTE,
        ),
        status,
    )


def _stamp(draft: CourseDraft) -> str:
    return draft.submitted_at.isoformat() if draft.submitted_at is not None else ""


def _form_for(draft: CourseDraft) -> DecisionForm:
    form = DecisionForm(formdata=None)
    form.version.data = draft.version
    form.submitted.data = _stamp(draft)
    return form


@bp.route("/curation/<id:draft_id>")
@admin_required
def curation_draft(draft_id: int):
    """A submitted copy, its checks, its history and the decision form."""
    draft = db.session.get(CourseDraft, draft_id)
    if draft is None or draft.submitted_at is None:
        abort(404)
    if draft.state is not DraftState.SUBMITTED:
        return _decided_page(draft, 404)
    return _draft_page(draft, _form_for(draft))


@bp.route("/curation/<id:draft_id>/decision", methods=["POST"])
@admin_required
def decide_draft(draft_id: int):
    """Approve or send back the copy as the curator read it (its version)."""
    form = DecisionForm()
    draft = db.session.get(CourseDraft, draft_id)
    if draft is None:
        # Approval removes the copy: a form that read one was decided since.
        if form.version.data is None:
            abort(404)
        return _decided_page(None, 409)
    if draft.state is not DraftState.SUBMITTED or form.submitted.data != _stamp(draft):
        # Decided or changed since; a form naming another submission than this one (a copy
        # submitted since under the same id) was not read from this one either.
        return _decided_page(draft, 409)
    if form.version.data is not None and form.version.data != draft.version:
        return _decided_page(draft, 409)
    form.validate()
    if form.version.data is None and not form.version.errors:
        form.version.errors = [gettext(FORM_OUT_OF_DATE)]
    if form.decision.data not in DECISIONS:
        form.decision.errors = [gettext(DECISION_MISSING)]
    if any(field.errors for field in form):
        return _draft_page(draft, form, 400)
    approve = form.decision.data == "approve"
    title = draft.content.get("title") or draft.course.title
    first_listing = not drafts.ever_approved(draft.course)
    try:
        decisions.decide(
            draft.id, form.version.data, current_user, approve, form.note.data, utcnow()
        )
    except DomainError as error:
        if error.field == "note":  # refused before anything was written
            form.note.errors = [*form.note.errors, error_message(error)]
            return _draft_page(draft, form, 400)
        if error.message == decisions.DECIDED_ALREADY:
            return _decided_page(draft, 409)
        # Another rule refused it while the copy was written onto the course (a module
        # learners started since): the refusal rolls everything back.
        return _decided_page(draft, 409, problem=error)
    if approve and first_listing:
        flash(
            gettext("Approved: \u201c%(title)s\u201d is in the catalogue now.", title=title),
            "success",
        )
    elif approve:
        flash(
            gettext(
                "Approved: participants see the new version of \u201c%(title)s\u201d now.",
                title=title,
            ),
            "success",
        )
    else:
        flash(
            gettext(
                "Sent back: the provider reads your note on \u201c%(title)s\u201d.", title=title
            ),
            "success",
        )
    return redirect(url_for("admin.curation"))
