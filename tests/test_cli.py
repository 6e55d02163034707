"""The flask commands that set up and maintain the catalogue."""

import sqlalchemy as sa

from marketplace.extensions import db


def test_seed_command_prints_the_demo_accounts_and_is_safe_twice(app, runner):
    first = runner.invoke(args=["seed", "--courses", "40", "--seed", "7"])
    assert first.exit_code == 0, first.output
    for text in (
        "peserta@example.com",
        "lembaga@example.com",
        "admin@example.com",
        "Prakerja2020!",
    ):
        assert text in first.output
    with app.app_context():
        courses = db.session.scalar(sa.text("SELECT count(*) FROM course"))
    second = runner.invoke(args=["seed", "--courses", "40"])
    assert second.exit_code == 0, second.output
    with app.app_context():
        assert db.session.scalar(sa.text("SELECT count(*) FROM course")) == courses


def test_is_empty_answers_by_exit_code(runner):
    assert runner.invoke(args=["is-empty"]).exit_code == 0
    runner.invoke(args=["seed", "--courses", "10"])
    assert runner.invoke(args=["is-empty"]).exit_code == 1


def test_search_rebuild_indexes_the_approved_courses(app, runner, factory):
    from marketplace.catalogue.models import CourseStatus

    factory.course("Fotografi Produk untuk Toko Daring")
    factory.course("Draf Rahasia", status=CourseStatus.DRAFT)
    with app.app_context():
        db.session.execute(sa.text("DELETE FROM course_search"))
        db.session.commit()
    result = runner.invoke(args=["search", "rebuild"])
    assert result.exit_code == 0 and "Indexed 1 approved courses." in result.output
    client = app.test_client()
    assert "Fotografi Produk" in client.get("/courses?q=fotografi").get_data(as_text=True)
