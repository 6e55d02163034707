"""From a completed and reviewed course to incentives paid, in a real browser on a 360 px phone,
in Indonesian, through the pages only: the participant links her GoPay on her registered phone
(the number checked, the bank asked whose account it is, the code mailed and typed back), the
disburser pays her first incentive through the sandbox payout gateway, whose webhook reaches
the served site, and her incentives page says paid with the payout service's reference; she
answers survey 1, the next payout pays it, and the page says so.

The sandbox (incentives/sandbox.py) serves on loopback with its record in pytest's tmp dir; the
site is the live server, to which the sandbox sends its webhooks. The disburser runs in the
test's process as `flask incentives disburse` would (`disbursement.run`). The database is only
read (the code from the outbox, the rows at the end) and used to set up the participant, her
course and its review, as the other browser tests do.

Screenshots of the payout form, the code step, the incentives page with the first incentive
paid, the survey and the page with the survey paid are taken at 360 px into pytest's tmp dir;
with SCREENSHOT_DIR set (`SCREENSHOT_DIR=docs/screenshots`) they are written there too.
"""

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa
import test_course_listing as listing
from playwright.sync_api import expect
from support.checkout_rows import buy
from support.incentive_rows import payments_of, settle
from support.learning_rows import complete
from support.payout_sandbox import SECRET, gateway_for, running_sandbox
from support.programme_rows import fund

from marketplace.core.models import OutboxMail
from marketplace.extensions import db
from marketplace.incentives import channels, disbursement
from marketplace.incentives.models import PaymentKind, PaymentState
from marketplace.learning import reviews
from marketplace.money import ledger
from marketplace.people.models import Participant

# The phone, the sign-in and the screenshots as the course listing's journey has them.
id_, shots = listing.id_, listing.shots  # fixtures
phone, sign_in, no_sideways_scroll = listing.phone, listing.sign_in, listing.no_sideways_scroll
NAME = "Dewi Kartika Sari"
REVIEW = "Materinya jelas dan langsung bisa dipraktikkan di tempat kerja."
CODE_IN_MAIL = re.compile(r"(?:adalah|is) (\d{6})\.")
# The disburser's pace for the test: a payment "paying" may be asked about at once.
FAST = disbursement.Settings(batch=10, reconcile_after=timedelta(0), retry_after=timedelta(0))


def _reviewed_participant(app, factory, shop) -> tuple[int, str, str]:
    """A card holder (Indonesian mail) whose course is completed and reviewed, with no payout
    account; (id, email, phone as she types it)."""
    person = factory.card_holder(shop.now, locale="id")
    with app.app_context():
        fund(3_000_000)
        participant = db.session.get(Participant, person.id)
        participant.full_name = NAME
        order = buy(shop, shop.self_paced, who=participant.id)
        complete(order.id, shop.now - timedelta(hours=1))
        reviews.write_review(order, participant, 5, REVIEW, shop.now - timedelta(minutes=30))
        db.session.commit()
        return participant.id, person.user.email, channels.national_phone(participant.phone)


def _pay(app, sandbox, person: int, kind: PaymentKind) -> None:
    """One disbursement run in this process, then wait for the webhook to mark it paid."""
    with app.app_context():
        disbursement.run(gateway_for(sandbox), FAST)

    def paid() -> bool:
        db.session.expire_all()
        return any(
            p.kind is kind and p.number == 1 and p.state is PaymentState.PAID
            for p in payments_of(person)
        )

    assert settle(app, sandbox, paid), "the payment was not paid through the webhook"


@pytest.mark.browser
def test_a_participant_links_her_gopay_is_paid_and_paid_again_for_a_survey(
    app, factory, shop, new_context, live_server, shots, id_, tmp_path
):
    person, email, phone_number = _reviewed_participant(app, factory, shop)
    with running_sandbox(tmp_path / "payout-sandbox.db", settle_after=0.05) as sandbox:
        sandbox.webhook_url = live_server + "/payouts/webhook"
        sandbox.register_account("gopay", phone_number, NAME)
        app.config.update(PAYOUT_GATEWAY_URL=sandbox.url, PAYOUT_GATEWAY_SECRET=SECRET)

        page = phone(new_context, live_server)
        main = page.locator("main")
        sign_in(page, email)

        # --- 1. Her incentives wait for a payout account; she links her GoPay. -------------
        page.goto("/account/incentives")
        expect(main).to_contain_text(id_("Link a payout account"))
        no_sideways_scroll(page)
        main.get_by_role("link", name=id_("Link a payout account")).first.click()
        page.wait_for_url(re.compile(r"/account/payout$"))
        page.get_by_label("GoPay", exact=True).check()
        page.get_by_label(id_("Phone number or account number")).fill(phone_number)
        no_sideways_scroll(page)
        shots(page, "payout")
        main.get_by_role("button", name=id_("Check the account and send me a code")).click()
        expect(page.locator("#code-title")).to_have_text(id_("Enter the code from your email"))
        expect(main).to_contain_text(NAME)  # the holder's name as the e-wallet said it
        no_sideways_scroll(page)
        shots(page, "payout-code")
        with app.app_context():
            body = db.session.scalar(
                sa.select(OutboxMail.body)
                .where(OutboxMail.recipient == email)
                .order_by(OutboxMail.id.desc())
                .limit(1)
            )
        main.get_by_label(id_("Code"), exact=True).fill(CODE_IN_MAIL.search(body).group(1))
        main.get_by_role("button", name=id_("Link the account")).click()
        page.wait_for_url(re.compile(r"/account/payout$"))
        masked = channels.mask(phone_number, phone=True)
        expect(page.locator("body")).to_contain_text(
            id_("Your payout account %(account)s is linked.", account=f"GoPay {masked}")
        )

        # --- 2. The disburser pays her first incentive; the page says paid. ----------------
        _pay(app, sandbox, person, PaymentKind.INCENTIVE)
        page.goto("/account/incentives")
        with app.app_context():
            first = next(p for p in payments_of(person) if p.kind is PaymentKind.INCENTIVE)
            reference = first.gateway_id
        row = page.locator(f"#payment-{first.id}")
        expect(row).to_contain_text(reference)
        expect(row).to_contain_text(id_("To %(account)s", account=f"GoPay {masked}"))
        said = id_("Paid on %(date)s, reference %(reference)s", date="@", reference=reference)
        expect(row).to_contain_text(re.compile(re.escape(said).replace("@", ".+")))
        expect(page.locator("#survey-1")).to_contain_text(
            id_("Open now: answer it to receive %(amount)s.", amount="Rp50.000")
        )
        no_sideways_scroll(page)
        shots(page, "incentives-paid")

        # --- 3. She answers survey 1; the next payout pays it. -----------------------------
        page.locator("#survey-1").get_by_role("link", name=id_("Answer the survey")).click()
        page.wait_for_url(re.compile(r"/account/surveys/1$"))
        page.get_by_label(id_("Looking for work")).check()
        page.get_by_label(id_("I have no income")).check()
        page.get_by_label(id_("5: very useful")).check()
        page.get_by_label(id_("Yes, I would recommend it")).check()
        no_sideways_scroll(page)
        shots(page, "survey")
        main.get_by_role("button", name=id_("Send my answers")).click()
        page.wait_for_url(re.compile(r"/account/incentives$"))
        _pay(app, sandbox, person, PaymentKind.SURVEY)
        page.reload()
        with app.app_context():
            survey = next(p for p in payments_of(person) if p.kind is PaymentKind.SURVEY)
            paid_reference = survey.gateway_id
        survey_row = page.locator(f"#payment-{survey.id}")
        expect(survey_row).to_contain_text(id_("Payment for survey %(number)s", number=1))
        expect(survey_row).to_contain_text("Rp50.000")
        expect(survey_row).to_contain_text(paid_reference)
        expect(page.locator("#survey-1")).not_to_contain_text(
            id_("Open now: answer it to receive %(amount)s.", amount="Rp50.000")
        )
        no_sideways_scroll(page)
        shots(page, "incentives")

        with app.app_context():
            payments = payments_of(person)
            states = [(p.kind, p.number, p.state) for p in payments]
            assert states == [
                (PaymentKind.INCENTIVE, 1, PaymentState.PAID),
                (PaymentKind.INCENTIVE, 2, PaymentState.SCHEDULED),
                (PaymentKind.INCENTIVE, 3, PaymentState.SCHEDULED),
                (PaymentKind.INCENTIVE, 4, PaymentState.SCHEDULED),
                (PaymentKind.SURVEY, 1, PaymentState.PAID),
            ]
            assert ledger.balance_of(ledger.INCENTIVES_PAID) == 600_000 + 50_000
            assert ledger.verify() == []
            record = sandbox.record()
            assert record["succeeded_count"] == 2 and record["net_total"] == 650_000
