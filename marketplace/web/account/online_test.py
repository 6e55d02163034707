"""The online test: what it is, one question per page, check your answers, the result.

Addresses: /account/test (explains the test; POST starts or resumes it),
/account/test/<attempt>/<n> (question n of 18), /account/test/<attempt>/submit (check your
answers; POST submits), /account/test/<attempt>/result. An attempt is shown only to its
owner: anyone else gets a 404, so attempt ids reveal nothing. An attempt whose time
(25 minutes, plus any extra time the programme office gave) has passed is scored when its
result page is opened (every other page of it leads there): the one GET in the site that
writes, marked `writes_on_get` (see docs/architecture.md). The time is the attempt's
`deadline_at`, fixed by `online_test.start` and moved later by `online_test.grant_extra_time`.

Before starting, the test page says how long the participant has (their extra time
included) and how to ask the office for more (WCAG 2.2.1 Timing Adjustable).
"""

import math
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import RadioField, ValidationError
from wtforms.validators import InputRequired

from marketplace.core import DomainError
from marketplace.core.base import utcnow
from marketplace.core.database import writes_on_get
from marketplace.extensions import db
from marketplace.people.models import Participant
from marketplace.programme import online_test
from marketplace.programme.batches import open_batch
from marketplace.programme.models import TestAttempt, TestQuestion
from marketplace.web.access import participant_required
from marketplace.web.account import bp
from marketplace.web.formatting import error_message
from marketplace.web.i18n import gettext, ngettext, page_locale
from marketplace.web.i18n import lazy_gettext as _l


def office_email() -> str:
    """The programme office's address that participants write to (to ask for extra time on
    the test, among others): the CONTACT_EMAIL setting, which /contact shows too."""
    return current_app.config["CONTACT_EMAIL"]


def _whole_minutes(time: timedelta) -> int:
    return math.ceil(time.total_seconds() / 60)


class StartTestForm(FlaskForm):
    """The "Start the test" button (CSRF only)."""


class SubmitTestForm(FlaskForm):
    """The "Submit the test" button (CSRF only)."""


class AnswerForm(FlaskForm):
    """One question's radios; the choices are set by the view for the page's language."""

    choice = RadioField(
        _l("Your answer"),
        choices=[],
        validate_choice=False,
        validators=[InputRequired(_l("Choose an answer"))],
    )

    def validate_choice(self, field) -> None:
        """The value must be one of the radios (not "abc", not "7")."""
        if field.data not in {value for value, _label in field.choices}:
            raise ValidationError(_l("Choose one of the answers"))


def _participant() -> Participant | None:
    """The signed-in participant's profile (None if not filled in)."""
    return db.session.scalar(sa.select(Participant).where(Participant.user_id == current_user.id))


def _own_attempt(attempt_id: int) -> TestAttempt:
    """The attempt, if it belongs to the signed-in participant; 404 otherwise."""
    participant = _participant()
    if participant is None:
        abort(404)
    attempt = db.session.get(TestAttempt, attempt_id)
    if attempt is None or attempt.participant_id != participant.id:
        abort(404)
    return attempt


def _minutes_left(attempt: TestAttempt, now: datetime) -> int:
    """Whole minutes left, rounded up (16 min 10 s left reads "17 minutes")."""
    return math.ceil(online_test.time_left(attempt, now).total_seconds() / 60)


def _time_left_text(attempt: TestAttempt, now: datetime) -> str:
    return ngettext(
        "Time left: %(num)s minute", "Time left: %(num)s minutes", _minutes_left(attempt, now)
    )


def _passage(text: str | None) -> dict | None:
    """A question's passage: a table when every line holds " | ", else lines of text."""
    if not text:
        return None
    lines = text.split("\n")
    if len(lines) > 1 and all(" | " in line for line in lines):
        rows = [line.split(" | ") for line in lines]
        return {"table": True, "header": rows[0], "rows": rows[1:]}
    return {"table": False, "lines": lines}


def _texts(question: TestQuestion) -> dict:
    """The question's passage, prompt and choices in the page's language."""
    english = page_locale() == "en"
    return {
        "passage": _passage(question.passage_en if english else question.passage_id),
        "prompt": question.prompt_en if english else question.prompt_id,
        "choices": question.choices_en if english else question.choices_id,
    }


def _time_is_up() -> None:
    flash(gettext("Time is up: answers after the deadline do not count."), "info")


@bp.route("/account/test", methods=["GET", "POST"])
@participant_required
def test():
    """What the test is; POST starts it (or resumes the attempt already running)."""
    participant = _participant()
    now = utcnow()
    batch = open_batch(now)
    form = StartTestForm()
    status = 200
    if request.method == "POST":
        if participant is None:
            flash(gettext("Fill in your profile before you take the test."), "error")
            status = 400
        elif batch is None:
            flash(
                gettext("No batch is open for joining right now, so the test is closed."), "error"
            )
            status = 400
        elif not form.validate_on_submit():
            status = 400
        else:
            running = online_test.current_attempt(participant, batch)
            if running is not None:
                return redirect(url_for("account.test_question", attempt_id=running.id, n=1))
            try:
                attempt = online_test.start(participant, batch, now)
            except DomainError as error:
                flash(error_message(error), "error")
                status = 409 if online_test.attempt_for(participant, batch) else 400
            else:
                return redirect(url_for("account.test_question", attempt_id=attempt.id, n=1))
    attempt = None
    if participant is not None and batch is not None:
        attempt = online_test.attempt_for(participant, batch)
    allowed = online_test.TIME_LIMIT
    if attempt is not None:
        allowed = attempt.deadline_at - attempt.started_at
    elif participant is not None:
        allowed = online_test.time_allowed(participant)
    return (
        render_template(
            "account/test.html",
            form=form,
            participant=participant,
            batch=batch,
            attempt=attempt,
            attempt_over=attempt is not None and online_test.is_over(attempt, now),
            time_left=_time_left_text(attempt, now) if attempt is not None else None,
            question_count=online_test.QUESTION_COUNT,
            minutes=_whole_minutes(allowed),
            extra_minutes=_whole_minutes(allowed - online_test.TIME_LIMIT),
            office_email=office_email(),
        ),
        status,
    )


@bp.route("/account/test/<id:attempt_id>/<id:n>", methods=["GET", "POST"])
@participant_required
def test_question(attempt_id: int, n: int):
    """Question n of the attempt: its radios, the time left, previous and next."""
    attempt = _own_attempt(attempt_id)
    count = len(attempt.question_ids)
    if not 1 <= n <= count:
        abort(404)
    now = utcnow()
    if online_test.is_over(attempt, now):
        if attempt.submitted_at is None:
            _time_is_up()
        elif request.method == "POST":
            flash(gettext("You have already submitted this test."), "info")
        return redirect(url_for("account.test_result", attempt_id=attempt.id))
    question = db.session.get(TestQuestion, attempt.question_ids[n - 1])
    texts = _texts(question)
    form = AnswerForm()
    form.choice.choices = [(str(index), text) for index, text in enumerate(texts["choices"])]
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                online_test.answer(attempt, question.id, int(form.choice.data), now)
            except DomainError as error:
                if online_test.is_over(attempt, now):
                    flash(error_message(error), "info")
                    return redirect(url_for("account.test_result", attempt_id=attempt.id))
                form.choice.errors.append(error_message(error))
            else:
                if n < count:
                    return redirect(
                        url_for("account.test_question", attempt_id=attempt.id, n=n + 1)
                    )
                return redirect(url_for("account.test_submit", attempt_id=attempt.id))
        status = 400
    else:
        given = online_test.answers(attempt).get(question.id)
        form.choice.data = str(given) if given is not None else None
    return (
        render_template(
            "account/test_question.html",
            form=form,
            attempt=attempt,
            n=n,
            count=count,
            kind=question.kind.value,
            time_left=_time_left_text(attempt, now),
            office_email=office_email(),
            **texts,
        ),
        status,
    )


@bp.route("/account/test/<id:attempt_id>/submit", methods=["GET", "POST"])
@participant_required
def test_submit(attempt_id: int):
    """Check your answers (answered and not) before submitting; POST submits the test."""
    attempt = _own_attempt(attempt_id)
    now = utcnow()
    if attempt.submitted_at is not None:
        return redirect(url_for("account.test_result", attempt_id=attempt.id))
    form = SubmitTestForm()
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            online_test.submit(attempt, now)
            if attempt.submitted_at < now:
                _time_is_up()
            else:
                flash(gettext("Your test has been submitted."), "success")
            return redirect(url_for("account.test_result", attempt_id=attempt.id))
        status = 400
    elif online_test.is_over(attempt, now):
        _time_is_up()
        return redirect(url_for("account.test_result", attempt_id=attempt.id))
    given = online_test.answers(attempt)
    rows = [
        {"n": position, "answered": question_id in given}
        for position, question_id in enumerate(attempt.question_ids, start=1)
    ]
    unanswered = sum(1 for row in rows if not row["answered"])
    return (
        render_template(
            "account/test_check.html",
            form=form,
            attempt=attempt,
            rows=rows,
            unanswered=unanswered,
            time_left=_time_left_text(attempt, now),
        ),
        status,
    )


@bp.route("/account/test/<id:attempt_id>/result")
@writes_on_get
@participant_required
def test_result(attempt_id: int):
    """The score; an attempt whose time is up is scored here when it is first opened.

    The named exception to "a GET writes nothing" (`writes_on_get`): until it is scored,
    the attempt counts for nothing (joining a batch needs a submitted attempt), and a
    participant whose time ran out ends up here from every page of the test.
    """
    attempt = _own_attempt(attempt_id)
    now = utcnow()
    if attempt.submitted_at is None:
        if not online_test.is_over(attempt, now):
            return redirect(url_for("account.test_submit", attempt_id=attempt.id))
        online_test.submit(attempt, now)  # kept: the one GET that writes (`writes_on_get`)
    return render_template(
        "account/test_result.html",
        attempt=attempt,
        batch=attempt.batch,
        count=len(attempt.question_ids),
    )
