"""Forms of the provider's course editor (web/provider/courses.py and its neighbours).

The forms only carry what was typed, with CSRF: every rule lives in the curation package
(curation/drafts.py reads a course's details, a module and a question; curation/sessions.py a
session), which refuses field by field in one go. So the fields here are plain text boxes and
lists without validators of their own (a select's choice is checked there too, not by
WTForms' English "Not a valid choice"), and `values` hands the domain exactly the fields it
knows: anything else a browser sends (status, provider_id, rating...) is never read.
The session's dates and times are the one exception: they are read here, the Indonesian way
(web/dates.py), before the domain sees them.
"""

from datetime import date, datetime, time

from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, StringField, TextAreaField

from marketplace.core import DomainError
from marketplace.core.indonesia import in_jakarta, utc_from_jakarta
from marketplace.curation import sessions as session_rules
from marketplace.web.dates import ClockField, DateTextField, Typed
from marketplace.web.formatting import error_message
from marketplace.web.i18n import lazy_gettext as _l
from marketplace.web.inputs import WholeNumberField
from marketplace.web.labels import COURSE_LEVELS, COURSE_METHODS

# The fields of a course's details, as curation/drafts.read_details names them.
DETAIL_FIELDS = (
    "title",
    "summary",
    "description",
    "outcomes",
    "audience",
    "category_id",
    "method",
    "level",
    "price",
    "province_id",
    "city",
    "needs_demonstration",
    "demonstration_brief",
    "pass_mark",
    "test_tries",
)
METHODS = tuple(COURSE_METHODS.items())
LEVELS = tuple(COURSE_LEVELS.items())
ANSWERS = 6  # question_bank.MOST_CHOICES: the boxes a question form shows
SESSION_YEARS = (2000, 2999, _l("Enter a date between the years 2000 and 2999."))


def show_refusal(form: FlaskForm, error: DomainError, field_for: dict | None = None) -> list:
    """Put each of a refusal's messages on its field (translated), unless the form's own
    reading already refused that field (a date it could not read); returns the messages that
    belong to no field of the form (a state refusal: the page shows them as its problem)."""
    loose = []
    for each in error.errors:
        name = (field_for or {}).get(each.field, each.field)
        field = form[name] if name and name in form else None
        if field is None:
            loose.append(error_message(each))
        elif not field.errors:
            field.errors = [error_message(each)]
        elif error_message(each) not in field.errors and not field.process_errors:
            field.errors = [*field.errors, error_message(each)]
    return loose


class DetailsForm(FlaskForm):
    """A course's details: every field a participant reads in the catalogue, and the rules of
    its tests. Category and province choices are filled by the view."""

    title = StringField(_l("Title"))
    summary = TextAreaField(_l("Summary"))
    description = TextAreaField(_l("Description"))
    outcomes = TextAreaField(_l("What participants will be able to do"))
    audience = TextAreaField(_l("Who the course is for"))
    category_id = SelectField(_l("Category"), validate_choice=False)
    method = SelectField(_l("Training method"), choices=METHODS, validate_choice=False)
    level = SelectField(_l("Level"), choices=LEVELS, validate_choice=False)
    price = StringField(_l("Price (Rp)"))
    province_id = SelectField(_l("Province (offline courses)"), validate_choice=False)
    city = StringField(_l("City (offline courses)"))
    needs_demonstration = BooleanField(_l("Completing the course needs a skill demonstration"))
    demonstration_brief = TextAreaField(_l("What the skill demonstration asks for"))
    pass_mark = StringField(_l("Pass mark (of 100)"))
    test_tries = StringField(_l("Tries at the post-test"))

    def values(self) -> dict:
        """What drafts.read_details reads, and nothing else."""
        return {name: self[name].data for name in DETAIL_FIELDS}

    @classmethod
    def of(cls, content: dict) -> "DetailsForm":
        """The form filled from a working copy (curation/drafts.py's document)."""
        data = {name: content.get(name) for name in DETAIL_FIELDS}
        for name in ("category_id", "province_id", "price", "pass_mark", "test_tries"):
            data[name] = "" if data[name] is None else str(data[name])
        return cls(formdata=None, data=data)


class ModuleForm(FlaskForm):
    """One module: its title, length and lesson text."""

    title = StringField(_l("Module title"))
    minutes = StringField(_l("Length in minutes"))
    lesson = TextAreaField(_l("Lesson"))

    def values(self) -> dict:
        return {"title": self.title.data, "minutes": self.minutes.data, "lesson": self.lesson.data}


class QuestionForm(FlaskForm):
    """A multiple-choice question: its prompt, up to six answers, and which one is right."""

    prompt = TextAreaField(_l("Question"))
    answer_1 = StringField(_l("Answer 1"))
    answer_2 = StringField(_l("Answer 2"))
    answer_3 = StringField(_l("Answer 3"))
    answer_4 = StringField(_l("Answer 4"))
    answer_5 = StringField(_l("Answer 5"))
    answer_6 = StringField(_l("Answer 6"))
    correct = StringField(_l("The right answer"))

    @property
    def answers(self) -> list:
        return [self[f"answer_{number}"] for number in range(1, ANSWERS + 1)]

    def values(self) -> dict:
        """drafts.read_question's shape: the right answer's index among the boxes (its radio
        button's value is the box's number, 1 to 6)."""
        correct = str(self.correct.data or "").strip()
        index = str(int(correct) - 1) if correct in {str(n) for n in range(1, ANSWERS + 1)} else ""
        return {
            "prompt": self.prompt.data,
            "choices": [field.data or "" for field in self.answers],
            "correct": index,
        }

    def show(self, error: DomainError) -> list:
        """The refusal's messages on the fields: "choices" on the first answer box,
        "correct_choice" on the right answer's radio buttons."""
        return show_refusal(self, error, {"choices": "answer_1", "correct_choice": "correct"})

    @classmethod
    def of(cls, question: dict) -> "QuestionForm":
        data = {"prompt": question["prompt"], "correct": str(question["correct"] + 1)}
        for number, choice in enumerate(question["choices"], start=1):
            data[f"answer_{number}"] = choice
        return cls(formdata=None, data=data)


class SessionForm(FlaskForm):
    """A session: when (dates and times in WIB, typed the Indonesian way), where, how many
    seats and who teaches it."""

    starts_date = DateTextField(
        _l("Starts on"),
        validators=[Typed(_l("Enter the date the session starts"))],
        message=_l("Enter the date the session starts as day/month/year, for example 01/04/2026"),
        not_real=_l("The date the session starts must be a real date, for example 01/04/2026"),
        years=SESSION_YEARS,
    )
    starts_time = ClockField(
        _l("Starts at (WIB)"),
        validators=[Typed(_l("Enter the time the session starts"))],
        message=_l(
            "Enter the time the session starts on the 24-hour clock as hours.minutes, "
            "for example 09.00"
        ),
    )
    ends_date = DateTextField(
        _l("Ends on"),
        validators=[Typed(_l("Enter the date the session ends"))],
        message=_l("Enter the date the session ends as day/month/year, for example 01/04/2026"),
        not_real=_l("The date the session ends must be a real date, for example 01/04/2026"),
        years=SESSION_YEARS,
    )
    ends_time = ClockField(
        _l("Ends at (WIB)"),
        validators=[Typed(_l("Enter the time the session ends"))],
        message=_l(
            "Enter the time the session ends on the 24-hour clock as hours.minutes, "
            "for example 12.00"
        ),
    )
    place = StringField(_l("Place or link"))
    city = StringField(_l("City"))
    capacity = WholeNumberField(
        _l("Capacity (seats)"),
        highest=session_rules.MOST_SEATS,
        message=_l("Enter the capacity as a whole number of seats, like 30"),
    )
    trainer_names = StringField(_l("Trainers"))

    # Where the domain's refusals about times are shown.
    FIELD_FOR = {"starts_at": "starts_date", "ends_at": "ends_date"}

    @staticmethod
    def _utc(day: date | None, clock: time | None) -> datetime | None:
        if day is None or clock is None:
            return None
        return utc_from_jakarta(day, clock.hour, clock.minute)

    def values(self) -> dict:
        """What curation/sessions.py reads: the times as naive UTC, the rest as typed."""
        return {
            "starts_at": self._utc(self.starts_date.data, self.starts_time.data),
            "ends_at": self._utc(self.ends_date.data, self.ends_time.data),
            "place": self.place.data,
            "city": self.city.data,
            "capacity": self.capacity.data,
            "trainer_names": self.trainer_names.data,
        }

    def show(self, error: DomainError) -> list:
        return show_refusal(self, error, self.FIELD_FOR)

    @classmethod
    def of(cls, session) -> "SessionForm":
        starts, ends = in_jakarta(session.starts_at), in_jakarta(session.ends_at)
        return cls(
            formdata=None,
            data={
                "starts_date": starts.date(),
                "starts_time": starts.time(),
                "ends_date": ends.date(),
                "ends_time": ends.time(),
                "place": session.place,
                "city": session.city or "",
                "capacity": session.capacity,
                "trainer_names": session.trainer_names,
            },
        )


class ActionForm(FlaskForm):
    """A button that acts on a course (submit, withdraw, move a module...): the CSRF token."""


class MoveForm(FlaskForm):
    """Move a module one place: the button pressed says which way ("up" or "down")."""

    direction = StringField()


class SearchForm(FlaskForm):
    """The list's search by title (a GET that changes nothing: no CSRF token)."""

    class Meta:
        csrf = False

    q = StringField(_l("Search your courses by title"))
