"""The seeded demo as the site-wide walks see it: real values for every path variable, the
demo accounts, and signing in as one of them (tests/test_hostile_input.py,
tests/web/test_page_language.py, tests/web/test_gets_write_nothing.py)."""

import re
from urllib.parse import quote

import sqlalchemy as sa

from marketplace.catalogue.models import Course, CourseSession, Method, SearchSynonym
from marketplace.certificates.models import Certificate
from marketplace.curation.models import CourseDraft, DraftState
from marketplace.extensions import db
from marketplace.incentives.models import IncentivePayment, PaymentState, PayoutAccountFlag
from marketplace.learning.models import Attendance, Demonstration, Review
from marketplace.money.models import LedgerAccount
from marketplace.orders.models import Order, OrderStatus
from marketplace.people.models import Participant, ProviderInvitation, User
from marketplace.programme.models import Batch
from marketplace.programme.models import TestAttempt as Attempt
from marketplace.seed_data import DEMO_PASSWORD

DEMO_ACCOUNTS = {
    "participant": "peserta@example.com",
    "provider": "lembaga@example.com",
    "admin": "admin@example.com",
}
_PATH_VARIABLE = re.compile(r"<(?:[^:<>]+:)?([^<>]+)>")


def world(app) -> dict:
    """Real values for the path variables of every rule, from the seeded demo: a webinar
    course, the demo participant's order (the course she is learning) and test attempt, a
    batch, a session of the demo provider (the one whose attendance is being marked), a
    ledger account."""
    with app.app_context():
        demo = db.session.scalar(
            sa.select(Participant).join(User).where(User.email == DEMO_ACCOUNTS["participant"])
        )
        provider_id = db.session.scalar(
            sa.select(User.provider_id).where(User.email == DEMO_ACCOUNTS["provider"])
        )
        return {
            "slug": db.session.scalar(
                sa.select(Course.slug)
                .join(CourseSession, CourseSession.course_id == Course.id)
                .where(Course.method == Method.WEBINAR, Course.status == "approved")
                .limit(1)
            ),
            # The demo participant's course in the middle (demo/journeys.py) first, so that
            # the learning pages show a lesson, a quiz and locked modules; else any order.
            "order_id": db.session.scalar(
                sa.select(Order.id)
                .where(Order.participant_id == demo.id)
                .order_by((Order.status == OrderStatus.REDEEMED).desc(), Order.id)
                .limit(1)
            ),
            "batch_id": db.session.scalar(sa.select(Batch.id).order_by(Batch.id)),
            # The demo provider's running session first (its attendance sheet's form is open
            # while cancelling it is not), else any of its sessions.
            "session_id": db.session.scalar(
                sa.select(CourseSession.id)
                .join(Course, Course.id == CourseSession.course_id)
                .where(Course.provider_id == provider_id)
                .order_by(
                    sa.exists()
                    .where(Attendance.session_id == CourseSession.id)
                    .correlate(CourseSession)
                    .desc(),
                    CourseSession.id,
                )
                .limit(1)
            ),
            "attempt_id": db.session.scalar(
                sa.select(Attempt.id).where(Attempt.participant_id == demo.id).limit(1)
            ),
            "participant_id": demo.id,
            # A shown review of the demo provider's course (replied to): the office's page
            # shows its hide form.
            "review_id": db.session.scalar(
                sa.select(Review.id)
                .join(Course, Course.id == Review.course_id)
                .where(Course.provider_id == provider_id, Review.hidden_at.is_(None))
                .order_by(Review.id)
                .limit(1)
            ),
            # A certificate of the demo provider's course: the office's and the provider's
            # revoke pages show their forms.
            "certificate_id": db.session.scalar(
                sa.select(Certificate.id)
                .join(Course, Course.id == Certificate.course_id)
                .where(Course.provider_id == provider_id)
                .order_by(Certificate.id)
                .limit(1)
            ),
            # A course of the demo provider in its course editor, a draft first (its forms are
            # open), with its first module and question (/provider/courses/<id>/modules/<n>).
            "course_id": db.session.scalar(
                sa.select(Course.id)
                .where(Course.provider_id == provider_id)
                .order_by((Course.status == "draft").desc(), Course.id)
                .limit(1)
            ),
            "number": 1,
            "module_number": 1,
            # The oldest copy waiting in the office's curation queue (/admin/curation/<id>).
            "draft_id": db.session.scalar(
                sa.select(CourseDraft.id)
                .where(CourseDraft.state == DraftState.SUBMITTED)
                .order_by(CourseDraft.submitted_at, CourseDraft.id)
                .limit(1)
            ),
            # The demo provider (the office's pages of one lembaga) and its open invitation.
            "provider_id": provider_id,
            "invitation_id": db.session.scalar(
                sa.select(ProviderInvitation.id)
                .where(
                    ProviderInvitation.provider_id == provider_id,
                    ProviderInvitation.accepted_at.is_(None),
                )
                .limit(1)
            ),
            # The demonstration waiting at the demo provider (/provider/submissions/<id>).
            "demonstration_id": db.session.scalar(
                sa.select(Demonstration.id)
                .join(Order, Order.id == Demonstration.order_id)
                .join(Course, Course.id == Order.course_id)
                .where(Course.provider_id == provider_id)
                .limit(1)
            ),
            # The office's page of one incentive payment (/admin/disbursements/payments/<id>):
            # one whose forms are open (failed, due or scheduled) first; 1 when the demo has
            # none, so that the route still answers (a 404 behind the sign-in).
            "payment_id": db.session.scalar(
                sa.select(IncentivePayment.id)
                .order_by(
                    IncentivePayment.state.in_(
                        [PaymentState.FAILED, PaymentState.DUE, PaymentState.SCHEDULED]
                    ).desc(),
                    IncentivePayment.id,
                )
                .limit(1)
            )
            or 1,
            "flag_id": db.session.scalar(sa.select(PayoutAccountFlag.id).limit(1)) or 1,
            # The office's first search synonym group (/admin/search/synonyms/<id>).
            "group_id": db.session.scalar(
                sa.select(SearchSynonym.id).order_by(SearchSynonym.id).limit(1)
            )
            or 1,
            "key": "no-such-import",
            "filename": "css/site.css",
            "n": 1,
            "position": 2,  # her module in progress (/learn/<order>/modules/<position>)
            "code": db.session.scalar(sa.select(LedgerAccount.code).limit(1)),
            "token": "not-a-token",
        }


def path_template(rule) -> tuple[str, list[str]]:
    """The rule's path with `{name}` holes, and its variables' names."""
    names = []

    def hole(match):
        names.append(match.group(1))
        return "{" + match.group(1) + "}"

    return _PATH_VARIABLE.sub(hole, rule.rule), names


def fill(template: str, values: dict) -> str:
    """A path template with its holes filled, each value quoted as a path segment."""
    return template.format(**{name: quote(str(value), safe="") for name, value in values.items()})


def signed_in(app, email: str, password: str = DEMO_PASSWORD):
    """A test client signed in as `email` (a demo account, by default)."""
    client = app.test_client()
    response = client.post("/login", data={"email": email, "password": password})
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    return client
