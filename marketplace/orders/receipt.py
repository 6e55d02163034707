"""What a bought course tells its buyer: what to do next, until when, and the mail that
says so.

The order page (web/checkout) and the purchase confirmation mail draw the same steps from
`next_steps`, so the two never disagree:

- a self-paced course: open its digital platform, sign in there with the same email
  address, enter the voucher code, start;
- a webinar or offline course: the session's time and place, what to bring, and how the
  training provider takes the redeem code (`redemption.redeem_window`).

`usable_until` (orders/redemption.py) says until when the code works. The confirmation mail
is written in the participant's language when the purchase is made (`send_confirmation`,
called by `checkout.confirm` inside the purchase), so it is delivered only once the purchase
has committed, and never for a refused one.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import gettext as translate

from marketplace.catalogue.models import Method
from marketplace.core import N_, mail
from marketplace.core.indonesia import rupiah
from marketplace.orders import redemption
from marketplace.orders.models import Order


@dataclass(frozen=True)
class Clock:
    """A time shown by its hour alone (its day is named next to it)."""

    moment: datetime


class Indonesian(str):
    """A value of a step that is Indonesian data (a course title, a provider's name, a
    place): pages mark it lang="id" in the English UI; mail shows it as it is."""


@dataclass(frozen=True)
class Step:
    """One thing to do: an N_() message and its values (text, a UTC datetime shown with its
    day in WIB, or a Clock), and maybe an address to open (the platform's)."""

    message: str
    values: dict = field(default_factory=dict)
    link: str | None = None


def platform_link(order: Order) -> str | None:
    """The address of the course's digital platform, when it has a web address."""
    url = (order.course.platform.url or "").strip()
    return url if url.startswith(("https://", "http://")) else None


def next_steps(order: Order, email: str) -> list[Step]:
    """What the buyer of `order` (signed in with `email`) does next, in order."""
    course = order.course
    platform = course.platform.name
    provider = Indonesian(course.provider.name)
    session = order.session
    if session is None:
        code = redemption.grouped(order.voucher_code)
        return [
            Step(
                N_("Open %(platform)s, the digital platform where this course is given."),
                {"platform": platform},
                platform_link(order),
            ),
            Step(
                N_(
                    "Sign in to %(platform)s, or register there, with the same email address "
                    "you use here: %(email)s."
                ),
                {"platform": platform, "email": email},
            ),
            Step(
                N_(
                    "Find %(course)s by %(provider)s and enter your voucher code %(code)s "
                    "where %(platform)s asks for a Prakerja voucher. Capital or small letters "
                    "and the dashes make no difference."
                ),
                {
                    "course": Indonesian(course.title),
                    "provider": provider,
                    "code": code,
                    "platform": platform,
                },
            ),
            Step(
                N_(
                    "Start the course. Follow it in My courses on this site, where its voucher "
                    "code starts it too: the pre-test, the modules with their quizzes, then "
                    "the post-test."
                )
            ),
        ]
    window = redemption.redeem_window(session)
    code = redemption.grouped(order.redeem_code)
    steps = [
        Step(
            N_("Come to the session on %(starts)s; it ends at %(ends)s."),
            {"starts": session.starts_at, "ends": Clock(session.ends_at)},
        )
    ]
    if course.method is Method.OFFLINE:
        steps += [
            Step(N_("The place: %(place)s."), {"place": Indonesian(session.location)}),
            Step(N_("Bring your identity card (KTP) and your redeem code, on screen or printed.")),
        ]
    else:
        steps += [
            Step(
                N_(
                    "It is held online: %(place)s. %(provider)s sends you the link to join "
                    "before the session."
                ),
                {"place": session.place, "provider": provider},
            ),
            Step(
                N_(
                    "Have ready a phone or computer with a camera, a microphone and a steady "
                    "connection, and your redeem code."
                )
            ),
        ]
    steps.append(
        Step(
            N_(
                "At the session, tell the trainer your redeem code %(code)s: they enter it to "
                "record that you took part. It works only from %(opens)s to %(closes)s."
            ),
            {"code": code, "opens": window.opens_at, "closes": window.closes_at},
        )
    )
    return steps


def until_when(order: Order) -> tuple[str, dict]:
    """Until when the order's code works, as an N_() message and its values."""
    until = redemption.usable_until(order)
    if until is None:
        return (
            N_("Your voucher code has no end date: it works until you use it to start the course."),
            {},
        )
    return N_("Your redeem code works until %(date)s."), {"date": until}


# --- the confirmation mail -----------------------------------------------------------------


def _mail_value(value):
    if isinstance(value, Clock):
        return mail.wib(value.moment, with_date=False)
    if isinstance(value, datetime):
        return mail.wib(value)
    return value


def _say(message: str, values: dict) -> str:
    return translate(message, **{name: _mail_value(value) for name, value in values.items()})


def send_confirmation(
    order: Order, balance: int, order_link: Callable[[int], str] | None = None
) -> None:
    """Mail the buyer of `order` what they bought and what to do next, in their language:
    the order number, the course, its provider and platform, the price, the card's balance
    after the purchase (`balance`), the code in groups, the steps, until when, and a link to
    the order page (`order_link(order.id)`, built on PUBLIC_URL by the caller) when given.
    """
    user = order.participant.user
    course = order.course
    session = order.session
    with mail.in_language_of(user):
        facts = {
            "name": order.participant.full_name,
            "number": order.id,
            "course": course.title,
            "provider": course.provider.name,
            "platform": course.platform.name,
            "price": rupiah(order.price),
            "balance": rupiah(balance),
        }
        paragraphs = [
            _say(N_("Hello %(name)s,"), facts),
            _say(N_("Your purchase is complete. These are its details:"), {}),
            _say(
                N_(
                    "Order number: %(number)s\n"
                    "Course: %(course)s\n"
                    "Training provider: %(provider)s\n"
                    "Digital platform: %(platform)s\n"
                    "Price: %(price)s\n"
                    "Your card's balance now: %(balance)s"
                ),
                facts,
            ),
        ]
        if session is None:
            paragraphs.append(
                _say(
                    N_("Your voucher code: %(code)s"),
                    {"code": redemption.grouped(order.voucher_code)},
                )
            )
        else:
            paragraphs.append(
                _say(
                    N_("Your redeem code: %(code)s"),
                    {"code": redemption.grouped(order.redeem_code)},
                )
            )
        lines = [_say(N_("What to do next:"), {})]
        for number, step in enumerate(next_steps(order, user.email), start=1):
            lines.append(f"{number}. {_say(step.message, step.values)}")
            if step.link:
                lines.append(f"   {step.link}")
        paragraphs.append("\n".join(lines))
        paragraphs.append(_say(*until_when(order)))
        if order_link is not None:
            paragraphs.append(_say(N_("Your order, with its codes, is always here:"), {}))
            paragraphs.append(mail.Verbatim(order_link(order.id)))
        paragraphs.append(_say(N_("The Prakerja team"), {}))
        mail.send(
            user.email,
            _say(N_("Order %(number)s: you have bought %(course)s"), facts),
            "\n\n".join(paragraphs),
        )
