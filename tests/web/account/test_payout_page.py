"""/account/payout through the test client, the bank asked for real: the project's sandbox
gateway serves on loopback (tests/support/payout_sandbox.py), and the app is pointed at it.

A fresh sign-in is asked for; the code step says where the code went, how long it works
and offers a new one; the name check shows both names; every refusal is a 4xx saying what
to do with nothing changed, except the wrong codes counted and the flag of an account
another participant holds, which stay although the request is refused."""

import re
import socket
import time
from datetime import timedelta

import pytest
import sqlalchemy as sa
from support.factories import PASSWORD
from support.payout_sandbox import SECRET, running_sandbox
from support.programme_rows import make_participant

from marketplace.core import mail
from marketplace.core.base import utcnow
from marketplace.extensions import db
from marketplace.incentives import payout_accounts
from marketplace.incentives.models import PayoutAccount, PayoutAccountFlag, PayoutLinkRequest
from marketplace.people.models import Participant, Role, User

PHONE = "+6281234567890"
BCA = "1234567890"
CODE_IN_MAIL = re.compile(r"as your payout account is (\d{6})\.")


@pytest.fixture
def sandbox(tmp_path):
    with running_sandbox(tmp_path / "sandbox.db") as running:
        running.register_account("bca", BCA, "BUDI SANTOSO")
        running.register_account("ovo", "081234567890", "Budi Santoso")
        running.register_account("bni", "1111111111", "SUSI SUSANTI")
        running.register_account("mandiri", "1370000000001", "BUDI SANTOSO", rejected=True)
        yield running


@pytest.fixture
def app_config(sandbox, request):
    """The app pointed at the sandbox (and any settings a test gives indirectly)."""
    extra = getattr(request, "param", {})
    return {"PAYOUT_GATEWAY_URL": sandbox.url, "PAYOUT_GATEWAY_SECRET": SECRET, **extra}


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def make_signed_in(app, factory, email, name, phone, lang="en"):
    """A participant with a profile, signed in by the sign-in form: English pages and mail,
    or with `lang` None the site's default (Indonesian)."""
    user = factory.user(email=email)
    with app.app_context():
        row = db.session.get(User, user.id)
        row.locale = lang
        participant = make_participant(user=row, name=name)
        participant.phone = phone
        db.session.commit()
        participant_id = participant.id
    client = app.test_client()
    if lang:
        client.set_cookie("lang", lang)
    answer = client.post("/login", data={"email": email, "password": PASSWORD})
    assert answer.status_code == 302
    client.participant_id = participant_id
    client.email = email
    return client


@pytest.fixture
def budi(app, factory):
    return make_signed_in(app, factory, "budi@example.com", "Budi Santoso", PHONE)


def text(response) -> str:
    return response.get_data(as_text=True)


def main(response) -> str:
    return text(response).split("<main", 1)[1].split("</main>", 1)[0]


def count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def latest_code(app, email) -> str:
    with app.app_context():
        bodies = [message.body for message in mail.recent(recipient=email, last=20)]
    return CODE_IN_MAIL.findall(bodies[-1])[-1]


def latest_request(app, participant_id) -> PayoutLinkRequest:
    with app.app_context():
        db.session().expire_on_commit = False
        return db.session.scalar(
            sa.select(PayoutLinkRequest)
            .where(PayoutLinkRequest.participant_id == participant_id)
            .order_by(PayoutLinkRequest.id.desc())
        )


def current(app, participant_id) -> PayoutAccount | None:
    with app.app_context():
        db.session().expire_on_commit = False
        participant = db.session.get(Participant, participant_id)
        return payout_accounts.current_account(participant)


def ask(client, channel="bca", number=BCA):
    return client.post("/account/payout", data={"channel": channel, "number": number})


def confirm(client, request_id, code):
    return client.post(
        "/account/payout/confirm", data={"request_id": str(request_id), "code": code}
    )


def link(app, client, channel="bca", number=BCA):
    answer = ask(client, channel, number)
    assert answer.status_code == 302, main(answer)
    row = latest_request(app, client.participant_id)
    answer = confirm(client, row.id, latest_code(app, client.email))
    assert answer.status_code == 302, main(answer)
    return client.get("/account/payout")


# --- the page and the way through ----------------------------------------------------------


def test_the_page_is_indonesian_by_default(app, factory):
    client = make_signed_in(app, factory, "sari@example.com", "Sari Dewi", PHONE, lang=None)
    page = client.get("/account/payout")
    assert page.status_code == 200
    assert '<h1 class="page-title">Rekening pencairan</h1>' in text(page)
    assert "Anda belum menghubungkan rekening pencairan" in main(page)
    assert 'name="channel"' in main(page) and 'name="number"' in main(page)


def test_linking_an_account_with_the_mailed_code(app, budi, sandbox):
    page = budi.get("/account/payout")
    assert "You have not linked a payout account yet" in main(page)
    answer = ask(budi, "bca", "123 456 7890")
    assert answer.status_code == 302
    assert answer.headers["Location"].endswith("/account/payout#code-step")
    page = budi.get("/account/payout")
    body = main(page)
    assert "We sent a code to budi@example.com" in body  # the flash says where it went
    assert "budi@example.com, the email address of your account" in body
    assert "BCA ••••••7890 (BUDI SANTOSO)" in body
    assert "The code works for 10 minutes, until" in body
    assert "Send me a new code" in body and "get the code?" in body
    assert count(app, PayoutAccount) == 0
    row = latest_request(app, budi.participant_id)
    assert latest_code(app, budi.email) not in row.code_digest
    answer = confirm(budi, row.id, latest_code(app, budi.email))
    assert answer.status_code == 302
    page = budi.get("/account/payout")
    body = main(page)
    assert "Your payout account BCA ••••••7890 is linked." in body
    assert "BUDI SANTOSO" in body and "••••••7890" in body and BCA not in body
    assert "Payouts are sent to this account." in body
    assert "Change your payout account" in body
    account = current(app, budi.participant_id)
    assert (account.channel, account.number, account.holder_name) == ("bca", BCA, "BUDI SANTOSO")
    assert account.usable_from == account.linked_at


def test_changing_the_account_holds_it_for_a_day(app, budi):
    link(app, budi)
    page = link(app, budi, "ovo", "0812-3456-7890")
    body = main(page)
    assert "Your payout account is now OVO 0812•••••890" in body
    assert "Payouts to it start at" in body and "WIB" in body
    account = current(app, budi.participant_id)
    assert account.usable_from == account.linked_at + timedelta(hours=24)
    with app.app_context():
        [notice] = [
            message
            for message in mail.recent(recipient=budi.email, last=20)
            if message.subject == "Your payout account has been changed"
        ]
    assert "OVO 0812•••••890" in notice.body and "If you did not make this change" in notice.body


# --- a fresh sign-in -------------------------------------------------------------------------


@pytest.mark.parametrize("signed_in_at", [None, "old"])
def test_an_old_sign_in_is_sent_to_sign_in_again(app, budi, signed_in_at):
    with budi.session_transaction() as session:
        if signed_in_at is None:
            session.pop("signed_in_at", None)  # a session from before the time was kept
        else:
            session["signed_in_at"] = int(time.time()) - 16 * 60
    page = budi.get("/account/payout")
    assert page.status_code == 200
    assert 'id="sign-in-again"' in main(page) and 'name="number"' not in main(page)
    for answer in (ask(budi), budi.post("/account/payout/resend", data={"request_id": "1"})):
        assert answer.status_code == 302
        assert answer.headers["Location"] == "/login?next=/account/payout&again=1"
    assert count(app, PayoutLinkRequest) == 0
    login = budi.get("/login?next=%2Faccount%2Fpayout&again=1")
    assert login.status_code == 200  # the sign-in form, although signed in
    assert "more than 15 minutes ago" in main(login)
    again = budi.post(
        "/login", data={"email": budi.email, "password": PASSWORD, "next": "/account/payout"}
    )
    assert again.headers["Location"] == "/account/payout"
    assert 'name="number"' in main(budi.get("/account/payout"))


def test_a_signed_in_account_is_still_sent_on_from_the_sign_in_page(budi):
    answer = budi.get("/login?next=%2Faccount%2Fpayout")
    assert answer.status_code == 302 and answer.headers["Location"] == "/account/payout"


# --- what the bank says ----------------------------------------------------------------------


def test_a_name_mismatch_shows_both_names_and_what_to_do(app, budi):
    answer = ask(budi, "bni", "1111111111")
    assert answer.status_code == 400
    body = main(answer)
    assert 'id="holder-name">SUSI SUSANTI<' in body
    assert 'id="ktp-name">Budi Santoso<' in body
    assert "The name on this BNI account is SUSI SUSANTI" in body
    assert "ask them to correct the name on the account" in body
    assert "in your own name" in body and "write to the programme office" in body
    assert count(app, PayoutLinkRequest) == 0
    with app.app_context():
        assert mail.recent(recipient=budi.email) == []


@pytest.mark.parametrize(
    ("channel", "number", "says"),
    [
        ("bca", "9999999999", "There is no such account at BCA"),
        ("mandiri", "1370000000001", "Mandiri refused this account"),
    ],
)
def test_the_banks_refusals_are_4xx_saying_what_to_do(app, budi, channel, number, says):
    answer = ask(budi, channel, number)
    assert answer.status_code == 400
    assert says in main(answer)
    assert count(app, PayoutLinkRequest) == 0


@pytest.mark.parametrize(
    "app_config",
    [{"PAYOUT_GATEWAY_URL": f"http://127.0.0.1:{closed_port()}", "PAYOUT_GATEWAY_SECRET": SECRET}],
    ids=["closed port"],
)
def test_a_bank_that_cant_be_reached_is_a_503_and_changes_nothing(app, budi):
    answer = ask(budi)
    assert answer.status_code == 503
    assert "could not be reached. Nothing was changed. Please try again in a few minutes" in main(
        answer
    )
    assert count(app, PayoutLinkRequest) == 0


@pytest.mark.parametrize("app_config", [{"PAYOUT_GATEWAY_SECRET": ""}], ids=["no secret"])
def test_a_gateway_without_settings_is_told_as_unreachable(app, budi):
    assert ask(budi).status_code == 503
    assert ask(budi, "bca", "12").status_code == 400  # the number's own checks come first


# --- one account, one participant -------------------------------------------------------


def test_another_participants_account_is_refused_and_the_flag_persists(app, factory, budi):
    ani = make_signed_in(app, factory, "ani@example.com", "Ani Lestari", "+6285712345678")
    link(app, budi)
    answer = ask(ani, "bca", BCA)
    assert answer.status_code == 409
    assert "already linked to another participant" in main(answer)
    assert "office has been told" in main(answer)
    with app.app_context():  # committed although the request was refused
        [flag] = db.session.scalars(sa.select(PayoutAccountFlag)).all()
        assert (flag.participant_id, flag.holder_participant_id) == (
            ani.participant_id,
            budi.participant_id,
        )
    assert latest_request(app, ani.participant_id) is None
    assert current(app, ani.participant_id) is None


# --- the code --------------------------------------------------------------------------------


def test_five_wrong_codes_void_the_request_and_stay_counted(app, budi):
    ask(budi)
    row = latest_request(app, budi.participant_id)
    code = latest_code(app, budi.email)
    wrong = "000000" if code != "000000" else "111111"
    for left in (4, 3, 2, 1):
        answer = confirm(budi, row.id, wrong)
        assert answer.status_code == 400
        assert f"That code is not right. You have {left} more tries." in main(answer)
    answer = confirm(budi, row.id, wrong)
    assert answer.status_code == 400
    assert "Too many wrong codes" in main(answer)
    assert latest_request(app, budi.participant_id).attempts == 5
    answer = confirm(budi, row.id, code)
    assert answer.status_code == 400 and "Too many wrong codes" in main(answer)
    assert current(app, budi.participant_id) is None
    assert "Enter the code from your email" not in main(budi.get("/account/payout"))


def test_an_expired_code_offers_a_new_one_which_voids_the_old(app, budi):
    ask(budi)
    old = latest_request(app, budi.participant_id)
    old_code = latest_code(app, budi.email)
    with app.app_context():
        db.session.get(PayoutLinkRequest, old.id).expires_at = utcnow() - timedelta(minutes=1)
        db.session.commit()
    page = main(budi.get("/account/payout"))
    assert "The code expired at" in page and "Send me a new code" in page
    answer = confirm(budi, old.id, old_code)
    assert answer.status_code == 400 and "This code expired at" in main(answer)
    answer = budi.post("/account/payout/resend", data={"request_id": str(old.id)})
    assert answer.status_code == 302
    new = latest_request(app, budi.participant_id)
    assert new.id != old.id
    new_code = latest_code(app, budi.email)
    with app.app_context():
        assert (
            "This code replaces the one we sent before"
            in mail.recent(recipient=budi.email)[-1].body
        )
    assert "We sent a new code to budi@example.com" in main(budi.get("/account/payout"))
    answer = budi.post("/account/payout/resend", data={"request_id": str(old.id)})
    assert answer.status_code == 400 and "newer code" in main(answer)
    assert confirm(budi, old.id, old_code).status_code == 400
    assert confirm(budi, new.id, new_code).status_code == 302
    assert current(app, budi.participant_id).number == BCA


@pytest.mark.parametrize(
    "app_config",
    [{"RATELIMIT_ENABLED": True, "RATELIMIT_STORAGE_URI": "memory://"}],
    indirect=True,
    ids=["throttled"],
)
def test_codes_mailed_are_limited_per_account_counting_only_those_sent(app, budi):
    for _ in range(3):
        assert ask(budi, "bca", "12").status_code == 400  # refused: no code, not counted
    assert ask(budi).status_code == 302
    row = latest_request(app, budi.participant_id)
    assert budi.post("/account/payout/resend", data={"request_id": str(row.id)}).status_code == 302
    assert ask(budi).status_code == 302
    assert ask(budi).status_code == 429  # a fourth code within the minute
    assert count(app, PayoutLinkRequest) == 3


# --- bad input on every field ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "says"),
    [
        ({}, "Choose an e-wallet or a bank from the list."),
        ({"channel": "paypal", "number": BCA}, "Choose an e-wallet or a bank from the list."),
        ({"channel": "bca"}, "Enter your BCA account number."),
        ({"channel": "bca", "number": "12345"}, "A BCA account number has 10 digits"),
        ({"channel": "bri", "number": BCA}, "A BRI account number has 15 digits"),
        ({"channel": "bca", "number": "12345abcde"}, "digits only"),
        ({"channel": "bca", "number": "٣" * 10}, "digits only"),
        ({"channel": "bca", "number": "9" * 400}, "That number is too long."),
        ({"channel": "ovo", "number": "not a phone"}, "Enter the phone number of your OVO account"),
        ({"channel": "x" * 5000, "number": BCA}, "Choose an e-wallet or a bank"),
    ],
)
def test_bad_input_at_step_one_is_a_400_saying_why(app, budi, data, says):
    answer = budi.post("/account/payout", data=data)
    assert answer.status_code == 400
    assert says in main(answer)
    assert 'class="error-summary"' in main(answer)
    assert count(app, PayoutLinkRequest) == 0


def test_another_phone_for_an_ewallet_shows_the_registered_one(app, budi):
    answer = ask(budi, "gopay", "0813 1111 2222")
    assert answer.status_code == 400
    body = main(answer)
    assert "0812•••••890" in body
    assert 'id="change-phone"' in body and 'href="/account/profile"' in body
    assert count(app, PayoutLinkRequest) == 0


def test_bad_input_at_the_code_step_is_a_4xx_saying_why(app, factory, budi):
    ask(budi)
    row = latest_request(app, budi.participant_id)
    for data, status, says in (
        ({"code": "123456"}, 400, "This code request was not found"),
        ({"request_id": "x", "code": "123456"}, 400, "This code request was not found"),
        ({"request_id": "9" * 400, "code": "123456"}, 400, "This code request was not found"),
        ({"request_id": str(row.id)}, 400, "Enter the 6-digit code from the email."),
        ({"request_id": str(row.id), "code": "12 34"}, 400, "Enter the 6-digit code"),
        ({"request_id": str(row.id), "code": "x" * 5000}, 400, "Enter the 6-digit code"),
        ({"request_id": str(row.id), "code": "١٢٣٤٥٦"}, 400, "Enter the 6-digit code"),
    ):
        answer = budi.post("/account/payout/confirm", data=data)
        assert answer.status_code == status, data
        assert says in main(answer), data
    for data in ({}, {"request_id": "-1"}, {"request_id": "²"}):
        answer = budi.post("/account/payout/resend", data=data)
        assert answer.status_code == 400 and "This code request was not found" in main(answer)
    assert latest_request(app, budi.participant_id).attempts == 0  # none counted as wrong
    # Another participant's request is not theirs to see.
    ani = make_signed_in(app, factory, "ani@example.com", "Ani Lestari", "+6285712345678")
    assert confirm(ani, row.id, latest_code(app, budi.email)).status_code == 404
    assert ani.post("/account/payout/resend", data={"request_id": str(row.id)}).status_code == 404
    assert count(app, PayoutAccount) == 0
    assert count(app, PayoutLinkRequest) == 1


def test_an_account_without_a_profile_is_told_to_fill_it_in(app, participant_client):
    page = participant_client.get("/account/payout")
    assert page.status_code == 200
    answer = participant_client.post("/account/payout", data={"channel": "bca", "number": BCA})
    assert answer.status_code == 400
    assert count(app, PayoutLinkRequest) == 0


def test_the_office_may_not_open_the_page(login):
    assert login(Role.ADMIN).get("/account/payout").status_code == 403


@pytest.mark.parametrize(
    "app_config",
    [{"RATELIMIT_ENABLED": True, "RATELIMIT_STORAGE_URI": "memory://"}],
    indirect=True,
    ids=["throttled"],
)
def test_step_one_is_limited_per_account_so_holders_names_cannot_be_harvested(app, budi):
    """However the tries end (here the bank's name is someone else's), the eleventh in an
    hour is refused: the form can't be used to look up who holds other accounts."""
    answers = [
        budi.post("/account/payout", data={"channel": "bni", "number": "1111111111"}).status_code
        for _ in range(11)
    ]
    assert 429 not in answers[:10] and answers[0] == 400
    assert answers[10] == 429
