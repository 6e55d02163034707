"""The seeded demo's certificates (issue 13): the demo participant holds one certificate for
the course she completed, issued through completion with its facts, valid; the office's list
shows it, only its course's provider lists it, and the demo provider has certificates of its
own courses to show."""

import sqlalchemy as sa
from support.demo_world import DEMO_ACCOUNTS, signed_in

from marketplace.certificates import issuing
from marketplace.certificates.models import Certificate
from marketplace.core.models import AuditEvent
from marketplace.extensions import db
from marketplace.orders.models import Order, OrderStatus
from marketplace.people.models import Participant, User


def _demo_participant() -> Participant:
    return db.session.scalar(
        sa.select(Participant).join(User).where(User.email == DEMO_ACCOUNTS["participant"])
    )


def test_the_demo_participant_holds_a_certificate_for_her_completed_course(demo):
    with demo.app_context():
        participant = _demo_participant()
        completed = db.session.scalars(
            sa.select(Order).where(
                Order.participant_id == participant.id, Order.status == OrderStatus.COMPLETED
            )
        ).all()
        assert completed, "the demo participant has completed no course"
        for order in completed:
            certificate = issuing.of_order(order)
            assert certificate is not None, order.id
            assert not certificate.revoked
            assert certificate.participant_id == participant.id
            assert certificate.holder_name == participant.full_name
            assert certificate.course_title == order.course.title
            assert certificate.provider_name == order.course.provider.name
            assert certificate.hours == order.course.hours
            assert certificate.score == order.score
            assert certificate.completed_at == order.completed_at
            assert issuing.by_code(issuing.shown(certificate.code)).id == certificate.id
            assert (
                db.session.scalar(
                    sa.select(sa.func.count(AuditEvent.id)).where(
                        AuditEvent.action == "certificate.issued",
                        AuditEvent.subject == f"certificate:{certificate.id}",
                    )
                )
                == 1
            )
        # only completed orders hold certificates
        held = db.session.scalars(
            sa.select(Certificate.order_id).where(Certificate.participant_id == participant.id)
        ).all()
        assert sorted(held) == sorted(order.id for order in completed)


def test_the_office_and_the_course_s_provider_list_her_certificate(demo):
    with demo.app_context():
        participant = _demo_participant()
        certificate = db.session.scalar(
            sa.select(Certificate).where(Certificate.participant_id == participant.id).limit(1)
        )
        grouped = issuing.shown(certificate.code)
        course_provider = certificate.course.provider_id
        demo_provider = db.session.scalar(
            sa.select(User.provider_id).where(User.email == DEMO_ACCOUNTS["provider"])
        )
    office = signed_in(demo, DEMO_ACCOUNTS["admin"])
    page = office.get("/admin/certificates", query_string={"q": grouped})
    assert page.status_code == 200 and f'href="/certificates/{grouped}"' in page.get_data(
        as_text=True
    )
    provider = signed_in(demo, DEMO_ACCOUNTS["provider"])
    listing = provider.get("/provider/certificates").get_data(as_text=True)
    assert (f'href="/certificates/{grouped}"' in listing) == (course_provider == demo_provider)
    # the demo provider has certificates of its own to show: its participants completed courses
    assert 'href="/certificates/' in listing
    assert 'href="/provider/certificates/' in listing
