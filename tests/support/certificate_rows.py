"""Rows for certificate tests: certificates issued the real way, by completing a course
through its steps (learning_rows.learn_everything, which completion's `issue` follows), and
the people who may or may not revoke them.

    from support.certificate_rows import issued, office, staff, ...
"""

from types import SimpleNamespace

import sqlalchemy as sa

from marketplace.catalogue.models import Question
from marketplace.certificates import issuing
from marketplace.certificates.models import Certificate
from marketplace.extensions import db
from marketplace.orders.models import Order, OrderStatus
from marketplace.people.models import Participant, Role, User
from support.checkout_rows import buy, card_holders
from support.learning_rows import learn_everything, write_bank
from support.programme_rows import make_user


def certificate(certificate_id: int) -> Certificate:
    return db.session.get(Certificate, certificate_id)


def _bank(course_id: int) -> None:
    """The course's question bank and lessons, written once."""
    if db.session.scalar(sa.select(Question.id).where(Question.course_id == course_id).limit(1)):
        return
    write_bank(course_id)


def issued(
    app, shop, course_id: int | None = None, *, name: str | None = None, locale: str = "en"
) -> SimpleNamespace:
    """A new card holder (named `name`, mailed in `locale`) buys the course (the shop's
    self-paced one by default) and completes it through its steps, which issues the
    certificate; committed. A namespace: id (the certificate's), order, participant, email,
    code."""
    (person,) = card_holders(app, 1, shop.now)
    with app.app_context():
        participant = db.session.get(Participant, person)
        participant.user.locale = locale
        if name is not None:
            participant.full_name = name
        course_id = course_id or shop.self_paced
        _bank(course_id)
        order = buy(shop, course_id, who=person)
        learn_everything(order, shop.now)
        assert order.status is OrderStatus.COMPLETED
        found = issuing.of_order(order)
        db.session.commit()
        return SimpleNamespace(
            id=found.id,
            order=order.id,
            participant=person,
            email=participant.user.email,
            code=found.code,
        )


def office(app) -> int:
    """A new user of the programme office; their id, committed."""
    with app.app_context():
        user = make_user(role=Role.ADMIN)
        db.session.commit()
        return user.id


def staff(app, provider_id: int | None) -> int:
    """A new user of the provider's staff (no provider when None); their id, committed."""
    with app.app_context():
        user = make_user(role=Role.PROVIDER)
        user.provider_id = provider_id
        db.session.commit()
        return user.id


def user(user_id: int) -> User:
    return db.session.get(User, user_id)


def order(order_id: int) -> Order:
    return db.session.get(Order, order_id)


def certificates_of(order_id: int) -> list[Certificate]:
    return list(db.session.scalars(sa.select(Certificate).where(Certificate.order_id == order_id)))
