"""The seeded demo's reviews (demo/journeys.py, `_seed_reviews`): the demo participant has
completed one course and reviewed it, the demo provider replied to a review, the office hid
one with its reason, and every reviewed course's rating is what its shown rows say."""

import sqlalchemy as sa
from support.demo_world import signed_in

from marketplace.catalogue.models import Course
from marketplace.extensions import db
from marketplace.learning import reviews
from marketplace.learning.models import Review
from marketplace.people.models import Participant, User


def test_the_demo_has_reviews_that_agree_with_the_ratings(demo):
    with demo.app_context():
        siti = db.session.scalar(
            sa.select(Participant).join(User).where(User.email == "peserta@example.com")
        )
        done = reviews.completed_and_reviewed(siti)
        assert len(done) == 1
        rows = db.session.scalars(sa.select(Review)).all()
        assert len(rows) == 3
        assert sum(row.reply is not None for row in rows) == 1
        hidden = [row for row in rows if row.hidden_at is not None]
        assert len(hidden) == 1 and hidden[0].hidden_reason
        assert reviews.rating_disagreements() == []
        course = db.session.get(Course, done[0].course_id)
        assert (course.rating_avg, course.rating_count) == (5.0, 1)  # the hidden one left it
        slug = course.slug
    page = demo.test_client().get(f"/courses/{slug}").get_data(as_text=True)
    assert "Siti" in page and "Rahayu" not in page
    desk = signed_in(demo, "lembaga@example.com")
    assert "Terima kasih atas penilaiannya" in desk.get("/provider/reviews").get_data(as_text=True)
    office = signed_in(demo, "admin@example.com")
    assert "Hidden" in office.get("/admin/reviews?state=hidden").get_data(as_text=True) or (
        "Disembunyikan" in office.get("/admin/reviews?state=hidden").get_data(as_text=True)
    )
