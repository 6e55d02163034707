"""Checkout: buying a course with the card's balance, confirmed by a code sent by mail.

Two steps, each one request:

1. `begin(participant, course, session, now)` checks every purchase rule and mails a
   six-digit code; the page's form carries the returned row's `purchase_key`.
2. `confirm(participant, purchase_key, code, now)` checks the code and makes ONE order.

The purchase rules (checked at both steps, the second time inside the purchase):

- the participant has a card (not yet issued = no card), active or in use, and an active
  card's first-purchase deadline has not passed;
- the course is approved and has a price;
- a webinar or offline course needs one of its own sessions, scheduled, starting after
  `now`, with a free seat; a self-paced course takes no session;
- the course was not bought already (an order that is not refunded);
- the scheme's `one_unfinished_course`: no other order paid or redeemed but not completed;
- the scheme's `max_course_price`, when set;
- the card's balance covers the price.

Why one purchase, however often the form is sent and however many requests race:

- The order's `purchase_key` is unique: a double submit, a reload or a replay finds the
  order made the first time and returns it.
- The purchase runs in a SAVEPOINT that first locks the card row (``SELECT … FOR UPDATE`` on
  PostgreSQL; on SQLite a writing request holds the database's write lock from BEGIN), so
  purchases with one card queue, and each re-checks the rules after the one before it.
- The money moves by the ledger's conditional UPDATE (never below zero) with the
  idempotency key ``purchase:<purchase_key>``; the seat is taken by ONE conditional UPDATE
  (``seats_taken < capacity``) checked by its row count.

Services flush and never commit; see `confirm` for the one refusal whose writes are kept
(a wrong code is counted: `core.database.keep_despite_refusal`).
"""

import hashlib
import hmac
import secrets
from collections.abc import Callable
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from marketplace.catalogue import enrolments
from marketplace.catalogue.models import Course, CourseSession, CourseStatus, Method, SessionStatus
from marketplace.core import N_, DomainError, audit, mail
from marketplace.core.base import LARGEST_ID
from marketplace.core.database import keep_despite_refusal, lock_for_writing
from marketplace.core.indonesia import rupiah
from marketplace.core.inputs import whole_number
from marketplace.extensions import db
from marketplace.money import cards, ledger
from marketplace.money.models import Card, CardStatus, LedgerAccount, Reason
from marketplace.orders import receipt, redemption
from marketplace.orders.models import Order, OrderStatus, PurchaseCode
from marketplace.people.models import Participant, User

# How long a purchase code works: long enough to switch to the mail app, wait for the mail
# on a slow connection and switch back; short enough that an old mail is worth nothing.
# A participant who runs out of time asks for a new code (`resend_code`) without starting
# the purchase again.
CODE_VALID_FOR = timedelta(minutes=10)
# A new code is sent at most once a minute for one purchase (the web adds limits per account).
RESEND_AFTER = timedelta(seconds=60)
MAX_WRONG_CODES = 5
CODE_DIGITS = 6
UNFINISHED = (OrderStatus.PAID, OrderStatus.REDEEMED)


class PurchaseNotFound(DomainError):
    """No purchase with this key for this participant (the view answers 404)."""

    def __init__(self):
        super().__init__(N_("This purchase was not found. Start the purchase again."))


class PurchaseComplete(DomainError):
    """The purchase has made its order already (the view shows the order)."""

    def __init__(self, order: Order):
        super().__init__(N_("Your purchase is complete."))
        self.order = order


class TooSoon(DomainError):
    """A new code was asked for within RESEND_AFTER of the last one; `again_at` says when."""

    def __init__(self, again_at: datetime):
        super().__init__(
            N_("We sent a code less than a minute ago. You can ask for a new one at %(time)s."),
            time=again_at,
        )
        self.again_at = again_at


class WrongCode(DomainError):
    """The code was wrong. The count of wrong codes HAS been written (and the purchase
    voided at the fifth), and the transaction is marked `keep_despite_refusal`: the
    request's boundary keeps the count although the request is refused."""


# --- reading -------------------------------------------------------------------------------


def order_for(participant: Participant, order_id: int) -> Order | None:
    """The participant's order with this id; None when there is none or it is someone else's."""
    return db.session.scalar(
        sa.select(Order).where(Order.id == order_id, Order.participant_id == participant.id)
    )


def orders_of(participant: Participant) -> list[Order]:
    """The participant's orders, newest first, with their courses loaded."""
    return list(
        db.session.scalars(
            sa.select(Order)
            .where(Order.participant_id == participant.id)
            .options(joinedload(Order.course))
            .order_by(Order.created_at.desc(), Order.id.desc())
        )
    )


def order_by_id(order_id: int) -> Order | None:
    """Any order by its number (for the programme office), its course and card loaded."""
    return db.session.scalar(
        sa.select(Order)
        .where(Order.id == order_id)
        .options(joinedload(Order.course), joinedload(Order.card), joinedload(Order.participant))
    )


def find_orders(query: str, page: int = 1, per_page: int = 50):
    """Orders for the programme office, newest first, one page of them (`db.paginate`).

    `query` is an order number, a voucher or redeem code, or a participant's email address;
    empty lists every order. Anything else matches nothing.
    """
    statement = sa.select(Order).options(joinedload(Order.course), joinedload(Order.participant))
    text = (query or "").strip()
    if text:
        if "@" in text:
            statement = (
                statement.join(Participant, Participant.id == Order.participant_id)
                .join(User, User.id == Participant.user_id)
                .where(User.email == text.lower())
            )
        elif (number := whole_number(text.lstrip("#"), lowest=1, highest=LARGEST_ID)) is not None:
            statement = statement.where(Order.id == number)
        else:
            codes = redemption.spellings(text)
            statement = statement.where(
                sa.or_(Order.voucher_code.in_(codes), Order.redeem_code.in_(codes))
                if codes
                else sa.false()
            )
    statement = statement.order_by(Order.created_at.desc(), Order.id.desc())
    return db.paginate(statement, page=page, per_page=per_page, error_out=False, count=True)


def pending_purchase(participant: Participant, purchase_key: str) -> PurchaseCode | None:
    """The participant's purchase started with this key, its course loaded; None when there
    is none (or it is someone else's)."""
    if not purchase_key or len(purchase_key) > 64:
        return None
    return db.session.scalar(
        sa.select(PurchaseCode)
        .where(
            PurchaseCode.purchase_key == purchase_key,
            PurchaseCode.participant_id == participant.id,
        )
        .options(joinedload(PurchaseCode.course))
    )


def card_of(participant: Participant) -> Card | None:
    """The participant's card, if one was ever issued."""
    return db.session.scalar(sa.select(Card).where(Card.participant_id == participant.id))


def _card_balance(card: Card) -> int:
    """The card's balance as stored now (a column read, never a cached object)."""
    return db.session.scalar(
        sa.select(LedgerAccount.balance).where(LedgerAccount.id == card.account_id)
    )


# --- the rules -----------------------------------------------------------------------------


def _check_card(card: Card | None, now: datetime) -> Card:
    if card is None:
        raise DomainError(
            N_("You don't have a Kartu Prakerja yet. You can buy a course once it is issued.")
        )
    if card.status is CardStatus.REVOKED:
        raise DomainError(N_("Your Kartu Prakerja has been revoked, so it can't buy courses."))
    if card.status is CardStatus.FROZEN:
        raise DomainError(
            N_("The programme office has frozen your Kartu Prakerja, so it can't buy courses.")
        )
    if card.status is CardStatus.EXHAUSTED:
        raise DomainError(N_("Your Kartu Prakerja's training balance has been spent."))
    if (
        card.status is CardStatus.ACTIVE
        and card.first_purchase_at is None
        and card.purchase_deadline_at <= now
    ):
        raise DomainError(N_("The deadline for your first purchase has passed."))
    return card


def _check_session(course: Course, session: CourseSession | None, now: datetime) -> None:
    if course.method is Method.SELF_PACED:
        if session is not None:
            raise DomainError(N_("This course is self-paced and has no sessions."), field="session")
        return
    if session is None:
        raise DomainError(N_("Choose a session for this course."), field="session")
    if session.course_id != course.id:
        raise DomainError(N_("That session is not a session of this course."), field="session")
    if session.status is not SessionStatus.SCHEDULED:
        raise DomainError(N_("This session has been cancelled."), field="session")
    if session.starts_at <= now:
        raise DomainError(N_("This session has already started."), field="session")
    if session.seats_taken >= session.capacity:
        raise DomainError(N_("This session is full."), field="session")


def _orders_in_play(participant: Participant, purchase_key: str | None = None) -> list:
    """(id, purchase_key, course_id, status) of the participant's orders that are not
    refunded, and of the order made with `purchase_key` whatever its status: ONE query
    for the "already bought", "one unfinished course" and "this key made it" checks."""
    wanted = Order.status != OrderStatus.REFUNDED
    if purchase_key is not None:
        wanted = sa.or_(wanted, Order.purchase_key == purchase_key)
    return list(
        db.session.execute(
            sa.select(Order.id, Order.purchase_key, Order.course_id, Order.status)
            .where(Order.participant_id == participant.id, wanted)
            .order_by(Order.id)
        )
    )


def _check_rules(
    participant: Participant,
    card: Card | None,
    course: Course,
    session: CourseSession | None,
    now: datetime,
    check_session: bool = True,
    orders: list | None = None,
    balance: int | None = None,
) -> Card:
    """Refuse with a DomainError unless this purchase is allowed now; the card.

    `orders` (from `_orders_in_play`) and `balance` may be given when the caller has read
    them already, under the card's lock.
    """
    card = _check_card(card, now)
    if course.status is not CourseStatus.APPROVED or course.price <= 0:
        raise DomainError(N_("This course is not on sale."))
    if check_session:
        _check_session(course, session, now)
    if orders is None:
        orders = _orders_in_play(participant)
    live = [row for row in orders if row.status is not OrderStatus.REFUNDED]
    if any(row.course_id == course.id for row in live):
        raise DomainError(N_("You have already bought this course."))
    scheme = card.scheme
    if scheme.one_unfinished_course and any(row.status in UNFINISHED for row in live):
        raise DomainError(
            N_(
                "Finish the course you have bought before you buy another: your "
                "programme allows one unfinished course at a time."
            )
        )
    if scheme.max_course_price is not None and course.price > scheme.max_course_price:
        raise DomainError(
            N_("This course costs %(price)s, more than the %(limit)s allowed for one course."),
            price=rupiah(course.price),
            limit=rupiah(scheme.max_course_price),
        )
    if balance is None:
        balance = _card_balance(card)
    if balance < course.price:
        raise DomainError(
            N_("Your balance of %(balance)s is not enough for this course, which costs %(price)s."),
            balance=rupiah(balance),
            price=rupiah(course.price),
        )
    return card


def refusal(participant: Participant, course: Course, now: datetime) -> DomainError | None:
    """Why `participant` can't buy `course` at `now`, before a session is chosen (the
    confirmation page shows it instead of the button); None when nothing stands in the way."""
    try:
        _check_rules(participant, card_of(participant), course, None, now, check_session=False)
    except DomainError as error:
        return error
    return None


# --- step 1: the code ----------------------------------------------------------------------


def _code_hash(purchase_key: str, code: str) -> str:
    return hashlib.sha256(f"{purchase_key}:{code}".encode()).hexdigest()


def begin(
    participant: Participant,
    course: Course,
    session: CourseSession | None,
    now: datetime,
    rng=secrets,
) -> tuple[PurchaseCode, str]:
    """Start buying `course` (in `session` for a webinar or offline course) at `now`.

    Checks every purchase rule, stores a PurchaseCode (the code only as a hash, valid for
    ten minutes) and mails the six-digit code to the participant in their language.
    Returns (the row, the code); the code is returned for tests only: never show or log it.
    """
    _check_rules(participant, card_of(participant), course, session, now)
    code = f"{rng.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
    purchase_key = rng.token_urlsafe(32)
    row = PurchaseCode(
        participant_id=participant.id,
        course_id=course.id,
        session_id=session.id if session is not None else None,
        purchase_key=purchase_key,
        code_hash=_code_hash(purchase_key, code),
        created_at=now,
        expires_at=now + CODE_VALID_FOR,
        attempts=0,
    )
    db.session.add(row)
    db.session.flush()
    _mail_code(participant, course, code, row.expires_at)
    audit.record(
        "purchase.started",
        f"purchase_code:{row.id}",
        actor=participant.user,
        participant_id=participant.id,
        course_id=course.id,
        session_id=row.session_id,
        price=course.price,
    )
    return row, code


def _mail_code(
    participant: Participant, course: Course, code: str, expires_at: datetime, again=False
) -> None:
    """Mail the six-digit code in the participant's language (a new one says so)."""
    paragraphs = [
        N_("Hello %(name)s,"),
        N_("Your code to buy %(course)s for %(price)s is %(code)s."),
    ]
    if again:
        paragraphs.append(
            N_("This code replaces the one we sent before: only the newest code works.")
        )
    paragraphs.append(
        N_(
            "The code works for %(minutes)s minutes, until %(time)s. If you did not start "
            "this purchase, ignore this email and never tell the code to anyone."
        )
    )
    mail.send_in_language(
        participant.user,
        (
            N_("Your new code to confirm a purchase")
            if again
            else N_("Your code to confirm a purchase")
        ),
        paragraphs,
        name=participant.full_name,
        course=course.title,
        price=rupiah(course.price),
        code=code,
        minutes=int(CODE_VALID_FOR.total_seconds() // 60),
        time=lambda: mail.wib(expires_at, with_date=False),
    )


def resend_code(
    participant: Participant, purchase_key: str, now: datetime, rng=secrets
) -> tuple[PurchaseCode, str]:
    """Mail a new code for the purchase started with `purchase_key`; (the row, the code).

    The new code REPLACES the earlier one, which stops working at once: one purchase has one
    code at a time, so an old mail is worth nothing and a code seen over someone's shoulder
    dies with the next one. The new code works for a full CODE_VALID_FOR (a purchase whose
    code ran out comes back without choosing the course again); the count of wrong codes
    stays, so asking for new codes gives no new guesses.

    Refused when the key is not this participant's (PurchaseNotFound), when the purchase has
    made its order (PurchaseComplete), was voided by wrong codes, or when the last code went
    out less than RESEND_AFTER ago (TooSoon: one UPDATE conditional on the last send's time,
    so two requests at once send one code); the purchase rules are checked again, so no
    code is mailed for a purchase that can no longer be made. The code is returned for
    tests only: never show or log it.
    """
    row = pending_purchase(participant, purchase_key)
    if row is None:
        raise PurchaseNotFound()
    existing = _order_by_key(purchase_key)
    if existing is not None:
        raise PurchaseComplete(existing)
    if row.voided_at is not None or row.used_at is not None:
        raise DomainError(N_("This code can no longer be used: start the purchase again."))
    if row.created_at > now - RESEND_AFTER:
        raise TooSoon(row.created_at + RESEND_AFTER)
    course = row.course
    session = db.session.get(CourseSession, row.session_id) if row.session_id else None
    _check_rules(participant, card_of(participant), course, session, now)
    code = f"{rng.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
    replaced = db.session.execute(
        sa.update(PurchaseCode)
        .where(
            PurchaseCode.id == row.id,
            PurchaseCode.used_at.is_(None),
            PurchaseCode.voided_at.is_(None),
            PurchaseCode.created_at <= now - RESEND_AFTER,
        )
        .values(
            code_hash=_code_hash(purchase_key, code),
            created_at=now,
            expires_at=now + CODE_VALID_FOR,
        )
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.refresh(row)
    if not replaced:
        # Another request sent one, or the purchase ended, between our read and our write.
        if row.used_at is not None or row.voided_at is not None:
            raise DomainError(N_("This code can no longer be used: start the purchase again."))
        raise TooSoon(row.created_at + RESEND_AFTER)
    _mail_code(participant, course, code, row.expires_at, again=True)
    audit.record(
        "purchase.code_resent",
        f"purchase_code:{row.id}",
        actor=participant.user,
        participant_id=participant.id,
        attempts=row.attempts,
    )
    return row, code


# --- step 2: the order ---------------------------------------------------------------------


def _order_by_key(purchase_key: str) -> Order | None:
    return db.session.scalar(sa.select(Order).where(Order.purchase_key == purchase_key))


def _count_wrong_code(row: PurchaseCode, now: datetime, participant: Participant) -> None:
    """Add one wrong code (one UPDATE) and void the purchase at the fifth; then raise,
    the transaction marked to be kept despite the refusal."""
    db.session.execute(
        sa.update(PurchaseCode)
        .where(PurchaseCode.id == row.id, PurchaseCode.voided_at.is_(None))
        .values(attempts=PurchaseCode.attempts + 1)
        .execution_options(synchronize_session=False)
    )
    db.session.execute(
        sa.update(PurchaseCode)
        .where(
            PurchaseCode.id == row.id,
            PurchaseCode.voided_at.is_(None),
            PurchaseCode.attempts >= MAX_WRONG_CODES,
        )
        .values(voided_at=now)
        .execution_options(synchronize_session=False)
    )
    db.session.flush()
    db.session.refresh(row)
    voided = row.voided_at is not None
    audit.record(
        "purchase.wrong_code",
        f"purchase_code:{row.id}",
        actor=participant.user,
        attempts=row.attempts,
        voided=voided,
    )
    keep_despite_refusal()  # the count is the point of the refusal: see core/database.py
    if voided:
        raise WrongCode(N_("Too many wrong codes: start the purchase again."), field="code")
    raise WrongCode(
        N_("That code is not right. You have %(left)s more tries."),
        field="code",
        left=MAX_WRONG_CODES - row.attempts,
    )


def confirm(
    participant: Participant,
    purchase_key: str,
    code: str,
    now: datetime,
    order_link: Callable[[int], str] | None = None,
) -> Order:
    """Confirm the purchase started with `purchase_key` by the mailed `code`: ONE order.

    - The key must be one of this participant's purchases, else PurchaseNotFound.
    - When the key already made an order (a double submit, a reload, a replay, a request
      racing this one), that order is returned and nothing else happens.
    - A voided or expired purchase is refused (start again).
    - A wrong code raises WrongCode AFTER counting it (the fifth voids the purchase).
      The count is written in the caller's transaction, marked `keep_despite_refusal`:
      a request's boundary commits it although the request is refused (any other
      DomainError is rolled back as usual). A caller outside a request commits it.
    - The right code makes the purchase in a SAVEPOINT: the rules are checked again, the
      price moves card → provider payable, a session seat is taken, the order is stored with
      its voucher (and, for a session, redeem) code, the code is marked used, and the card's
      first purchase is recorded. Any refusal leaves nothing changed.
    - The new order's confirmation is mailed (`receipt.send_confirmation`, with a link to
      the order page when `order_link` builds one): once, by the request that made the
      order, and delivered only when the purchase has committed.
    """
    found = db.session.execute(
        sa.select(PurchaseCode, Order)
        .outerjoin(Order, Order.purchase_key == PurchaseCode.purchase_key)
        .where(
            PurchaseCode.purchase_key == purchase_key,
            PurchaseCode.participant_id == participant.id,
        )
    ).first()
    if found is None:
        raise PurchaseNotFound()
    row, existing = found
    if existing is not None:
        return existing
    if row.voided_at is not None or row.used_at is not None:
        raise DomainError(N_("This code can no longer be used: start the purchase again."))
    if now >= row.expires_at:
        raise DomainError(
            N_("This code has expired. Ask for a new code: you don't have to start again."),
            field="code",
        )
    code = (code or "").strip()
    if not (len(code) == CODE_DIGITS and code.isascii() and code.isdigit()):
        raise DomainError(N_("Enter the 6-digit code from the email."), field="code")
    if not hmac.compare_digest(_code_hash(purchase_key, code), row.code_hash):
        lock_for_writing()
        _count_wrong_code(row, now, participant)
    # What the purchase is of, and where the money goes, read before the write lock: no
    # lock covers them on any database (the seat is taken by a conditional UPDATE).
    course = db.session.get(Course, row.course_id)
    session = db.session.get(CourseSession, row.session_id) if row.session_id else None
    payable = ledger.find(ledger.provider_code(course.provider_id))
    # Everything above only read; from here on this request writes (see core/database.py).
    lock_for_writing()
    try:
        return _purchase(participant, row, course, session, payable, now, order_link)
    except IntegrityError:
        # A concurrent request with the same key stored its order first: that is the one.
        existing = _order_by_key(purchase_key)
        if existing is None:
            raise
        return existing


def _balance_under_lock(card: Card) -> int:
    """The card's balance, read by a statement of its own once the card's row lock is held.

    On PostgreSQL (READ COMMITTED) a ``SELECT … FOR UPDATE OF card`` that waited for the lock
    re-reads only the card row: anything it joined (the ledger account) is as it was before
    the wait, so the purchase that held the lock would not have been subtracted. A new
    statement sees everything committed. Every debit of a card's account runs under this
    lock (a purchase here; the deadline's revocation UPDATEs the card row first), so the
    balance can't fall before this purchase's debit; a refund may raise it, which the
    ledger's conditional UPDATE and `cards.follow_balance` read for themselves. The account
    object is refreshed too (`populate_existing`), so `card.account` is never an older copy
    loaded earlier in the request.
    """
    account = db.session.scalar(
        sa.select(LedgerAccount)
        .where(LedgerAccount.id == card.account_id)
        .execution_options(populate_existing=True)
    )
    return account.balance


def _purchase(
    participant: Participant,
    row: PurchaseCode,
    course: Course,
    session: CourseSession | None,
    payable: LedgerAccount | None,
    now: datetime,
    order_link: Callable[[int], str] | None = None,
) -> Order:
    purchase_key = row.purchase_key
    with db.session.begin_nested():
        # Purchases with one card queue here (a row lock on PostgreSQL, on the card row only;
        # SQLite's writer already holds the database). The card's scheme comes in the same
        # statement; its balance does not (see `_balance_under_lock`).
        card = db.session.scalar(
            sa.select(Card)
            .where(Card.participant_id == participant.id)
            .options(joinedload(Card.scheme, innerjoin=True))
            .with_for_update(of=Card)
            .execution_options(populate_existing=True)
        )
        orders = _orders_in_play(participant, purchase_key)
        for made in orders:
            if made.purchase_key == purchase_key:
                return db.session.get(Order, made.id)
        balance = _balance_under_lock(card) if card is not None else 0
        card = _check_rules(participant, card, course, session, now, orders=orders, balance=balance)
        order = Order(
            participant_id=participant.id,
            card_id=card.id,
            course_id=course.id,
            session_id=row.session_id,
            price=course.price,
            purchase_key=purchase_key,
            voucher_code=redemption.new_code(redemption.VOUCHER_PREFIX),
            redeem_code=(
                redemption.new_code(redemption.REDEEM_PREFIX) if session is not None else None
            ),
            status=OrderStatus.PAID,
            created_at=now,
        )
        db.session.add(order)
        db.session.flush()
        ledger.transfer(
            Reason.PURCHASE,
            f"order-key:{purchase_key}",
            card.account,
            payable or ledger.provider_payable(course.provider_id),
            course.price,
            idempotency_key=f"purchase:{purchase_key}",
            own_savepoint=False,  # this SAVEPOINT, after the order's unique key, is enough
            order_id=order.id,
        )
        if session is not None:
            _take_seat(session, now)
        enrolments.count_purchase(course.id)
        used = db.session.execute(
            sa.update(PurchaseCode)
            .where(
                PurchaseCode.id == row.id,
                PurchaseCode.used_at.is_(None),
                PurchaseCode.voided_at.is_(None),
            )
            .values(used_at=now)
            .execution_options(synchronize_session=False)
        ).rowcount
        if not used:
            raise DomainError(N_("This code can no longer be used: start the purchase again."))
        db.session.expire(row, ["used_at", "voided_at"])
        if card.status is CardStatus.ACTIVE:
            cards.mark_first_purchase(card, now, actor=participant.user)
        if balance == course.price:
            # Spent to the last rupiah (the card row is locked, so no purchase came between).
            cards.follow_balance(card, actor=participant.user)
        audit.record(
            "order.paid",
            f"order:{order.id}",
            actor=participant.user,
            participant_id=participant.id,
            card=ledger.card_code(card.id),
            course_id=course.id,
            session_id=order.session_id,
            price=order.price,
        )
        # In the SAVEPOINT: a refusal above mails nothing; delivered once the request commits.
        receipt.send_confirmation(order, balance - course.price, order_link)
    return order


def _take_seat(session: CourseSession, now: datetime) -> None:
    """One seat, by ONE conditional UPDATE checked by its row count."""
    taken = db.session.execute(
        sa.update(CourseSession)
        .where(
            CourseSession.id == session.id,
            CourseSession.seats_taken < CourseSession.capacity,
            CourseSession.status == SessionStatus.SCHEDULED,
            CourseSession.starts_at > now,
        )
        .values(seats_taken=CourseSession.seats_taken + 1)
        .execution_options(synchronize_session=False)
    ).rowcount
    if taken != 1:
        # Say why, from the row as it is now (it may have been read before the lock).
        db.session.refresh(session)
        _check_session(session.course, session, now)
        raise DomainError(N_("This session is full."), field="session")
    db.session.expire(session, ["seats_taken"])


def void_open_purchases(course_id: int, now: datetime) -> int:
    """Void every purchase of the course started but not confirmed: its price was changed
    (an approved new version, curation/decisions.py), and a code mailed with the old price
    must not buy at the new one. The participant starts again and sees the new price; how
    many were voided. Flushes."""
    voided = db.session.execute(
        sa.update(PurchaseCode)
        .where(
            PurchaseCode.course_id == course_id,
            PurchaseCode.used_at.is_(None),
            PurchaseCode.voided_at.is_(None),
        )
        .values(voided_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.flush()
    return voided
