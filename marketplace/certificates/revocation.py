"""Revoking a certificate, and the lists the programme office and a provider read.

Rules of `revoke` (each refused with a DomainError, nothing changed):

- only the programme office (Role.ADMIN) or staff of the provider whose course the
  certificate is for (`certificate.course.provider_id == actor.provider_id`);
- a reason is required: trimmed, 10 to 500 characters, no control characters (the house's
  `core.inputs.control_character`); it is kept on the certificate, written to the audit log
  and mailed to the holder;
- the reason is shown to anyone on the certificate's public page, so it may not hold what
  looks like the holder's contact details or identity number (`private_detail`): an email
  address, a NIK (16 digits, maybe grouped with spaces, dots or dashes) or a phone number
  (+62, 62 8 or 08 and then 8 digits or more, maybe grouped);
- a certificate revoked already is refused, saying when and why it was revoked.

The change is ONE conditional UPDATE (`WHERE revoked_at IS NULL`), checked by its row
count: of two revocations at once (SQLite: one after the other under the write lock;
PostgreSQL: the second UPDATE waits for the first's row lock and then finds the row revoked)
one revokes, writes the one audit row and the one mail, and the other is refused.

There is no unrevoke: a revocation can't be undone silently (issue 13). Should one ever be
needed, it must be an operation of its own, audited like this one.

`check` runs every rule but the UPDATE, so the pages' check step ("Revoke this
certificate?") refuses exactly what the revocation itself would.
"""

import re
import unicodedata
from datetime import datetime

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import joinedload

from marketplace.catalogue.models import Course
from marketplace.certificates import issuing
from marketplace.certificates.models import Certificate
from marketplace.core import N_, DomainError, audit, mail
from marketplace.core.inputs import control_character
from marketplace.extensions import db
from marketplace.people.models import Participant, Role, User

SHORTEST_REASON = 10
LONGEST_REASON = 500
LONGEST_QUERY = 200
PER_PAGE = 20
PUBLIC_PATH = "/certificates/"  # + the grouped code: the certificate's public page

NOT_ALLOWED = N_(
    "Only the programme office or the training provider that issued this certificate can revoke it."
)
ALREADY_REVOKED = N_("This certificate was revoked already, on %(when)s. The reason: %(reason)s")
NO_REASON = N_("Write why the certificate is revoked.")
SHORT_REASON = N_("Write at least %(shortest)s characters on why the certificate is revoked.")
LONG_REASON = N_("The reason can be at most %(longest)s characters.")
CONTROL_CHARACTERS = N_("The text can't contain control characters. Type it again.")
EMAIL_IN_REASON = N_(
    "The reason is shown on the certificate's public page: take out the email address."
)
NIK_IN_REASON = N_(
    "The reason is shown on the certificate's public page: take out the number that looks "
    "like a NIK (16 digits)."
)
PHONE_IN_REASON = N_(
    "The reason is shown on the certificate's public page: take out the phone number."
)

# What looks like a private detail in a reason (see `private_detail`), read after NFKC (so
# full-width digits and "＠" are plain ones). Digits may be grouped by up to three spaces,
# dots, slashes or dashes ("0812 - 3456 - 7890", "3201/0123/4567/8901"); brackets are read as
# nothing, so "(0812) 3456-7890" is a phone.
_BRACKETS = re.compile(r"[()\[\]]")
_EMAIL = re.compile(r"[\w.%+'-]+\s?@\s?[\w-]+(?:\.[\w-]+)*\.[^\W\d_]{2,}")
_SEP = r"[\s./\-]{0,3}"
# A run of digits so grouped: a NIK when it holds 16 digits or more (a run of 17 is a NIK
# mistyped, or a NIK and another number: refused alike).
_DIGIT_RUN = re.compile(rf"\d(?:{_SEP}\d)*")
NIK_DIGITS = 16
# A phone: +62 (or 0062), or a mobile's 62 8 or 08 written without the plus, and then at
# least 8 digits (Indonesian numbers have 8 to 12 after the 62 or the 0; a longer run is
# refused too). The digit after a mobile's 8 is 1-9 and is not split from "08", so that a
# date such as 08-04-2020 is not a phone.
_PHONE = re.compile(
    rf"(?:\+|(?<!\d)00){_SEP}62(?:{_SEP}\d){{8}}"
    rf"|(?<![\d+])62{_SEP}8[1-9](?:{_SEP}\d){{6}}"
    rf"|(?<![\d+])08[1-9](?:{_SEP}\d){{7}}"
)


# --- the rules ------------------------------------------------------------------------------


def may_revoke(actor: User | None, certificate: Certificate) -> bool:
    """Whether `actor` may revoke the certificate: the office, or its course's provider."""
    if actor is None:
        return False
    if actor.role is Role.ADMIN:
        return True
    return (
        actor.role is Role.PROVIDER
        and actor.provider_id is not None
        and actor.provider_id == certificate.course.provider_id
    )


def reason_text(reason) -> str:
    """The reason trimmed (inner line breaks kept), or a refusal about the field `reason`."""
    text = reason.strip() if isinstance(reason, str) else ""
    if control_character(text) is not None:
        raise DomainError(CONTROL_CHARACTERS, field="reason")
    if not text:
        raise DomainError(NO_REASON, field="reason")
    if len(text) < SHORTEST_REASON:
        raise DomainError(SHORT_REASON, field="reason", shortest=SHORTEST_REASON)
    if len(text) > LONGEST_REASON:
        raise DomainError(LONG_REASON, field="reason", longest=LONGEST_REASON)
    private = private_detail(text)
    if private is not None:
        raise DomainError(private, field="reason")
    return text


def private_detail(text: str) -> str | None:
    """The refusal for a reason holding what looks like an email address, a NIK or a phone
    number (it is public: never the holder's contact details nor identity number); None
    when it holds none. Dates ("08-04-2020", "1 April 2020") and hours pass."""
    text = unicodedata.normalize("NFKC", text)
    if _EMAIL.search(text):
        return EMAIL_IN_REASON
    unbracketed = _BRACKETS.sub("", text)
    if any(
        sum(ch.isdigit() for ch in run.group()) >= NIK_DIGITS
        for run in _DIGIT_RUN.finditer(unbracketed)
    ):
        return NIK_IN_REASON
    if _PHONE.search(unbracketed):
        return PHONE_IN_REASON
    return None


def _already_revoked(certificate: Certificate) -> DomainError:
    return DomainError(
        ALREADY_REVOKED, when=certificate.revoked_at, reason=certificate.revoked_reason
    )


def check(certificate: Certificate, actor: User | None, reason) -> str:
    """Every rule of `revoke` but the change itself: the reason as it would be kept, or the
    refusal `revoke` would raise. Changes nothing."""
    if not may_revoke(actor, certificate):
        raise DomainError(NOT_ALLOWED)
    if certificate.revoked:
        raise _already_revoked(certificate)
    return reason_text(reason)


# --- the change -----------------------------------------------------------------------------


def revoke(certificate: Certificate, actor: User | None, reason, now: datetime) -> Certificate:
    """Revoke the certificate at `now` with `actor`'s reason (see the module's comment):
    audited, and its holder told by mail in their language."""
    reason = check(certificate, actor, reason)
    done = db.session.execute(
        sa.update(Certificate)
        .where(Certificate.id == certificate.id, Certificate.revoked_at.is_(None))
        .values(revoked_at=now, revoked_reason=reason, revoked_by_id=actor.id)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.refresh(certificate)
    if not done:  # revoked by another request since it was read
        raise _already_revoked(certificate)
    audit.record(
        "certificate.revoked",
        f"certificate:{certificate.id}",
        actor=actor,
        order_id=certificate.order_id,
        course_id=certificate.course_id,
        reason=reason,
    )
    _mail_revoked(certificate, by_office=actor.role is Role.ADMIN)
    return certificate


def _mail_revoked(certificate: Certificate, by_office: bool) -> None:
    """Tell the holder what happened, why, and whom to write to."""
    participant = db.session.get(Participant, certificate.participant_id)
    config = current_app.config
    base = (config.get("PUBLIC_URL") or "").rstrip("/")
    mail.send_in_language(
        participant.user,
        N_("Your certificate for %(course)s has been revoked"),
        [
            N_("Hello %(name)s,"),
            N_(
                "The programme office revoked your certificate for %(course)s (code %(code)s) "
                "on %(when)s."
            )
            if by_office
            else N_(
                "%(provider)s, the training provider, revoked your certificate for %(course)s "
                "(code %(code)s) on %(when)s."
            ),
            N_("The reason: %(reason)s"),
            N_(
                "The certificate no longer proves that you completed the course: its public "
                "page says it is revoked, with the date and the reason:"
            ),
            mail.Verbatim(base + PUBLIC_PATH + issuing.shown(certificate.code)),
            N_(
                "If you think this is a mistake, write to the training provider, %(provider)s, "
                "or to the programme office at %(contact)s (%(phone)s), and give the "
                "certificate's code."
            ),
            N_("The Prakerja team"),
        ],
        name=participant.full_name,
        course=certificate.course_title,
        provider=certificate.provider_name,
        code=issuing.shown(certificate.code),
        when=lambda: mail.wib(certificate.revoked_at),
        reason=certificate.revoked_reason,
        contact=config["CONTACT_EMAIL"],
        phone=config["CONTACT_PHONE"],
    )


# --- reading --------------------------------------------------------------------------------


def certificate_by_id(certificate_id: int) -> Certificate | None:
    """The certificate, its course loaded; None when there is none."""
    return db.session.scalar(
        sa.select(Certificate)
        .where(Certificate.id == certificate_id)
        .options(joinedload(Certificate.course))
    )


def of_provider(provider_id: int, certificate_id: int) -> Certificate | None:
    """The certificate when it is for a course of the provider; None otherwise (another
    provider's certificate is simply not found)."""
    found = certificate_by_id(certificate_id)
    if found is None or found.course.provider_id != provider_id:
        return None
    return found


def _matching(statement, query: str | None):
    """`statement` narrowed to certificates whose code is `query` (typed any way
    `issuing.read_code` reads) or whose holder's name or course title holds it."""
    text = " ".join((query or "").split())[:LONGEST_QUERY]
    if not text:
        return statement
    found = [
        Certificate.holder_name.icontains(text, autoescape=True),
        Certificate.course_title.icontains(text, autoescape=True),
    ]
    code = issuing.read_code(text)
    if code is not None:
        found.append(Certificate.code == code)
    return statement.where(sa.or_(*found))


def _page(statement, page: int, per_page: int):
    statement = statement.options(joinedload(Certificate.course)).order_by(
        Certificate.issued_at.desc(), Certificate.id.desc()
    )
    return db.paginate(statement, page=page, per_page=per_page, error_out=False, count=True)


def office_certificates(query: str | None = None, page: int = 1, per_page: int = PER_PAGE):
    """Every certificate for the office, newest first, one page (`db.paginate`); `query`
    finds them by code, holder's name or course title."""
    return _page(_matching(sa.select(Certificate), query), page, per_page)


def provider_certificates(
    provider_id: int, page: int = 1, query: str | None = None, per_page: int = PER_PAGE
):
    """The certificates of the provider's courses, newest first, one page; `query` as for
    the office."""
    statement = (
        sa.select(Certificate)
        .join(Course, Course.id == Certificate.course_id)
        .where(Course.provider_id == provider_id)
    )
    return _page(_matching(statement, query), page, per_page)
