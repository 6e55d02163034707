"""The start page (/): who can apply, what they get (the scheme's amounts), the batch open
now or next, the Register button and the steps, each linking to where it happens; and the
header's Register link for visitors."""

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from marketplace.core.base import utcnow
from marketplace.extensions import db
from marketplace.people import participants
from marketplace.people.models import Role
from marketplace.programme import batches
from marketplace.programme.models import Scheme


def _text(html: str) -> str:
    """The page's visible words, one space between them."""
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def _page(client, language: str = "en", path: str = "/") -> str:
    client.set_cookie("lang", language)
    response = client.get(path)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _main(html: str) -> str:
    return html[html.index('<main id="main"') : html.index("</main>")]


def _batch(app, number, opens_in: timedelta, closes_in: timedelta, scheme="2020", quota=1500):
    """A batch opening and closing relative to now (committed); returns its id."""
    with app.app_context():
        batches.ensure_schemes()
        now = utcnow().replace(microsecond=0)
        batch = batches.create_batch(
            number, now + opens_in, now + closes_in, quota, scheme, None, None
        )
        db.session.commit()
        return batch.id


def _closes_at(app, batch_id):
    from marketplace.programme.models import Batch

    with app.app_context():
        return db.session.get(Batch, batch_id).closes_at


def test_an_open_batch_shows_its_closing_date_and_places(app, client):
    batch_id = _batch(app, 7, -timedelta(days=2), timedelta(days=12, hours=3), quota=1500)
    closes = _closes_at(app, batch_id)
    html = _page(client)
    text = _text(html)
    assert "Batch 7 is open" in text
    # the closing time in WIB (UTC+7), as the page's language writes it
    local = closes + timedelta(hours=7)
    assert f"{local:%H}:{local:%M} WIB" in text
    assert f"{local.day}, {local.year}" in text  # "December 17, 2026"
    assert "1,500 places in this batch." in text
    indonesian = _text(_page(client, "id"))
    assert "Gelombang 7 sedang dibuka" in indonesian
    assert f"{local:%H}.{local:%M} WIB" in indonesian
    assert "Kuota gelombang ini 1.500 peserta." in indonesian


def test_the_next_batch_is_announced_when_none_is_open(app, client):
    _batch(app, 8, timedelta(days=5), timedelta(days=20))
    text = _text(_page(client))
    assert "Batch 8 opens on" in text
    assert "Batch 8 is open" not in text


def test_no_batch_ahead_says_the_next_will_be_announced(app, client):
    _batch(app, 3, -timedelta(days=30), -timedelta(days=20), scheme="2023")
    text = _text(_page(client))
    assert "No batch is open right now" in text
    assert "The next batch will be announced on this page" in text
    # the amounts are still the programme's: those of the latest batch's scheme
    assert "As in the latest batch (scheme Prakerja 2023 (skema normal))" in text
    assert "Rp3.500.000" in text


def test_before_any_batch_the_page_still_answers(app, client):
    text = _text(_page(client))
    assert "No batch is open right now" in text
    assert "will be published here with the first batch" in text
    assert "Register now" in text


@pytest.mark.parametrize("code", ["2020", "2023"])
def test_the_amounts_come_from_the_scheme(app, client, code):
    _batch(app, 5, -timedelta(days=1), timedelta(days=6), scheme=code)
    with app.app_context():
        scheme = db.session.scalar(sa.select(Scheme).where(Scheme.code == code))
        # Change the scheme's row: the page must follow the data, not a text written once.
        scheme.training_balance += 123
        scheme.incentive_amount += 7
        db.session.commit()
        balance, amount, payments = (
            scheme.training_balance,
            scheme.incentive_amount,
            scheme.incentive_payments,
        )
        survey, surveys = scheme.survey_incentive, scheme.survey_count
        days = scheme.purchase_deadline_days

    def rp(value):
        return "Rp" + f"{value:,}".replace(",", ".")

    text = _text(_page(client))
    assert rp(balance) in text
    assert rp(amount * payments) in text
    assert rp(survey * surveys) in text
    assert f"Cash incentives in all: {rp(amount * payments + survey * surveys)}." in text
    assert f"Buy your first course within {days} days of getting your card" in text
    if payments > 1:
        assert f"{rp(amount)} a month for {payments} months" in text
    else:
        assert "Paid once, to your bank account or e-wallet" in text


def test_who_can_apply_states_the_rules_of_the_code(app, client):
    text = _text(_page(client))
    assert "Who can apply" in text
    assert f"are {participants.MIN_AGE} to {participants.MAX_AGE} years old" in text
    assert "Indonesian citizen with a NIK" in text
    assert "not at school or university (in formal education)" in text
    assert "One card per NIK, ever." in text
    assert f"At most {batches.KK_LIMIT} people with the same family card (KK)" in text
    assert f"After {batches.MAX_REJECTIONS} batches without being selected" in text
    # the selection order is the code's: laid off first, workers last
    order = text[text.index("selects people in this order") :]
    assert order.index("Laid off (PHK)") < order.index("Looking for work")
    assert order.index("Running a micro or small business") < order.index("Working, and need")


def test_register_button_and_steps_link_where_each_step_happens(app, client):
    html = _main(_page(client))
    start = r'<a class="button button--start" href="/register"[^>]*>Register now</a>'
    assert re.search(start, html)
    links = re.findall(r'<a href="([^"]+)">', html[html.index('id="cara-kerja"') :])
    for path in ("/register", "/account/profile", "/account/test", "/account/batches", "/courses"):
        assert path in links, path
    indonesian = _main(_page(client, "id"))
    assert ">Daftar sekarang</a>" in indonesian


def test_a_signed_in_participant_gets_their_account_instead_of_register(app, participant_client):
    html = _main(_page(participant_client))
    assert "Register now" not in html
    assert 'href="/account"' in html


def test_the_search_categories_and_questions_stay(app, client, factory):
    factory.category("Teknologi Informasi", "Information Technology")
    html = _page(client)
    assert 'action="/courses"' in html and 'id="hero-q"' in html
    assert "Information Technology" in html
    assert 'id="faq"' in html and "Can I cash out the training balance?" in html


def test_the_start_page_reads_the_batches_once(app, client):
    _batch(app, 9, -timedelta(days=1), timedelta(days=3))
    _page(client)  # the catalogue's reference data, kept for a minute, is read now
    statements = []

    def count(*_args, **_kwargs):
        statements.append(1)

    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        text = _text(_page(client))
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)
    assert "Batch 9 is open" in text
    assert len(statements) <= 2


def test_the_header_offers_register_to_visitors_only(app, client, login):
    visitor = _page(client)
    nav = visitor[visitor.index('<nav class="site-nav"') : visitor.index("</nav>")]
    assert '<a class="site-nav__register" href="/register">Register</a>' in nav
    assert ">Sign in</a>" in nav
    nav_id = _page(client, "id")
    assert ">Daftar</a>" in nav_id[nav_id.index('<nav class="site-nav"') :]
    for role in (Role.PARTICIPANT, Role.ADMIN):
        html = _page(login(role))
        nav = html[html.index('<nav class="site-nav"') : html.index("</nav>")]
        assert "/register" not in nav and ">Register<" not in nav
        assert "Sign out" in nav


def test_the_official_marker_is_on_every_page(app, client):
    for path in ("/", "/courses", "/privacy", "/register"):
        html = _page(client, "id", path)
        header = html[html.index('<header class="site-header">') :]
        assert "Situs resmi program Kartu Prakerja" in header[: header.index("</header>")]
    # how to recognise it names this site's own address (PUBLIC_URL)
    assert "address is localhost." in _page(client, "en")
