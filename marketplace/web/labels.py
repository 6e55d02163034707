"""What the pages call the states of things: order and card statuses with their tag colours,
application outcomes and the reasons an application was not selected, a participant's sex,
education and employment, a course's listing status, method and level, and an incentive
payment's state and kind.

Labels are lazy translations (shown in the page's language); tags are CSS classes. Every
page that shows one of these states reads it from here, keyed by the enum's value.
"""

from marketplace.incentives.models import PaymentKind, PaymentState
from marketplace.people.models import Education, Employment, Sex
from marketplace.web.i18n import lazy_gettext as _l

ORDER_STATUSES = {
    "paid": _l("Paid"),
    "redeemed": _l("Redeemed"),
    "completed": _l("Completed"),
    "refunded": _l("Refunded"),
}
ORDER_TAGS = {
    "paid": "tag--green",
    "redeemed": "tag--green",
    "completed": "tag--grey",
    "refunded": "tag--yellow",
}

CARD_STATUSES = {
    "active": _l("Active"),
    "in_use": _l("In use"),
    "exhausted": _l("Balance used up"),
    "revoked": _l("Revoked"),
    "frozen": _l("Frozen"),
}
CARD_TAGS = {
    "active": "tag--green",
    "in_use": "tag--green",
    "exhausted": "tag--grey",
    "revoked": "tag--red",
    "frozen": "tag--yellow",
}

# Why an application was not selected, in the participant's words.
NOT_SELECTED = {
    "quota": _l("There were more applicants than places."),
    "province_quota": _l("There were more applicants from your province than places."),
    "age": _l("Participants must be 18 to 64 years old on the day of selection."),
    "kk_limit": _l("Two members of your family card (KK) have already been accepted."),
    "has_card": _l("You already have a card."),
    "blocked": _l("Your account is blocked by the programme office."),
}

# The office's words for the same, and what it sees of an application and an applicant.
OFFICE_NOT_SELECTED = {
    "quota": _l("Quota filled"),
    "province_quota": _l("Province quota filled"),
    "age": _l("Not 18 to 64 years old"),
    "kk_limit": _l("Two from the same family card (KK) already accepted"),
    "has_card": _l("Already has a card"),
    "blocked": _l("Blocked by the programme office"),
}
BATCH_OUTCOMES = {
    "joined": _l("Waiting"),
    "accepted": _l("Accepted"),
    "rejected": _l("Not selected"),
}
OFFICE_EMPLOYMENT = {
    "laid_off": _l("Laid off"),
    "job_seeker": _l("Job seeker"),
    "business_owner": _l("Business owner"),
    "worker": _l("Worker"),
}
# A participant's profile, in the words the profile form and its check step use.
SEX_LABELS = {Sex.MALE: _l("Male"), Sex.FEMALE: _l("Female")}
EDUCATION_LABELS = {
    Education.NONE: _l("No formal schooling"),
    Education.SD: _l("Primary school (SD or equivalent)"),
    Education.SMP: _l("Junior high school (SMP or equivalent)"),
    Education.SMA: _l("Senior high or vocational school (SMA, SMK or equivalent)"),
    Education.DIPLOMA: _l("Diploma (D1 to D4)"),
    Education.BACHELOR: _l("Bachelor's degree (S1)"),
    Education.POSTGRADUATE: _l("Master's degree or doctorate (S2 or S3)"),
}
EMPLOYMENT_LABELS = {
    Employment.JOB_SEEKER: _l("Looking for work"),
    Employment.LAID_OFF: _l("Laid off (PHK)"),
    Employment.WORKER: _l("Working, and need new skills"),
    Employment.BUSINESS_OWNER: _l("Running a micro or small business"),
}

# Where a bought course stands (learning/journey.py's CourseState) and each of its steps
# (StepState), on "Pelatihan Saya" and the course's learning pages (web/learning).
COURSE_STATES = {
    "not_started": _l("Not started"),
    "in_progress": _l("In progress"),
    "waiting": _l("Waiting for the provider"),
    "not_passed": _l("Not passed"),
    "completed": _l("Completed"),
    "refunded": _l("Refunded"),
}
COURSE_TAGS = {
    "not_started": "tag--yellow",
    "in_progress": "",  # the plain blue tag
    "waiting": "tag--yellow",
    "not_passed": "tag--red",
    "completed": "tag--green",
    "refunded": "tag--grey",
}
STEP_STATES = {
    "done": _l("Done"),
    "open": _l("Open"),
    "waiting": _l("Waiting"),
    "locked": _l("Locked"),
    "failed": _l("Not passed"),
}
STEP_TAGS = {
    "done": "tag--green",
    "open": "tag--yellow",
    "waiting": "",  # the plain blue tag
    "locked": "tag--grey",
    "failed": "tag--red",
}


# A course's status in the catalogue's life (curation): the provider's and the office's pages.
LISTING_STATUSES = {
    "draft": _l("Draft"),
    "submitted": _l("Waiting for curation"),
    "approved": _l("Approved"),
    "rejected": _l("Sent back"),
    "archived": _l("Archived"),
}
LISTING_TAGS = {
    "draft": "tag--grey",
    "submitted": "tag--yellow",
    "approved": "tag--green",
    "rejected": "tag--red",
    "archived": "tag--grey",
}
# How a course is taught, and its level (the catalogue's filters, the editor, curation).
COURSE_METHODS = {
    "self_paced": _l("Self-paced video"),
    "webinar": _l("Webinar"),
    "offline": _l("In person (offline)"),
}
COURSE_LEVELS = {
    "beginner": _l("Beginner"),
    "intermediate": _l("Intermediate"),
    "advanced": _l("Advanced"),
}

# An incentive or survey payment's state as the office's pages call it, its tag's colour,
# and its kind.
PAYMENT_STATES = {
    PaymentState.SCHEDULED.value: _l("Scheduled"),
    PaymentState.DUE.value: _l("Due"),
    PaymentState.PAYING.value: _l("Being paid"),
    PaymentState.PAID.value: _l("Paid"),
    PaymentState.FAILED.value: _l("Failed"),
    PaymentState.REVERSED.value: _l("Reversed"),
    PaymentState.CANCELLED.value: _l("Cancelled"),
}
PAYMENT_TAGS = {
    PaymentState.SCHEDULED.value: "tag--grey",
    PaymentState.DUE.value: "tag--yellow",
    PaymentState.PAYING.value: "tag--yellow",
    PaymentState.PAID.value: "tag--green",
    PaymentState.FAILED.value: "tag--red",
    PaymentState.REVERSED.value: "tag--red",
    PaymentState.CANCELLED.value: "tag--grey",
}
PAYMENT_KINDS = {
    PaymentKind.INCENTIVE.value: _l("Training incentive"),
    PaymentKind.SURVEY.value: _l("Survey payment"),
}
