"""/account/incentives and /account/surveys/<n>: every payment's state in plain words, where
it goes, why it is held, what is missing before the incentives are scheduled; the survey's
form, its refusals (400, 409, nothing stored) and its payment. In both languages."""

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa
from support.checkout_rows import buy, card_of
from support.factories import PASSWORD
from support.incentive_rows import follow_in_books, link_account
from support.learning_rows import complete
from support.programme_rows import fund

from marketplace.core.base import utcnow
from marketplace.extensions import db
from marketplace.incentives import schedule
from marketplace.incentives.models import (
    IncentivePayment,
    PaymentKind,
    PaymentState,
    PayoutAccount,
    PayoutKind,
    SurveyResponse,
)
from marketplace.learning import reviews
from marketplace.money import ledger
from marketplace.money.models import CardStatus, Reason
from marketplace.orders.models import Order
from marketplace.people.models import Participant

REVIEW = "Materinya jelas dan langsung bisa dipraktikkan di tempat kerja."
ANSWERS = {
    "employment": "employed",
    "income_change": "same",
    "usefulness": "5",
    "would_recommend": "no",
}


def _main(html: str) -> str:
    """The page's main content (the header and footer have links of their own)."""
    return " ".join(html.split('<main id="main"', 1)[1].split("</main>", 1)[0].split())


def _client(app, email, lang="en"):
    client = app.test_client()
    client.set_cookie("lang", lang)
    response = client.post("/login", data={"email": email, "password": PASSWORD})
    assert response.status_code == 302
    return client


def _participant(participant_id) -> Participant:
    return db.session.get(Participant, participant_id)


def _holder(app, factory, shop, completed_at=None, reviewed=True, scheme="2020"):
    """A card holder who bought the shop's self-paced course, completed it at `completed_at`
    (unless None) and rated it (unless told otherwise): (participant id, email, order id)."""
    holder = factory.card_holder(shop.now, scheme=scheme)
    with app.app_context():
        order = buy(shop, shop.self_paced, who=holder.id)
        if completed_at is not None:
            complete(order.id, completed_at)
            if reviewed:
                reviews.write_review(order, _participant(holder.id), 5, REVIEW, completed_at)
        db.session.commit()
        return holder.id, holder.user.email, order.id


def _payments(participant_id) -> dict[tuple[PaymentKind, int], IncentivePayment]:
    rows = db.session.scalars(
        sa.select(IncentivePayment).where(IncentivePayment.participant_id == participant_id)
    )
    return {(row.kind, row.number): row for row in rows}


def _pay(payment: IncentivePayment, at, reference: str) -> None:
    """What the disburser does for a paid payment: the state, and the money in the books."""
    ledger.transfer(
        Reason.INCENTIVE,
        f"incentive_payment:{payment.id}",
        ledger.programme_fund(),
        ledger.incentives_paid(),
        payment.amount,
        idempotency_key=f"test-pay-{payment.id}",
        incentive_payment_id=payment.id,
    )
    payment.state, payment.paid_at, payment.sent_at = PaymentState.PAID, at, at
    payment.gateway_id = reference


def _scheduled(app, factory, shop, lang="en"):
    """A 2020 card holder whose first course was completed and rated four months ago, with a
    bank account linked then: their four incentives are scheduled. (id, client, account id)."""
    now = utcnow().replace(microsecond=0)
    completed_at = now - timedelta(days=125)
    person, email, _order = _holder(app, factory, shop, completed_at)
    with app.app_context():
        fund(5_000_000)
        account = link_account(person, completed_at, channel="bca", number="1234567890")
        schedule.schedule_for(_participant(person), completed_at)
        for payment in _payments(person).values():
            payment.payout_account_id = account.id
        db.session.commit()
        return person, _client(app, email, lang), account.id


# --- what is missing ---------------------------------------------------------------------------


def test_before_anything_is_scheduled_the_page_says_what_is_missing_in_order(app, factory, shop):
    person, email, order_id = _holder(app, factory, shop)
    client = _client(app, email)
    html = _main(client.get("/account/incentives").get_data(as_text=True))
    assert "Nothing is scheduled for you yet." in html
    missing = html[html.index("Before your incentives are scheduled") :]
    steps = [
        missing.index("Complete a course"),
        missing.index("Rate the course you completed"),
        missing.index("Link a payout account"),
    ]
    assert steps == sorted(steps)
    assert 'href="/account/courses"' in html
    assert html.count("To do") == 2 and "Not yet" in html
    assert "You have not linked a payout account yet" in html
    assert 'href="/account/payout"' in html
    # The surveys wait for the first course too.
    assert html.count("Opens once your first course is completed and you have rated it.") == 3
    assert 'href="/account/surveys/1"' not in html

    with app.app_context():
        complete(order_id, utcnow() - timedelta(hours=1))
        db.session.commit()
    html = _main(client.get("/account/incentives").get_data(as_text=True))
    # Completed, not rated: the step links to the order's review form.
    assert f'href="/account/orders/{order_id}/review"' in html
    assert html.count("Done") == 1

    with app.app_context():
        reviews.write_review(
            db.session.get(Order, order_id), _participant(person), 4, REVIEW, utcnow()
        )
        db.session.commit()
    html = _main(client.get("/account/incentives").get_data(as_text=True))
    assert html.count("Done") == 2
    assert "Open now: answer it to receive Rp50.000." in html
    assert 'href="/account/surveys/1"' in html


def test_a_participant_without_a_card_is_told_so(app, participant_client):
    participant_client.set_cookie("lang", "en")
    html = _main(participant_client.get("/account/incentives").get_data(as_text=True))
    assert "You don't have a Kartu Prakerja yet." in html
    assert participant_client.get("/account/surveys/1").status_code == 404


# --- every state in plain words ---------------------------------------------------------------


def test_every_state_of_a_payment_is_said_in_plain_words(app, factory, shop):
    person, client, account_id = _scheduled(app, factory, shop)
    now = utcnow().replace(microsecond=0)
    with app.app_context():
        found = _payments(person)
        first, second, third, fourth = (found[(PaymentKind.INCENTIVE, n)] for n in (1, 2, 3, 4))
        _pay(first, now - timedelta(days=100), "disb_first_ref")
        second.state, second.sent_at = PaymentState.PAYING, now - timedelta(hours=3)
        follow_in_books(second.id, PaymentState.PAYING)
        third.state, third.failure_code = PaymentState.FAILED, "NAME_MISMATCH"
        third.last_message = "The account holder's name at the bank differs"
        fourth.state = PaymentState.SCHEDULED
        fourth.due_at = now + timedelta(days=20)
        db.session.commit()
        fourth_due = fourth.due_at
    html = _main(client.get("/account/incentives").get_data(as_text=True))
    assert "Training incentive 1 of 4" in html and "Rp600.000" in html
    wib = fourth_due + timedelta(hours=7)
    assert f"Scheduled, due on {wib:%B} {wib.day}, {wib.year}" in html
    assert "Being paid since" in html
    assert "Paid on" in html and "reference disb_first_ref" in html
    assert "To BCA ••••••7890" in html
    assert "Failed: The name on the receiving account is not the name on your KTP." in html
    assert "What to do: check that the account is open and in the name on your KTP" in html
    assert 'href="/contact"' in html
    assert "Where your payments go" in html and "BCA ••••••7890" in html
    assert "1234567890" not in html  # masked
    # Nothing missing any more: the checklist is gone.
    assert "Before your incentives are scheduled" not in html

    with app.app_context():
        found = _payments(person)
        found[(PaymentKind.INCENTIVE, 2)].state = PaymentState.DUE
        follow_in_books(found[(PaymentKind.INCENTIVE, 2)].id, PaymentState.DUE, PaymentState.PAYING)
        failed = found[(PaymentKind.INCENTIVE, 3)]
        failed.failure_code, failed.last_message = "BANK_UNAVAILABLE", None
        failed.next_attempt_at = now + timedelta(minutes=30)
        reversed_one = found[(PaymentKind.INCENTIVE, 4)]
        reversed_one.due_at = now - timedelta(days=10)
        _pay(reversed_one, now - timedelta(days=9), "disb_reversed")
        ledger.transfer(
            Reason.INCENTIVE,
            f"incentive_payment:{reversed_one.id}",
            ledger.incentives_paid(),
            ledger.programme_fund(),
            reversed_one.amount,
            idempotency_key=f"test-return-{reversed_one.id}",
            incentive_payment_id=reversed_one.id,
        )
        reversed_one.state, reversed_one.reversed_at = PaymentState.REVERSED, now
        db.session.commit()
    html = _main(client.get("/account/incentives").get_data(as_text=True))
    assert "Due: it will be paid in the next payout" in html
    assert "Held for now" not in html  # nothing holds it
    assert "Failed: The receiving bank did not answer in time, so nothing was sent." in html
    assert "Nothing to do for now: it is tried again at" in html
    assert "Returned on" in html
    assert "the bank or e-wallet sent the money back to the programme" in html
    assert "What to do: check that your payout account is open and in your name" in html


def test_a_cancelled_payment_shows_the_offices_reason(app, factory, shop):
    person, client, _account = _scheduled(app, factory, shop)
    with app.app_context():
        payment = _payments(person)[(PaymentKind.INCENTIVE, 2)]
        payment.state, payment.cancelled_at = PaymentState.CANCELLED, utcnow()
        payment.cancel_reason = "Pembayaran ganda <b>terdeteksi</b>"
        failed = _payments(person)[(PaymentKind.INCENTIVE, 3)]
        failed.state, failed.failure_code = PaymentState.FAILED, "SOMETHING_NEW"
        failed.last_message = "Rekening sedang dalam pemeliharaan"
        db.session.commit()
    html = _main(client.get("/account/incentives").get_data(as_text=True))
    assert "Cancelled by the programme office on" in html
    assert "The office's reason: Pembayaran ganda &lt;b&gt;terdeteksi&lt;/b&gt;" in html
    assert "If you think this is a mistake," in html
    # An unknown failure code: the gateway's own words, and the office looks into it.
    assert "Failed: Rekening sedang dalam pemeliharaan" in html
    assert "What to do: the programme office looks into it" in html


# --- held payments ------------------------------------------------------------------------------


def test_held_payments_say_why_and_until_when(app, factory, shop):
    person, client, account_id = _scheduled(app, factory, shop)
    now = utcnow().replace(microsecond=0)
    usable_from = now + timedelta(hours=20)
    with app.app_context():
        account = db.session.get(PayoutAccount, account_id)
        account.replaced_at = now - timedelta(hours=4)
        db.session.flush()
        db.session.add(
            PayoutAccount(
                participant_id=person,
                kind=PayoutKind.EWALLET,
                channel="ovo",
                number="081234567890",
                holder_name=_participant(person).full_name,
                linked_at=now - timedelta(hours=4),
                usable_from=usable_from,
            )
        )
        db.session.commit()
    html = _main(client.get("/account/incentives").get_data(as_text=True))
    wib = usable_from + timedelta(hours=7)
    assert "Your payout account was changed less than 24 hours ago" in html
    assert f"payments to it start at {wib:%B} {wib.day}, {wib.year}, {wib:%H}:{wib:%M} WIB" in html
    assert "OVO 0812•••••890" in html
    assert "Held for now: see the reason above." in html  # the due first incentive

    with app.app_context():
        participant = _participant(person)
        participant.blocked_at, participant.blocked_reason = now, "Identitas ganda"
        card_of(person).status = CardStatus.FROZEN
        db.session.commit()
    html = _main(client.get("/account/incentives").get_data(as_text=True))
    assert "The programme office has blocked your account" in html
    assert "The office's reason: Identitas ganda" in html
    assert "The programme office is holding your card" in html
    assert html.count('href="/contact"') >= 2
    assert "Closed while your account is blocked." in html


# --- the survey ---------------------------------------------------------------------------------


def test_the_survey_form_pays_once_and_refuses_bad_answers_with_a_400(app, factory, shop):
    person, email, _order = _holder(app, factory, shop, utcnow() - timedelta(days=2))
    client = _client(app, email)
    page = client.get("/account/surveys/1")
    assert page.status_code == 200
    html = _main(page.get_data(as_text=True))
    assert "Survey after your first training" in html
    assert "The programme pays you Rp50.000 for your answers, once, when you send them." in html
    assert "You have not linked a payout account yet: the payment waits until you do." in html
    assert 'href="/account/payout"' in html
    for name in ("employment", "income_change", "usefulness", "would_recommend"):
        assert f'name="{name}" type="radio"' in html
    assert 'id="employment"' in html  # the error summary's links land on the first radio

    refused = client.post(
        "/account/surveys/1", data={**ANSWERS, "employment": "astronaut", "usefulness": ""}
    )
    assert refused.status_code == 400
    html = _main(refused.get_data(as_text=True))
    assert "There is a problem" in html
    assert "Choose what you do now." in html and 'href="#employment"' in html
    assert "Choose how useful the training was, from 1 to 5." in html
    assert 'value="same" checked' in html  # what was chosen stays chosen
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(SurveyResponse.id))) == 0
        assert _payments(person) == {}

    sent = client.post("/account/surveys/1", data=ANSWERS)
    assert sent.status_code == 302 and sent.headers["Location"].endswith("/account/incentives")
    html = _main(client.get(sent.headers["Location"]).get_data(as_text=True))
    assert (
        "Thank you: your answers are saved. Rp50.000 will be paid once you link a payout"
        " account." in html
    )
    assert "Payment for survey 1" in html and "Rp50.000" in html
    assert "Due: it will be paid in the next payout" in html
    assert "Held for now: see the reason above." in html  # no payout account yet
    assert "Answered on" in html
    with app.app_context():
        payment = _payments(person)[(PaymentKind.SURVEY, 1)]
        assert (payment.amount, payment.state) == (50_000, PaymentState.DUE)

    again = client.post("/account/surveys/1", data=ANSWERS)
    assert again.status_code == 409
    assert "You have already answered this survey." in again.get_data(as_text=True)
    html = _main(client.get("/account/surveys/1").get_data(as_text=True))
    assert "You answered this survey on" in html and 'type="radio"' not in html
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(SurveyResponse.id))) == 1
        assert len(_payments(person)) == 1


def test_a_survey_not_open_says_why_and_refuses_answers_with_a_409(app, factory, shop):
    person, email, _order = _holder(app, factory, shop, utcnow() - timedelta(days=2))
    client = _client(app, email)
    html = _main(client.get("/account/surveys/2").get_data(as_text=True))
    assert "Survey at the end of the incentive period" in html
    assert "This survey opens on" in html and 'type="radio"' not in html
    refused = client.post("/account/surveys/2", data=ANSWERS)
    assert refused.status_code == 409
    assert "This survey opens on" in refused.get_data(as_text=True)
    assert client.get("/account/surveys/4").status_code == 404
    with app.app_context():
        participant = _participant(person)
        participant.blocked_at, participant.blocked_reason = utcnow(), "Identitas ganda"
        db.session.commit()
    html = _main(client.get("/account/surveys/1").get_data(as_text=True))
    assert "so you can't answer surveys for now" in html and 'href="/contact"' in html
    assert client.post("/account/surveys/1", data=ANSWERS).status_code == 409
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(SurveyResponse.id))) == 0


def test_the_survey_names_the_account_it_pays_to(app, factory, shop):
    person, email, _order = _holder(app, factory, shop, utcnow() - timedelta(days=2))
    with app.app_context():
        link_account(person, utcnow() - timedelta(days=1), channel="bni", number="9876543210")
        db.session.commit()
    client = _client(app, email)
    html = _main(client.get("/account/surveys/1").get_data(as_text=True))
    assert "It goes to your payout account BNI ••••••3210." in html


# --- Indonesian -------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["id", "en"])
def test_both_languages_say_every_state(app, factory, shop, lang):
    person, client, _account = _scheduled(app, factory, shop, lang)
    now = utcnow().replace(microsecond=0)
    with app.app_context():
        found = _payments(person)
        _pay(found[(PaymentKind.INCENTIVE, 1)], now - timedelta(days=100), "disb_ref_1")
        found[(PaymentKind.INCENTIVE, 2)].state = PaymentState.PAYING
        found[(PaymentKind.INCENTIVE, 2)].sent_at = now
        follow_in_books(found[(PaymentKind.INCENTIVE, 2)].id, PaymentState.PAYING)
        failed = found[(PaymentKind.INCENTIVE, 3)]
        failed.state, failed.failure_code = PaymentState.FAILED, "ACCOUNT_NOT_FOUND"
        scheduled = found[(PaymentKind.INCENTIVE, 4)]
        scheduled.state, scheduled.due_at = PaymentState.SCHEDULED, now + timedelta(days=3)
        db.session.commit()
    html = _main(client.get("/account/incentives").get_data(as_text=True))
    expected = {
        "id": [
            "Insentif Anda",
            "Dijadwalkan, jatuh tempo",
            "Sedang dibayar sejak",
            "referensi disb_ref_1",
            "Gagal: Bank atau dompet digital tidak memiliki rekening dengan nomor ini.",
            "Survei setelah pelatihan pertama Anda",
        ],
        "en": [
            "Your incentives",
            "Scheduled, due on",
            "Being paid since",
            "reference disb_ref_1",
            "Failed: The bank or e-wallet has no account with this number.",
            "Survey after your first training",
        ],
    }[lang]
    for words in expected:
        assert words in html, words
    if lang == "id":
        for word in ("sesi", "ulasan", "verifikasi"):
            assert not re.search(rf"(?i)\b{word}\b", html), word
        assert "Scheduled" not in html and "Your payments" not in html
        with app.app_context():
            found = _payments(person)
            found[(PaymentKind.INCENTIVE, 4)].state = PaymentState.DUE
            db.session.commit()
        html = _main(client.get("/account/incentives").get_data(as_text=True))
        assert "Jatuh tempo, akan dibayar pada pencairan berikutnya" in html
        survey = _main(client.get("/account/surveys/1").get_data(as_text=True))
        assert "Apa kegiatan Anda sekarang?" in survey and "Rp50.000" in survey
        refused = client.post("/account/surveys/1", data={})
        assert refused.status_code == 400
        assert "Pilih kegiatan Anda sekarang." in refused.get_data(as_text=True)
