"""The demo programme for `flask seed`: schemes, budget, a selected batch, an open batch.

Everything goes through the services a real run would use (profiles with checked NIKs, the
online test, joining, selection, the ledger), so the demo shows the programme as it works:

- the two schemes (2020 and 2023) and the question bank of the online test;
- the state budget allocated to the programme fund (Rp20 triliun, the 2020 allocation);
- batch 1, closed and selected: the demo participant peserta@example.com (a laid-off worker)
  and eleven other applicants took the test and joined; selection, CARDS_ISSUED_DAYS_AGO
  days before the seed runs, filled the quota of 8, so the demo participant holds a card of
  Rp1.000.000 whose first-purchase deadline is 23.59 WIB thirty days after it was issued,
  and four applicants were not selected;
- batch 2, open now until 23.59 WIB twelve days after the seed (batches open at 00.00 WIB
  and close at 23.59 WIB), which new participants can join after their test;
- purchases (`_seed_orders`), through checkout as a participant makes them, so that every
  seat taken is an order: the demo participant and three others booked a webinar session of
  the demo provider (lembaga@example.com), which the provider then cancelled, so each got
  the price back on the card (a purchase and a refund on each statement); two others took
  seats in an earlier session of that webinar; one bought a self-paced course whose voucher
  the provider has redeemed, and one bought a self-paced course whose voucher is still to
  be used. Three of the refunded applicants then booked a three-day session of one of the
  demo provider's courses, which the demo then moves to have begun half an hour earlier:
  two redeemed their codes and the provider marked its first day's attendance (two
  present, one absent), so its attendance sheet is open with days left to mark
  (`_seed_running_session`);
- learning (`_seed_learning`, through the learning services, in the days since the cards
  were issued): the demo participant completed and reviewed a self-paced course of another
  provider and is in the middle of one of the demo provider's (pre-test and module 1 done,
  module 2 open with its quiz to take, the later modules locked), so her 2020 scheme
  refuses her another course until she finishes it; the participant whose voucher the
  provider redeemed completed that course and one more, both reviewed, and sent the skill
  demonstration of a third, which waits for the demo provider's decision.

Random choices come from the caller's `random.Random`; times follow the day the seed runs,
every one of them before it. Flushes, never commits.
"""

import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from marketplace.catalogue import listing
from marketplace.catalogue.models import Course, CourseStatus, Method
from marketplace.core.indonesia import end_of_day, jakarta_date, start_of_day, utc_from_jakarta
from marketplace.core.models import Province
from marketplace.extensions import db
from marketplace.learning import (
    assessments,
    attendance,
    demonstrations,
    journey,
    lessons,
    reviews,
)
from marketplace.learning.models import AssessmentKind
from marketplace.money import ledger
from marketplace.money.models import Card
from marketplace.orders import checkout, redemption, refunds
from marketplace.orders.models import Order, OrderStatus
from marketplace.people import participants
from marketplace.people.accounts import create_user
from marketplace.people.models import Education, Employment, Participant, Role, Sex, User
from marketplace.programme import batches, online_test
from marketplace.seed_data import DEMO_PASSWORD

BUDGET = 20_000_000_000_000  # Rp20 triliun
SELECTED_BATCH = dict(number=1, opens_days_ago=40, closes_days_ago=33, quota=8)
OPEN_BATCH = dict(number=2, opens_days_ago=2, closes_in_days=12, quota=2000)


@dataclass(frozen=True)
class DemoPerson:
    """A participant of the demo: who they are and how they do in the test."""

    email: str
    name: str
    province: str  # Kemendagri code
    regency: int
    district: int
    birth: date
    sex: Sex
    city: str
    education: Education
    employment: Employment
    correct: int  # answers right out of 18


DEMO_PARTICIPANT = DemoPerson(
    "peserta@example.com", "Siti Rahayu", "32", 73, 5, date(1994, 3, 12), Sex.FEMALE,
    "Kota Bandung", Education.SMA, Employment.LAID_OFF, 14,
)  # fmt: skip
OTHER_APPLICANTS = (
    ("Agus Setiawan", "35", 78, 4, date(1990, 7, 2),
     Sex.MALE, "Kota Surabaya", "job_seeker", 15),
    ("Dewi Lestari", "33", 74, 2, date(1998, 11, 20),
     Sex.FEMALE, "Kota Semarang", "worker", 17),
    ("Rudi Hartono", "12", 71, 9, date(1985, 5, 14),
     Sex.MALE, "Kota Medan", "laid_off", 11),
    ("Nur Aini", "73", 71, 3, date(2001, 1, 30),
     Sex.FEMALE, "Kota Makassar", "job_seeker", 12),
    ("Bambang Wijaya", "31", 74, 6, date(1979, 9, 9),
     Sex.MALE, "Jakarta Timur", "business_owner", 16),
    ("Putri Handayani", "51", 71, 1, date(1996, 4, 25),
     Sex.FEMALE, "Kota Denpasar", "worker", 9),
    ("Yusuf Maulana", "64", 72, 2, date(1993, 12, 5),
     Sex.MALE, "Kota Balikpapan", "job_seeker", 13),
    ("Rina Marlina", "32", 4, 15, date(1988, 6, 18),
     Sex.FEMALE, "Kabupaten Bandung", "laid_off", 10),
    ("Fajar Nugroho", "34", 71, 7, date(2000, 8, 8),
     Sex.MALE, "Kota Yogyakarta", "worker", 8),
    ("Maria Ulfa", "18", 71, 5, date(1997, 2, 11),
     Sex.FEMALE, "Kota Bandar Lampung", "business_owner", 14),
    ("Hendra Gunawan", "61", 71, 8, date(1982, 10, 27),
     Sex.MALE, "Kota Pontianak", "job_seeker", 7),
)  # fmt: skip


@dataclass(frozen=True)
class ProgrammeReport:
    """What seed_programme() did, for the seed command's summary."""

    questions: int
    accounts: int  # participant accounts created for the applicants
    selected_batch: int
    accepted: int
    rejected: int
    open_batch: int
    demo_card: str  # masked number
    orders: int = 0
    refunded: int = 0

    def describe(self) -> str:
        return (
            f"  programme: {self.questions} test questions; batch {self.selected_batch} selected "
            f"({self.accepted} accepted, {self.rejected} not selected); batch {self.open_batch} "
            f"open; peserta@example.com holds card {self.demo_card}; {self.orders} orders "
            f"({self.refunded} refunded when the demo provider cancelled a session)"
        )


def _nik(person: DemoPerson, serial: int) -> str:
    day = person.birth.day + (40 if person.sex is Sex.FEMALE else 0)
    return (
        f"{person.province}{person.regency:02d}{person.district:02d}"
        f"{day:02d}{person.birth.month:02d}{person.birth.year % 100:02d}{serial:04d}"
    )


def _kk(person: DemoPerson, serial: int) -> str:
    area = f"{person.province}{person.regency:02d}{person.district:02d}"
    return f"{area}0101{18 + serial % 6:02d}{serial:04d}"


def _profile(user: User, person: DemoPerson, serial: int, rng: random.Random, today: date):
    province = db.session.scalar(sa.select(Province).where(Province.code == person.province))
    return participants.save_profile(
        user,
        nik=_nik(person, serial),
        kk=_kk(person, serial),
        full_name=person.name,
        birth_date=person.birth,
        sex=person.sex,
        phone=f"0812{rng.randrange(10_000_000, 99_999_999)}",
        province_id=province.id,
        city=person.city,
        education=person.education,
        employment=person.employment,
        today=today,
    )


def _take_test(participant: Participant, batch, at: datetime, correct: int, rng) -> None:
    attempt = online_test.start(participant, batch, at, rng=rng)
    for index, question in enumerate(online_test.questions(attempt)):
        choice = question.correct_choice
        if index >= correct:  # a wrong answer
            choice = (choice + 1) % len(question.choices_id)
        online_test.answer(attempt, question.id, choice, at + timedelta(minutes=index + 1))
    online_test.submit(attempt, at + timedelta(minutes=20))


def seed_programme(now: datetime, rng: random.Random) -> ProgrammeReport | None:
    """Schemes, questions, budget and the two demo batches; None if batch 1 exists already."""
    batches.ensure_schemes()
    questions = online_test.seed_questions()
    if batches.by_number(SELECTED_BATCH["number"]) is not None:
        return None
    ledger.allocate_budget(BUDGET, "APBN 2020", idempotency_key="seed-budget")
    # A batch opens at 00.00 WIB and closes at 23.59 WIB, as the office's form suggests.
    first = batches.create_batch(
        SELECTED_BATCH["number"],
        start_of_day(now - timedelta(days=SELECTED_BATCH["opens_days_ago"])),
        end_of_day(now - timedelta(days=SELECTED_BATCH["closes_days_ago"])),
        SELECTED_BATCH["quota"],
        "2020",
        None,
        actor=None,
    )
    people = [DEMO_PARTICIPANT] + [
        DemoPerson(
            f"peserta{index}@example.com", name, province, regency, district, birth, sex,
            city, Education.SMA if index % 2 else Education.DIPLOMA, Employment(employment),
            correct,
        )
        for index, (name, province, regency, district, birth, sex, city, employment, correct)
        in enumerate(OTHER_APPLICANTS, start=1)
    ]  # fmt: skip
    joined_at = first.opens_at + timedelta(days=1)
    created = 0
    for serial, person in enumerate(people, start=1):
        user = db.session.scalar(sa.select(User).where(User.email == person.email))
        if user is None:
            created += 1
            user = create_user(
                email=person.email,
                name=person.name,
                password=DEMO_PASSWORD,
                role=Role.PARTICIPANT,
                verified=True,
            )
        participant = _profile(user, person, serial, rng, joined_at.date())
        at = joined_at + timedelta(hours=serial)
        _take_test(participant, first, at, person.correct, rng)
        batches.join(participant, first, at + timedelta(minutes=30), actor=user)
    issued = now - timedelta(days=CARDS_ISSUED_DAYS_AGO)
    report = batches.select(first, issued)
    second = batches.create_batch(
        OPEN_BATCH["number"],
        start_of_day(now - timedelta(days=OPEN_BATCH["opens_days_ago"])),
        end_of_day(now + timedelta(days=OPEN_BATCH["closes_in_days"])),
        OPEN_BATCH["quota"],
        "2020",
        None,
        actor=None,
    )
    demo = db.session.scalar(sa.select(User).where(User.email == DEMO_PARTICIPANT.email))
    made, refunded = _seed_orders(demo.participant, issued, now, rng)
    return ProgrammeReport(
        questions=questions,
        accounts=created,
        selected_batch=first.number,
        accepted=report.accepted,
        rejected=report.rejected_total,
        open_batch=second.number,
        demo_card=demo.participant.card.masked_number,
        orders=len(made),
        refunded=refunded,
    )


def _buy(participant: Participant, course: Course, session, at: datetime):
    """A purchase through checkout's two steps, the mailed code typed back at once."""
    row, code = checkout.begin(participant, course, session, at)
    return checkout.confirm(participant, row.purchase_key, code, at)


def _demo_desk() -> User | None:
    """The demo provider's account (lembaga@example.com): the first provider account."""
    return db.session.scalar(
        sa.select(User).where(User.role == Role.PROVIDER, User.provider_id.is_not(None))
        .order_by(User.id).limit(1)
    )  # fmt: skip


def _seed_orders(demo: Participant, issued: datetime, now: datetime, rng) -> tuple[list, int]:
    """Purchases, a cancelled session with its refunds, a redeemed voucher, the courses learnt
    and reviewed, and the running session (see the module's docstring); (orders made, orders
    refunded). Nothing when the demo provider has no approved webinar or offline course with
    two sessions of free seats."""
    desk = _demo_desk()
    if desk is None:
        return [], 0
    approved = (
        sa.select(Course)
        .where(
            Course.provider_id == desk.provider_id,
            Course.status == CourseStatus.APPROVED,
            Course.price <= 500_000,
        )
        .order_by(Course.id)
    )
    # Sessions a day or more away with 6 free seats: four buyers now, two later.
    sessions = [
        session
        for course in db.session.scalars(approved.where(Course.method != Method.SELF_PACED))
        for session in listing.upcoming_sessions(course)
        if session.starts_at > now + timedelta(days=1) and session.seats_left >= 6
    ]
    self_paced = list(db.session.scalars(approved.where(Course.method == Method.SELF_PACED)))
    if len(sessions) < 2 or len(self_paced) < 2:
        return [], 0
    others = list(
        db.session.scalars(
            sa.select(Participant)
            .join(Card, Card.participant_id == Participant.id)
            .where(Participant.id != demo.id)
            .order_by(Participant.id)
        )
    )
    # Seconds after selection issued the cards.
    at = issued + timedelta(seconds=1)
    # The soonest session stays on sale with its two seats taken; the next one is cancelled.
    booked, cancelled = sessions[0], sessions[1]
    made = [_buy(person, cancelled.course, cancelled, at) for person in [demo, *others[:3]]]
    refunded = refunds.cancel_session(
        cancelled, "Pelatih berhalangan hadir karena sakit.", at + timedelta(seconds=2), desk
    )
    later = at + timedelta(seconds=3)
    made += [_buy(person, booked.course, booked, later) for person in others[3:5]]
    voucher = None
    if len(others) > 6:
        voucher = _buy(others[5], self_paced[1], None, later)
        redemption.redeem(desk.provider, voucher.voucher_code, later + timedelta(seconds=2), desk)
        made += [voucher, _buy(others[6], self_paced[0], None, later)]
    if voucher is not None:
        made += _seed_learning(demo, voucher, desk, issued, now, rng)
    made += _seed_running_session(desk, sessions[2:], others[:3], now + timedelta(seconds=5))
    return made, len(refunded)


RUNNING_DAYS = 3  # the running session's days, in WIB


def _seed_running_session(desk: User, sessions: list, buyers: list, at: datetime) -> list:
    """A session that has begun, for the attendance sheet: `buyers` book one of `sessions`
    (an offline course's if there is one) at `at`, and the demo then moves it to have begun
    half an hour before `at` and to end at 16.00 WIB on its third day, so that its sheet is
    open as soon as the seed is done (the one place where the demo bends time: a checkout
    refuses a session that has begun). All but the last buyer redeem their codes at `at`,
    within the hour after the start, and the provider marks the first day: present for
    those, absent for the last. The orders made ([] without a session)."""
    candidates = [row for row in sessions if row.course.method is Method.OFFLINE] or sessions
    if not candidates or not buyers:
        return []
    session = candidates[0]
    orders = [_buy(person, session.course, session, at) for person in buyers]
    session.starts_at = (at - timedelta(minutes=30)).replace(second=0, microsecond=0)
    first_day = jakarta_date(session.starts_at)
    session.ends_at = utc_from_jakarta(first_day + timedelta(days=RUNNING_DAYS - 1), 16, 0)
    db.session.flush()
    for order in orders[:-1]:
        redemption.redeem(desk.provider, order.redeem_code, at + timedelta(seconds=1), desk)
    marks = {(order.id, first_day): order is not orders[-1] for order in orders}
    attendance.mark(session, desk, marks, at + timedelta(seconds=2))
    return orders


# --- learning, completion and reviews (issue 12) --------------------------------------------
#
# Batch 1's cards were issued CARDS_ISSUED_DAYS_AGO days before the seed runs, so that what
# the participants did since is behind them when the demo opens. Each day of learning starts
# at 09.00 WIB (day 1 is the day after the cards were issued), and every step goes through the
# learning services with the time it happened: the voucher code typed to start a course, the
# pre-test, each module opened, its quiz passed once its minimum learning time has gone by,
# the post-test, whose pass completes the course (learning/completion.py), the review.
#
# - Day 1: the demo participant buys the cheapest self-paced course of a provider other than
#   the demo provider, learns it, completes it and reviews it. The participant whose voucher
#   the demo provider redeemed learns and completes that course and reviews it.
# - Day 2: the demo provider replies to that review. She then buys the demo participant's
#   course too and completes it; her review of it is abusive.
# - Day 3: the office hides the abusive review with a reason. She buys the demo provider's
#   self-paced course that asks for a skill demonstration, learns it, passes its post-test
#   and sends her demonstration: it waits for the provider's decision (/provider/submissions).
# - Day 4: the demo participant buys one of the demo provider's self-paced courses, starts it
#   with its voucher code, takes the pre-test and learns module 1 (its quiz passed, its
#   minimum time gone by); day 5 she opens module 2, whose quiz she has not taken yet: she is
#   in the middle of it, the later modules locked.
#
# Every review goes through learning.reviews, so the reviewed courses' rating_avg and
# rating_count are recounted from the shown review rows; the other courses keep the seed's
# made-up numbers.

CARDS_ISSUED_DAYS_AGO = 6
LEARNING_STARTS_WIB = 9  # each day of learning starts at 09.00 WIB

DEMO_REVIEW = (
    5,
    "Materinya runtut dan contohnya dekat dengan pekerjaan sehari-hari. Setelah pelatihan ini "
    "saya lebih percaya diri melamar kerja.",
)
REDEEMED_REVIEW = (
    4,
    "Instruktur cepat menjawab pertanyaan di forum dan materinya langsung bisa saya pakai "
    "untuk usaha saya. Sayang beberapa video suaranya kurang jelas.",
)
REPLY = "Terima kasih atas penilaiannya! Video yang suaranya kurang jelas sedang kami rekam ulang."
HIDDEN_REVIEW = (1, "Pelatihan buruk, instrukturnya bodoh dan tidak becus, jangan beli!")
HIDE_REASON = "Berisi hinaan kepada instruktur."
DEMONSTRATION_ANSWER = (
    "Saya mempraktikkan materi pelatihan ini dari awal sampai akhir. Pertama saya menyiapkan "
    "alat dan bahan sesuai daftar di modul pertama, lalu mengerjakan setiap langkah secara "
    "berurutan dan mencatat hasilnya. Kesalahan yang sempat terjadi saya perbaiki dengan "
    "memeriksa ulang langkah yang dianjurkan, dan hasil akhirnya saya periksa dengan daftar "
    "periksa di modul terakhir."
)

MINUTE = timedelta(minutes=1)
TEST_TAKES = 15 * MINUTE  # a pre-test or a post-test, from its start to its answers
QUIZ_TAKES = 3 * MINUTE
# How many of the 8 answers of the pre-test and of the post-test are wrong, by course: a
# weaker start, a good finish (the demo participant's: 50 and 87 of 100).
DEMO_WRONG = (4, 1)


def _take(order: Order, kind: AssessmentKind, at: datetime, rng, module=None, wrong=0):
    """Start a try of a test at `at` and send it, all answers right but the first `wrong`;
    the time it was sent."""
    who = order.participant
    attempt = assessments.start(order, who, kind, at, module=module, rng=rng)
    answers = {}
    for index, question in enumerate(assessments.questions(attempt)):
        right = question.correct_choice
        answers[question.id] = (right + 1) % len(question.choices) if index < wrong else right
    sent = at + (QUIZ_TAKES if kind is AssessmentKind.QUIZ else TEST_TAKES)
    assessments.submit(attempt, who, answers, sent)
    return sent


def _start(order: Order, at: datetime, rng, pre_test_wrong: int) -> datetime:
    """Start a paid self-paced course with its voucher code, as its participant types it on
    the course's page, and take the pre-test; the time it ends."""
    if order.status is OrderStatus.PAID:
        redemption.start_self_paced(order, order.participant, order.voucher_code, at)
        at += 2 * MINUTE
    return _take(order, AssessmentKind.PRE_TEST, at, rng, wrong=pre_test_wrong) + 5 * MINUTE


def _learn_module(order: Order, module, at: datetime, rng) -> datetime:
    """Open the module at `at`, read it for its minimum learning time, then pass its quiz;
    the time the module is done (and the next one can be opened)."""
    lessons.open_module(order, order.participant, module, at)
    read = max(journey.minimum_time(module, journey.learning_percent(order)), MINUTE)
    if module.id in journey.quiz_modules(order.course_id):
        return _take(order, AssessmentKind.QUIZ, at + read, rng, module=module) + 2 * MINUTE
    return at + read + 2 * MINUTE


def _learn(order: Order, at: datetime, rng, wrong: tuple[int, int]) -> datetime:
    """The whole course from `at`: started, the pre-test, every module in turn, the
    post-test, which completes it unless something else is asked (a skill demonstration);
    the time the post-test was sent. `wrong`: the wrong answers of the pre-test and of the
    post-test."""
    at = _start(order, at, rng, wrong[0])
    for module in order.course.modules:
        at = _learn_module(order, module, at, rng)
    sent = _take(order, AssessmentKind.POST_TEST, at, rng, wrong=wrong[1])
    if not order.course.needs_demonstration and order.status is not OrderStatus.COMPLETED:
        raise RuntimeError(f"the demo's order {order.id} is not completed by its learning")
    return sent


def _seed_learning(
    demo: Participant, voucher: Order, desk: User, issued: datetime, now: datetime, rng
) -> list[Order]:
    """Courses learnt, completed and reviewed, a skill demonstration waiting and a course in
    the middle (the section's comment); the orders it made."""
    office = db.session.scalar(
        sa.select(User).where(User.role == Role.ADMIN).order_by(User.id).limit(1)
    )
    # The cheapest: the demo participant keeps most of her balance.
    course = db.session.scalar(
        sa.select(Course)
        .where(
            Course.provider_id != desk.provider_id,
            Course.status == CourseStatus.APPROVED,
            Course.method == Method.SELF_PACED,
        )
        .order_by(Course.price, Course.id)
        .limit(1)
    )
    if office is None or course is None:
        return []
    first_day = jakarta_date(issued)

    def day(number: int, hours: int = 0) -> datetime:
        moment = utc_from_jakarta(first_day + timedelta(days=number), LEARNING_STARTS_WIB, 0)
        return moment + timedelta(hours=hours)

    made = []
    if checkout.refusal(demo, course, day(1)) is None:
        mine = _buy(demo, course, None, day(1))
        done = _learn(mine, day(1) + 5 * MINUTE, rng, DEMO_WRONG)
        reviews.write_review(mine, demo, *DEMO_REVIEW, done + 30 * MINUTE)
        made.append(mine)

    other = voucher.participant
    done = _learn(voucher, day(1, 1), rng, (3, 2))
    review = reviews.write_review(voucher, other, *REDEEMED_REVIEW, done + 30 * MINUTE)
    reviews.reply(review, desk, REPLY, day(2))
    if checkout.refusal(other, course, day(2, 1)) is None:
        theirs = _buy(other, course, None, day(2, 1))
        done = _learn(theirs, day(2, 1) + 5 * MINUTE, rng, (2, 1))
        abusive = reviews.write_review(theirs, other, *HIDDEN_REVIEW, done + 30 * MINUTE)
        reviews.hide(abusive, office, HIDE_REASON, day(3))
        made.append(theirs)

    showcase = sa.select(Course).where(
        Course.provider_id == desk.provider_id,
        Course.status == CourseStatus.APPROVED,
        Course.method == Method.SELF_PACED,
    )
    asks = db.session.scalar(
        showcase.where(Course.needs_demonstration.is_(True)).order_by(Course.id).limit(1)
    )
    if asks is not None and checkout.refusal(other, asks, day(3, 1)) is None:
        order = _buy(other, asks, None, day(3, 1))
        done = _learn(order, day(3, 1) + 5 * MINUTE, rng, (3, 1))
        demonstrations.submit(
            order, other, DEMONSTRATION_ANSWER, None, None, _upload_dir(), done + 30 * MINUTE
        )
        made.append(order)

    middle = db.session.scalar(
        showcase.where(Course.needs_demonstration.is_(False)).order_by(Course.id).limit(1)
    )
    if middle is not None and checkout.refusal(demo, middle, day(4)) is None:
        order = _buy(demo, middle, None, day(4))
        at = _start(order, day(4) + 5 * MINUTE, rng, DEMO_WRONG[0])
        modules = order.course.modules
        _learn_module(order, modules[0], at, rng)
        lessons.open_module(order, demo, modules[1], day(5, 1))
        made.append(order)

    if day(5, 1) >= now:  # the last step of all: CARDS_ISSUED_DAYS_AGO is too small
        raise RuntimeError("the demo's learning would end after the seed runs")
    return made


def _upload_dir() -> str:
    """Where the app keeps skill demonstrations' files (none are sent by the demo)."""
    return current_app.config["UPLOAD_DIR"]
