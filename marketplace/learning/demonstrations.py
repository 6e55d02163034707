"""Skill demonstrations ("unjuk keterampilan"): a course that asks for one is completed only
once its provider has passed the participant's submission.

The participant submits a text answer and optionally one file (`submit`): PDF, JPEG or PNG,
known by its first bytes (never by its name or the type the browser claims), 1 byte to 5 MB
(at most 5 MB + 1 byte is read, to know it is too large). The file is written under the
upload folder the caller names (the app's UPLOAD_DIR, outside the static folder) under a
random name (`file_key`); the sender's name is kept, cleaned, only to show it. Nothing is
written when any rule refuses.

The course's provider passes a submission or returns it with feedback (`decide`, audited);
a returned one can be submitted again (a new row), a passed one is final. Passing it
completes the course when every other step is done (`completion.complete_if_ready`), and
completion asks `passed`. A file written for a submission that is not committed (a refused
request, a failed commit) is removed with the rollback (`core.stored_files`).
"""

import re
import secrets
import unicodedata
from datetime import datetime
from pathlib import Path
from typing import BinaryIO

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from marketplace.catalogue.models import Course
from marketplace.core import N_, DomainError, audit, stored_files
from marketplace.extensions import db
from marketplace.learning import completion
from marketplace.learning.models import Demonstration, DemonstrationStatus
from marketplace.orders.models import Order, OrderStatus
from marketplace.people.models import Participant, Role, User

LARGEST_FILE = 5 * 1024 * 1024  # bytes
LONGEST_ANSWER = 5000  # characters
LONGEST_FEEDBACK = 2000
LONGEST_NAME = 120  # characters of the sender's file name kept for display

# The first bytes of each accepted type, and the type it is served as.
SIGNATURES = (
    (b"%PDF-", "application/pdf"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
)
EXTENSIONS = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}

NOT_YOURS = N_("Only the order's own participant can submit its skill demonstration.")
NOT_ASKED = N_("This course does not ask for a skill demonstration.")
REFUNDED = N_("This order was refunded: its course is closed.")
NOT_STARTED = N_("Your course has not started yet: send your demonstration once it has.")
WAITING = N_("Your demonstration is waiting for the provider's decision. You can't send another.")
ALREADY_PASSED = N_("Your demonstration has already been passed.")
ANSWER_MISSING = N_("Write your answer.")
ANSWER_TOO_LONG = N_("Write at most %(longest)s characters.")
WRONG_TYPE = N_("The file must be a PDF, JPEG or PNG. Its content is not one of those.")
EMPTY_FILE = N_("The file is empty. Choose the file again.")
TOO_LARGE = N_("The file is larger than 5 MB. Send a smaller one.")
NOT_YOUR_COURSE = N_("Only the course's own provider can decide on this demonstration.")
ALREADY_DECIDED = N_("This demonstration has already been decided.")
FEEDBACK_MISSING = N_("Write what the participant should improve before returning it.")
FEEDBACK_TOO_LONG = N_("Write at most %(longest)s characters of feedback.")


def sniff(head: bytes) -> str | None:
    """The content type the first bytes show (PDF, JPEG or PNG), or None."""
    for signature, content_type in SIGNATURES:
        if head.startswith(signature):
            return content_type
    return None


def clean_name(name: str | None, content_type: str) -> str:
    """The sender's file name, only for display: its last part (no folders), letters, digits,
    spaces, dots, dashes and underscores, at most LONGEST_NAME characters; a generic name when
    nothing is left."""
    name = unicodedata.normalize("NFC", name or "")
    name = re.split(r"[\\/]", name)[-1]
    name = re.sub(r"[^\w .\-]", "_", name, flags=re.UNICODE).strip(" .")
    name = name[-LONGEST_NAME:]
    return name or f"file.{EXTENSIONS[content_type]}"


def current(order: Order) -> Demonstration | None:
    """The order's latest submission, or None."""
    return db.session.scalar(
        sa.select(Demonstration)
        .where(Demonstration.order_id == order.id)
        .order_by(Demonstration.id.desc())
        .limit(1)
    )


def passed(order: Order) -> bool:
    """Whether the order's demonstration was passed (True when the course asks for none)."""
    if not order.course.needs_demonstration:
        return True
    return (
        db.session.scalar(
            sa.select(Demonstration.id).where(
                Demonstration.order_id == order.id,
                Demonstration.status == DemonstrationStatus.PASSED,
            )
        )
        is not None
    )


def why_not_submittable(order: Order) -> DomainError | None:
    """Why the order's participant can't submit now, or None when they can."""
    if not order.course.needs_demonstration:
        return DomainError(NOT_ASKED)
    if order.status is OrderStatus.REFUNDED:
        return DomainError(REFUNDED)
    if order.status is OrderStatus.PAID:
        return DomainError(NOT_STARTED)
    latest = current(order)
    if latest is not None and latest.status is DemonstrationStatus.SUBMITTED:
        return DomainError(WAITING)
    if latest is not None and latest.status is DemonstrationStatus.PASSED:
        return DomainError(ALREADY_PASSED)
    return None


def _read_upload(upload: BinaryIO) -> tuple[bytes, str]:
    """The file's bytes and sniffed type; DomainError for an empty, huge or other file."""
    data = upload.read(LARGEST_FILE + 1)
    if not data:
        raise DomainError(EMPTY_FILE, field="file")
    if len(data) > LARGEST_FILE:
        raise DomainError(TOO_LARGE, field="file")
    content_type = sniff(data[:16])
    if content_type is None:
        raise DomainError(WRONG_TYPE, field="file")
    return data, content_type


def submit(
    order: Order,
    participant: Participant,
    answer: str | None,
    upload: BinaryIO | None,
    file_name: str | None,
    upload_dir: str | Path,
    now: datetime,
) -> Demonstration:
    """Record the participant's demonstration: the answer and, when `upload` is given, one
    file written under `upload_dir` with a random name. Refuses (DomainError, nothing
    written) anyone but the order's participant, a course asking for none, a refunded order,
    one waiting for a decision or already passed, a missing or too long answer, and a file
    that is empty, larger than 5 MB or not a PDF, JPEG or PNG by its content."""
    if participant is None or order.participant_id != participant.id:
        raise DomainError(NOT_YOURS)
    # Hold the order's row (PostgreSQL) so two submissions at once are seen one after the other.
    db.session.execute(sa.select(Order.id).where(Order.id == order.id).with_for_update())
    refused = why_not_submittable(order)
    if refused is not None:
        raise refused
    answer = (answer or "").strip()
    if not answer:
        raise DomainError(ANSWER_MISSING, field="answer")
    if len(answer) > LONGEST_ANSWER:
        raise DomainError(ANSWER_TOO_LONG, field="answer", longest=LONGEST_ANSWER)
    row = Demonstration(
        order_id=order.id, answer=answer, status=DemonstrationStatus.SUBMITTED, submitted_at=now
    )
    if upload is not None:
        data, content_type = _read_upload(upload)
        folder = Path(upload_dir)
        folder.mkdir(parents=True, exist_ok=True)
        key = secrets.token_hex(16)
        with open(folder / key, "xb") as stored:
            stored.write(data)
        stored_files.written(folder / key)  # removed again if the row is not committed
        row.file_key = key
        row.file_name = clean_name(file_name, content_type)
        row.content_type = content_type
        row.size = len(data)
    db.session.add(row)
    db.session.flush()
    return row


def file_path(demonstration: Demonstration, upload_dir: str | Path) -> Path | None:
    """Where the demonstration's file is stored, or None when it has none."""
    if demonstration.file_key is None or not re.fullmatch(r"[0-9a-f]{32}", demonstration.file_key):
        return None
    return Path(upload_dir) / demonstration.file_key


def may_see(demonstration: Demonstration, user: User) -> bool:
    """Whether `user` may open the submission and its file: the order's participant, the
    course's provider, the programme office."""
    if user.role is Role.ADMIN:
        return True
    order = demonstration.order
    if user.role is Role.PROVIDER:
        return user.provider_id is not None and user.provider_id == order.course.provider_id
    return order.participant.user_id == user.id


def by_id(demonstration_id: int) -> Demonstration | None:
    return db.session.get(Demonstration, demonstration_id)


def office_submissions(page: int = 1, per_page: int = 20):
    """The latest submission of every order, for the programme office, one page: those
    waiting for a provider's decision first, the longest waiting at the top (a participant
    nobody answers is the office's to chase), then the decided ones, newest first."""
    latest = (
        sa.select(sa.func.max(Demonstration.id)).group_by(Demonstration.order_id).scalar_subquery()
    )
    waiting = Demonstration.status == DemonstrationStatus.SUBMITTED
    statement = (
        sa.select(Demonstration)
        .where(Demonstration.id.in_(latest))
        .options(
            joinedload(Demonstration.order).joinedload(Order.participant),
            joinedload(Demonstration.order).joinedload(Order.course).joinedload(Course.provider),
        )
        .order_by(
            sa.case((waiting, 0), else_=1),
            sa.case((waiting, Demonstration.submitted_at)),
            Demonstration.submitted_at.desc(),
            Demonstration.id.desc(),
        )
    )
    return db.paginate(statement, page=page, per_page=per_page, error_out=False, count=True)


def provider_submissions(provider_id: int) -> list[Demonstration]:
    """The latest submission of every order of the provider's courses, waiting ones first,
    then newest first."""
    latest = (
        sa.select(sa.func.max(Demonstration.id)).group_by(Demonstration.order_id).scalar_subquery()
    )
    return list(
        db.session.scalars(
            sa.select(Demonstration)
            .join(Order, Order.id == Demonstration.order_id)
            .join(Course, Course.id == Order.course_id)
            .where(Course.provider_id == provider_id, Demonstration.id.in_(latest))
            .options(
                joinedload(Demonstration.order).joinedload(Order.participant),
                joinedload(Demonstration.order).joinedload(Order.course),
            )
            .order_by(
                (Demonstration.status != DemonstrationStatus.SUBMITTED),
                Demonstration.submitted_at.desc(),
                Demonstration.id.desc(),
            )
        )
    )


def decide(
    demonstration: Demonstration,
    provider_user: User,
    passes: bool,
    feedback: str | None,
    now: datetime,
) -> Demonstration:
    """The provider passes the submission or returns it with feedback (required to return).
    Refuses another provider's course, and a submission already decided."""
    course = demonstration.order.course
    if provider_user.provider_id is None or provider_user.provider_id != course.provider_id:
        raise DomainError(NOT_YOUR_COURSE)
    db.session.execute(
        sa.select(Demonstration.id).where(Demonstration.id == demonstration.id).with_for_update()
    )
    db.session.refresh(demonstration, ["status"])
    if demonstration.status is not DemonstrationStatus.SUBMITTED:
        raise DomainError(ALREADY_DECIDED)
    feedback = (feedback or "").strip()
    if not passes and not feedback:
        raise DomainError(FEEDBACK_MISSING, field="feedback")
    if len(feedback) > LONGEST_FEEDBACK:
        raise DomainError(FEEDBACK_TOO_LONG, field="feedback", longest=LONGEST_FEEDBACK)
    demonstration.status = DemonstrationStatus.PASSED if passes else DemonstrationStatus.RETURNED
    demonstration.feedback = feedback or None
    demonstration.decided_at = now
    demonstration.decided_by_id = provider_user.id
    audit.record(
        "demonstration.passed" if passes else "demonstration.returned",
        f"order:{demonstration.order_id}",
        actor=provider_user,
        demonstration=demonstration.id,
    )
    db.session.flush()
    if passes:
        completion.complete_if_ready(demonstration.order, now, actor=provider_user)
    return demonstration
