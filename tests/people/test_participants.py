"""The participant's profile: NIK and KK checks, phone numbers, one account per NIK,
the fixed identity after acceptance, and the /account/profile pages (check, confirm, save)."""

import itertools
import logging
import os
import threading
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from support.factories import PASSWORD

from marketplace.core import DomainError
from marketplace.core.base import utcnow
from marketplace.core.models import AuditEvent
from marketplace.extensions import db
from marketplace.money.models import AccountKind, Card, LedgerAccount
from marketplace.people import participants
from marketplace.people.models import Education, Employment, Participant, Role, Sex, User
from marketplace.programme.models import Application, Batch, Outcome, Scheme
from marketplace.programme.models import TestAttempt as Attempt

USE_POSTGRES = os.environ.get("TEST_DATABASE_URL", "").startswith("postgresql")

NIK_MALE = "3201231708950004"  # Jawa Barat, regency 01, district 23, 17 Aug 1995, male
NIK_FEMALE = "3201235708950004"  # the same, female: 40 added to the day
KK = "3201230101100001"
TODAY = date(2025, 1, 15)
THREADS = 20
_emails = itertools.count(1)


@pytest.fixture
def app_config():
    """A pool large enough for the concurrency test's twenty threads at once."""
    return {"SQLALCHEMY_ENGINE_OPTIONS": {"pool_size": THREADS + 5, "pool_pre_ping": USE_POSTGRES}}


@pytest.fixture
def provinces(factory):
    """The provinces the tests' NIKs name (the test database starts empty)."""
    return {
        "32": factory.province("32", "Jawa Barat").id,
        "31": factory.province("31", "DKI Jakarta").id,
        "11": factory.province("11", "Aceh").id,
    }


def message(error: DomainError) -> str:
    """The English sentence of a DomainError, its parameters filled in."""
    return error.message % error.params if error.params else error.message


def answers(provinces, **changes) -> dict:
    """A complete, valid set of profile answers for save_profile/check_profile."""
    values = {
        "nik": NIK_MALE,
        "kk": KK,
        "full_name": "Budi Santoso",
        "birth_date": date(1995, 8, 17),
        "sex": Sex.MALE,
        "phone": "0812-3456-7890",
        "province_id": provinces["32"],
        "city": "Kota Bandung",
        "education": Education.SMA,
        "employment": Employment.JOB_SEEKER,
        "today": TODAY,
    }
    values.update(changes)
    return values


def new_participant_user(email=None) -> User:
    """A participant account, inside the current app context."""
    from marketplace.people import accounts

    user = accounts.create_user(
        email=email or f"peserta{next(_emails)}@example.com",
        name="Budi",
        password=PASSWORD,
        role=Role.PARTICIPANT,
    )
    return user


# --- Reading a NIK -------------------------------------------------------------------------


def test_reads_a_male_nik(ctx, provinces):
    facts = participants.read_nik(NIK_MALE, TODAY)
    assert facts.province_code == "32"
    assert facts.province_name == "Jawa Barat"
    assert facts.province_id == provinces["32"]
    assert facts.regency_code == "01"
    assert facts.district_code == "23"
    assert facts.birth_date == date(1995, 8, 17)
    assert facts.sex is Sex.MALE
    assert facts.serial == "0004"


def test_reads_a_female_nik_by_the_forty_added_to_the_day(ctx, provinces):
    facts = participants.read_nik(NIK_FEMALE, TODAY)
    assert facts.birth_date == date(1995, 8, 17)
    assert facts.sex is Sex.FEMALE
    assert participants.read_nik("3201237108950004", TODAY).birth_date == date(1995, 8, 31)


@pytest.mark.parametrize(
    "typed", ["3201 2317 0895 0004", "32.01.23.170895.0004", " 3201231708950004 "]
)
def test_spaces_and_dots_people_type_are_ignored(ctx, provinces, typed):
    assert participants.read_nik(typed, TODAY).birth_date == date(1995, 8, 17)


@pytest.mark.parametrize(
    ("nik", "expected"),
    [
        ("", "Enter your NIK, the 16-digit number on your KTP"),
        ("   ", "Enter your NIK, the 16-digit number on your KTP"),
        ("3201-2317-0895-0004", "Your NIK must contain numbers only"),
        ("32012317O8950004", "Your NIK must contain numbers only"),
        ("٣٢٠١٢٣١٧٠٨٩٥٠٠٠٤", "Your NIK must contain numbers only"),
        ("320123170895000", "Your NIK must be 16 digits; you entered 15"),
        ("32012317089500041", "Your NIK must be 16 digits; you entered 17"),
        ("9901231708950004", "The first 2 digits of your NIK are not a province code"),
        ("2001231708950004", "The first 2 digits of your NIK are not a province code"),
        ("3200231708950004", "Digits 3 and 4 of your NIK (the regency or city) cannot be 00"),
        ("3201001708950004", "Digits 5 and 6 of your NIK (the district) cannot be 00"),
        ("3201233102990004", "Digits 7 to 12 of your NIK are not a real date of birth"),
        ("3201237208950004", "Digits 7 to 12 of your NIK are not a real date of birth"),
        ("3201230008950004", "Digits 7 to 12 of your NIK are not a real date of birth"),
        ("3201233508950004", "Digits 7 to 12 of your NIK are not a real date of birth"),
        ("3201231713950004", "Digits 7 to 12 of your NIK are not a real date of birth"),
        ("3201231700950004", "Digits 7 to 12 of your NIK are not a real date of birth"),
        ("3201232902010004", "Digits 7 to 12 of your NIK are not a real date of birth"),
        ("3201231708950000", "The last 4 digits of your NIK cannot be 0000"),
    ],
)
def test_refuses_a_nik_with_one_clear_message(ctx, provinces, nik, expected):
    with pytest.raises(DomainError) as refused:
        participants.read_nik(nik, TODAY)
    assert refused.value.field == "nik"
    assert message(refused.value).startswith(expected)


@pytest.mark.parametrize(
    ("ddmmyy", "today", "born"),
    [
        ("170895", date(2025, 1, 15), date(1995, 8, 17)),
        ("150124", date(2025, 1, 15), date(2024, 1, 15)),
        ("150125", date(2025, 1, 15), date(2025, 1, 15)),  # born today: not in the future
        ("160125", date(2025, 1, 15), date(1925, 1, 16)),  # tomorrow in 2025: so 1925
        ("010126", date(2025, 1, 15), date(1926, 1, 1)),  # YY after this year: 1900s
        ("010100", date(2025, 1, 15), date(2000, 1, 1)),
        ("290200", date(2025, 1, 15), date(2000, 2, 29)),  # 2000 was a leap year
        ("311299", date(2025, 1, 15), date(1999, 12, 31)),
    ],
)
def test_two_digit_year_takes_the_century_that_is_not_in_the_future(
    ctx, provinces, ddmmyy, today, born
):
    assert participants.read_nik(f"320123{ddmmyy}0004", today).birth_date == born


def test_read_nik_defaults_to_today_in_jakarta(ctx, provinces):
    assert participants.read_nik(NIK_MALE).birth_date == date(1995, 8, 17)


# --- KK and phone ----------------------------------------------------------------------


def test_accepts_a_family_card_number(ctx, provinces):
    assert participants.normalise_kk("3201 2301 0110 0001") == KK


@pytest.mark.parametrize(
    ("kk", "expected"),
    [
        ("", "Enter your family card (KK) number"),
        ("3201230101100O01", "Your family card number must contain numbers only"),
        ("320123010110001", "Your family card number must be 16 digits; you entered 15"),
        ("9901230101100001", "The first 2 digits of your family card number are not a province"),
        ("3200230101100001", "Digits 3 to 6 of your family card number"),
        ("3201000101100001", "Digits 3 to 6 of your family card number"),
        ("3201230101100000", "The last 4 digits of your family card number cannot be 0000"),
    ],
)
def test_refuses_a_family_card_number(ctx, provinces, kk, expected):
    with pytest.raises(DomainError) as refused:
        participants.normalise_kk(kk)
    assert refused.value.field == "kk"
    assert message(refused.value).startswith(expected)


@pytest.mark.parametrize(
    "typed",
    ["0812-3456-7890", "+62 812 3456 7890", "6281234567890", "62 812-3456-7890", "081234567890"],
)
def test_phone_numbers_become_e164(typed):
    assert participants.normalise_phone(typed) == "+6281234567890"


def test_a_fixed_line_number_is_accepted():
    assert participants.normalise_phone("(022) 7654321") == "+62227654321"


@pytest.mark.parametrize(
    "typed",
    ["12345", "0812", "+1 202 555 0143", "0800 1234567", "nomor saya", "0812" * 10, "+62 812"],
)
def test_refuses_numbers_that_are_not_indonesian_phones(typed):
    with pytest.raises(DomainError) as refused:
        participants.normalise_phone(typed)
    assert refused.value.field == "phone"
    assert message(refused.value).startswith("Enter an Indonesian phone number")


def test_an_empty_phone_number_is_asked_for():
    with pytest.raises(DomainError) as refused:
        participants.normalise_phone("  ")
    assert message(refused.value) == "Enter your phone number"


# --- Saving a profile ----------------------------------------------------------------------


def test_saves_a_profile_and_audits_it_without_nik_or_kk(ctx, provinces):
    user = new_participant_user()
    participant = participants.save_profile(user, **answers(provinces))
    db.session.commit()
    assert participant.nik == NIK_MALE
    assert participant.kk == KK
    assert participant.phone == "+6281234567890"
    assert participant.full_name == "Budi Santoso"
    assert participant.masked_nik == "3201********0004"
    event = db.session.scalar(
        sa.select(AuditEvent).where(AuditEvent.action == "participant.profile_saved")
    )
    assert event.subject == f"participant:{participant.id}"
    assert event.actor_id == user.id
    assert NIK_MALE not in repr(event.detail) and KK not in repr(event.detail)
    assert event.detail["created"] is True


def test_names_and_cities_are_trimmed(ctx, provinces):
    user = new_participant_user()
    participant = participants.save_profile(
        user, **answers(provinces, full_name="  Budi   Santoso ", city=" Kota  Bandung ")
    )
    assert participant.full_name == "Budi Santoso"
    assert participant.city == "Kota Bandung"


def test_birth_date_and_sex_must_match_the_nik(ctx, provinces):
    user = new_participant_user()
    with pytest.raises(DomainError) as refused:
        participants.save_profile(
            user, **answers(provinces, birth_date=date(1995, 8, 18), sex=Sex.FEMALE)
        )
    by_field = {error.field: message(error) for error in refused.value.errors}
    assert by_field["birth_date"] == (
        "The date of birth you entered does not match your NIK, which says 17/08/1995. "
        "Check both against your KTP"
    )
    assert by_field["sex"].startswith("The sex you selected does not match your NIK")
    assert db.session.scalar(sa.select(sa.func.count(Participant.id))) == 0


def test_a_woman_saves_with_her_nik(ctx, provinces):
    user = new_participant_user()
    participant = participants.save_profile(
        user, **answers(provinces, nik=NIK_FEMALE, sex=Sex.FEMALE, full_name="Siti Aminah")
    )
    assert participant.sex is Sex.FEMALE


def test_every_missing_answer_is_named_at_once(ctx, provinces):
    user = new_participant_user()
    with pytest.raises(DomainError) as refused:
        participants.check_profile(
            user,
            nik="",
            kk="",
            full_name="",
            birth_date=None,
            sex=None,
            phone="",
            province_id=None,
            city="",
            education=None,
            employment=None,
            today=TODAY,
        )
    fields = [error.field for error in refused.value.errors]
    assert fields == [
        "nik",
        "kk",
        "full_name",
        "birth_date",
        "sex",
        "phone",
        "province_id",
        "city",
        "education",
        "employment",
    ]


@pytest.mark.parametrize(
    ("changes", "field", "expected"),
    [
        ({"full_name": "B"}, "full_name", "Your full name must be at least 2 characters"),
        ({"full_name": "B" * 121}, "full_name", "Your full name must be 120 characters or fewer"),
        ({"full_name": "Budi\x00"}, "full_name", "Your full name must not contain special"),
        ({"city": "Bandung\x07"}, "city", "The city or regency must not contain special"),
        ({"city": "X"}, "city", "The city or regency must be at least 2 characters"),
        ({"city": "X" * 81}, "city", "The city or regency must be 80 characters or fewer"),
        ({"province_id": 999_999}, "province_id", "Select the province where you live"),
        ({"birth_date": date(2030, 1, 1)}, "birth_date", "Your date of birth must be in the past"),
        ({"education": "sma"}, "education", "Select your last education"),
        ({"employment": None}, "employment", "Select your employment status"),
        ({"phone": "0812"}, "phone", "Enter an Indonesian phone number"),
    ],
)
def test_refuses_each_bad_answer(ctx, provinces, changes, field, expected):
    user = new_participant_user()
    with pytest.raises(DomainError) as refused:
        participants.save_profile(user, **answers(provinces, **changes))
    assert [error.field for error in refused.value.errors] == [field]
    assert message(refused.value.errors[0]).startswith(expected)


def test_only_participant_accounts_have_a_profile(ctx, provinces):
    from marketplace.people import accounts

    admin = accounts.create_user(
        email="admin@example.com", name="Admin", password=PASSWORD, role=Role.ADMIN
    )
    with pytest.raises(DomainError):
        participants.save_profile(admin, **answers(provinces))


@pytest.mark.parametrize(
    ("born", "eligible"),
    [
        (date(2007, 1, 15), True),  # 18 today
        (date(2007, 1, 16), False),  # 18 tomorrow
        (date(1960, 1, 16), True),  # 64, 65 tomorrow
        (date(1960, 1, 15), False),  # 65 today
    ],
)
def test_age_outside_18_to_64_is_saved_but_not_eligible(ctx, provinces, born, eligible):
    nik = f"320123{born:%d%m%y}0004"
    user = new_participant_user()
    checked = participants.check_profile(user, **answers(provinces, nik=nik, birth_date=born))
    assert checked.eligible is eligible
    assert participants.is_eligible_age(born, TODAY) is eligible
    participants.save_profile(user, **answers(provinces, nik=nik, birth_date=born))


def test_age_counts_a_leap_day_birthday_from_the_first_of_march():
    assert participants.age_on(date(2000, 2, 29), date(2018, 2, 28)) == 17
    assert participants.age_on(date(2000, 2, 29), date(2018, 3, 1)) == 18


def test_updating_keeps_the_numbers_when_left_empty(ctx, provinces):
    user = new_participant_user()
    participants.save_profile(user, **answers(provinces))
    participant = participants.save_profile(
        user, **answers(provinces, nik="", kk=None, phone="+62 811 2222 3333")
    )
    assert participant.nik == NIK_MALE
    assert participant.kk == KK
    assert participant.phone == "+6281122223333"
    event = db.session.scalars(sa.select(AuditEvent).order_by(AuditEvent.id.desc()).limit(1)).one()
    assert event.detail == {"created": False, "changed": ["phone"]}


def test_a_nik_can_be_corrected_before_acceptance(ctx, provinces):
    user = new_participant_user()
    participants.save_profile(user, **answers(provinces))
    participant = participants.save_profile(user, **answers(provinces, nik="3201231708950005"))
    assert participant.nik == "3201231708950005"


# --- One account per NIK -------------------------------------------------------------------


def test_a_second_account_with_the_same_nik_is_refused(ctx, provinces):
    first = new_participant_user("pertama@example.com")
    participants.save_profile(first, **answers(provinces))
    db.session.commit()
    second = new_participant_user("kedua@example.com")
    with pytest.raises(DomainError) as refused:
        participants.save_profile(second, **answers(provinces, nik="3201 2317 0895 0004"))
    assert refused.value.field == "nik"
    assert refused.value.message == participants.NIK_TAKEN
    assert message(refused.value).startswith("This NIK is already registered to another account")


def test_the_unique_nik_decides_when_the_check_is_passed_at_the_same_moment(
    ctx, provinces, monkeypatch
):
    """Two saves both found the NIK free; the constraint refuses the second, cleanly."""
    first = new_participant_user("pertama@example.com")
    participants.save_profile(first, **answers(provinces))
    second = new_participant_user("kedua@example.com")
    db.session.commit()
    real_holder = participants._nik_holder
    calls = []

    def holder_not_yet_committed(nik):
        calls.append(nik)
        return None if len(calls) == 1 else real_holder(nik)

    monkeypatch.setattr(participants, "_nik_holder", holder_not_yet_committed)
    with pytest.raises(DomainError) as refused:
        participants.save_profile(second, **answers(provinces))
    assert refused.value.message == participants.NIK_TAKEN
    assert len(calls) == 2
    db.session.commit()  # the transaction is still usable: the savepoint took the blow
    assert db.session.scalar(sa.select(sa.func.count(Participant.id))) == 1


def test_twenty_accounts_saving_one_nik_at_once_make_one_profile(app, factory, provinces):
    """Twenty threads, each its own account and request, save the same NIK together."""
    user_ids = [factory.user().id for _ in range(THREADS)]
    barrier = threading.Barrier(THREADS)
    saved, refused, failed = [], [], []

    def save(user_id):
        # As twenty POSTs would: a write request's transaction takes SQLite's write lock at
        # BEGIN (db_setup), so the saves queue under the busy timeout instead of failing.
        with app.test_request_context("/account/profile/confirm", method="POST"):
            barrier.wait(timeout=60)
            try:
                user = db.session.get(User, user_id)
                participants.save_profile(user, **answers(provinces))
                db.session.commit()
                saved.append(user_id)
            except DomainError as error:
                db.session.rollback()
                refused.append(error.message)
            except Exception as error:  # noqa: BLE001 - any other failure fails the test
                db.session.rollback()
                failed.append(repr(error))

    threads = [threading.Thread(target=save, args=(user_id,)) for user_id in user_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert failed == []
    assert len(saved) == 1
    assert refused == [participants.NIK_TAKEN] * (THREADS - 1)
    with app.app_context():
        rows = db.session.scalars(sa.select(Participant)).all()
        assert [row.user_id for row in rows] == saved


# --- The identity is fixed once accepted ---------------------------------------------------


def _programme_rows():
    scheme = Scheme(
        code="2020",
        name="Skema 2020",
        training_balance=1_000_000,
        purchase_deadline_days=30,
        incentive_amount=600_000,
        incentive_payments=4,
        survey_incentive=50_000,
        survey_count=3,
    )
    now = utcnow()
    batch = Batch(
        number=1, opens_at=now - timedelta(days=7), closes_at=now, quota=10, scheme=scheme
    )
    db.session.add_all([scheme, batch])
    db.session.flush()
    return scheme, batch


def give_card(participant: Participant) -> Card:
    """A card row built directly (minimal scheme, batch and ledger account)."""
    scheme, batch = _programme_rows()
    account = LedgerAccount(kind=AccountKind.CARD, code=f"card:test-{participant.id}")
    db.session.add(account)
    db.session.flush()
    card = Card(
        number="5000000000000009",
        participant_id=participant.id,
        batch_id=batch.id,
        scheme_id=scheme.id,
        account_id=account.id,
        purchase_deadline_at=utcnow() + timedelta(days=30),
    )
    db.session.add(card)
    db.session.flush()
    return card


def accept(participant: Participant) -> Application:
    """An accepted application built directly (with its test attempt)."""
    _scheme, batch = _programme_rows()
    attempt = Attempt(
        participant_id=participant.id,
        batch_id=batch.id,
        question_ids=[],
        deadline_at=utcnow(),
        submitted_at=utcnow(),
        score=15,
    )
    db.session.add(attempt)
    db.session.flush()
    application = Application(
        participant_id=participant.id,
        batch_id=batch.id,
        test_attempt_id=attempt.id,
        outcome=Outcome.ACCEPTED,
        decided_at=utcnow(),
    )
    db.session.add(application)
    db.session.flush()
    return application


def reject(participant: Participant) -> Application:
    """A rejected application: its rejection counts towards the NIK's limit of three."""
    application = accept(participant)
    application.outcome = Outcome.REJECTED
    application.reason = "quota"
    db.session.flush()
    return application


@pytest.mark.parametrize("acceptance", [give_card, accept, reject])
@pytest.mark.parametrize(
    "change",
    [
        {"nik": "3201231708950005"},
        {"kk": "3201230101100002"},
        {"full_name": "Budi Santosa"},
        {"nik": NIK_FEMALE, "sex": Sex.FEMALE},
        {"nik": "3201231808950004", "birth_date": date(1995, 8, 18)},
    ],
)
def test_identity_cannot_change_after_acceptance(ctx, provinces, acceptance, change):
    user = new_participant_user()
    participant = participants.save_profile(user, **answers(provinces))
    acceptance(participant)
    db.session.commit()
    assert participants.identity_locked(participant)
    with pytest.raises(DomainError) as refused:
        participants.save_profile(user, **answers(provinces, **change))
    assert refused.value.message == participants.IDENTITY_LOCKED
    db.session.rollback()
    assert db.session.get(Participant, participant.id).nik == NIK_MALE


def test_contact_details_still_change_after_acceptance(ctx, provinces):
    user = new_participant_user()
    participant = participants.save_profile(user, **answers(provinces))
    give_card(participant)
    participant = participants.save_profile(
        user,
        **answers(
            provinces,
            nik=None,
            kk=None,
            full_name=None,
            birth_date=None,
            sex=None,
            phone="0811 2222 3333",
            province_id=provinces["31"],
            city="Jakarta Selatan",
            education=Education.DIPLOMA,
            employment=Employment.WORKER,
        ),
    )
    assert participant.phone == "+6281122223333"
    assert participant.province_id == provinces["31"]
    assert participant.education is Education.DIPLOMA
    assert participant.full_name == "Budi Santoso"


# --- The pages -----------------------------------------------------------------------------


def form_data(provinces, **changes) -> dict:
    """What the profile form posts for a new, valid profile."""
    data = {
        "nik": "3201 2317 0895 0004",
        "kk": KK,
        "full_name": "Budi Santoso",
        "birth_day": "17",
        "birth_month": "8",
        "birth_year": "1995",
        "sex": "male",
        "phone": "0812-3456-7890",
        "province_id": str(provinces["31"]),
        "city": "Jakarta Selatan",
        "education": "sma",
        "employment": "laid_off",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def hidden_fields(html: str) -> dict:
    """The hidden inputs of the confirmation form, as the browser would post them."""
    import re

    found = re.findall(r'<input type="hidden" name="([a-z_]+)" value="([^"]*)">', html)
    return {name: value for name, value in found if name != "csrf_token"}


@pytest.fixture
def english(participant_client):
    """A signed-in participant reading the site in English (stable wording for asserts)."""
    participant_client.set_cookie("lang", "en")
    return participant_client


def participant_count(app) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count(Participant.id)))


def test_the_profile_needs_a_signed_in_participant(client, admin_client, provider_client):
    response = client.get("/account/profile")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]
    assert admin_client.get("/account/profile").status_code == 403
    assert provider_client.get("/account/profile").status_code == 403
    assert admin_client.post("/account/profile/confirm", data={}).status_code == 403


def test_the_form_asks_every_question(english, provinces):
    response = english.get("/account/profile")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    for name in (
        "nik",
        "kk",
        "full_name",
        "birth_day",
        "birth_month",
        "birth_year",
        "sex",
        "phone",
        "province_id",
        "city",
        "education",
        "employment",
    ):
        assert f'name="{name}"' in html
    assert "Jawa Barat" in html and "DKI Jakarta" in html
    assert 'type="radio" value="laid_off"' in html


def test_the_form_is_in_indonesian_by_default(participant_client, provinces):
    html = participant_client.get("/account/profile").get_data(as_text=True)
    assert '<html lang="id">' in html


def test_checking_shows_what_the_nik_says_and_saves_nothing(app, english, provinces):
    response = english.post("/account/profile", data=form_data(provinces))
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Check your answers" in html
    assert "Confirm and save" in html
    assert "3201********0004" in html
    assert "August 17, 1995" in html  # what the NIK says, next to what was entered
    assert "Jawa Barat" in html and "DKI Jakarta" in html  # NIK province, home province
    assert "+6281234567890" in html
    hidden = hidden_fields(html)
    assert hidden["nik"] == NIK_MALE and hidden["phone"] == "+6281234567890"
    assert 'action="/account/profile/confirm"' in html and 'method="post"' in html
    assert "warning-text" not in html
    assert participant_count(app) == 0


def test_an_age_outside_18_to_64_is_warned_about(english, provinces):
    response = english.post(
        "/account/profile",
        data=form_data(provinces, nik="3201231708500004", birth_year="1950"),
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "warning-text" in html
    assert "Only people aged 18 to 64 on the day of selection can be accepted" in html


def test_errors_are_listed_in_the_summary_and_by_their_fields(app, english, provinces):
    response = english.post(
        "/account/profile",
        data=form_data(provinces, nik="9901231708950004", sex="female", phone="12345"),
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "There is a problem" in html
    assert '<a href="#nik">The first 2 digits of your NIK are not a province code' in html
    assert '<a href="#phone">Enter an Indonesian phone number' in html
    assert 'id="nik-error"' in html and 'id="phone-error"' in html
    assert participant_count(app) == 0


def test_a_mismatch_with_the_nik_is_explained(english, provinces):
    response = english.post("/account/profile", data=form_data(provinces, sex="female"))
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert '<a href="#sex">The sex you selected does not match your NIK' in html


@pytest.mark.parametrize(
    ("day", "month", "year", "expected"),
    [
        ("", "", "", "Enter your date of birth"),
        ("17", "", "1995", "Your date of birth must include a month"),
        ("", "8", "1995", "Your date of birth must include a day"),
        ("17", "8", "", "Your date of birth must include a year"),
        ("", "", "1995", "Your date of birth must include a day, a month and a year"),
        ("31", "2", "1995", "Your date of birth must be a real date"),
        ("17", "8", "95", "Your date of birth must be a real date"),
        ("xx", "8", "1995", "Your date of birth must be a real date"),
        ("9" * 30, "8", "1995", "Your date of birth must be a real date"),
        ("١٧", "8", "1995", "Your date of birth must be a real date"),
    ],
)
def test_the_date_of_birth_boxes_are_checked(english, provinces, day, month, year, expected):
    data = form_data(provinces, birth_day=day, birth_month=month, birth_year=year)
    html = english.post("/account/profile", data=data).get_data(as_text=True)
    assert f'<a href="#birth_day">{expected}' in html


def test_change_goes_back_to_the_form_with_the_answers_kept(app, english, provinces):
    confirm = english.post("/account/profile", data=form_data(provinces)).get_data(as_text=True)
    assert 'formaction="/account/profile"' in confirm
    response = english.post("/account/profile", data={**hidden_fields(confirm), "change": "1"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'value="Budi Santoso"' in html
    assert 'value="laid_off" checked' in html
    assert "There is a problem" not in html
    assert participant_count(app) == 0


def test_confirming_saves_and_goes_to_the_account(app, english, provinces, caplog):
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.WARNING, logger="sqlalchemy")
    confirm = english.post("/account/profile", data=form_data(provinces)).get_data(as_text=True)
    response = english.post("/account/profile/confirm", data=hidden_fields(confirm))
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/account")
    with app.app_context():
        participant = db.session.scalars(sa.select(Participant)).one()
        assert participant.nik == NIK_MALE
        assert participant.employment is Employment.LAID_OFF
        assert participant.province.code == "31"
        events = db.session.scalars(sa.select(AuditEvent)).all()
        assert [event.action for event in events] == ["participant.profile_saved"]
        assert all(NIK_MALE not in repr(e.detail) + e.subject for e in events)
        assert all(KK not in repr(e.detail) + e.subject for e in events)

    # Never the full NIK or KK again: not in pages, redirects or the log.
    pages = [
        english.get("/account/profile"),
        english.post("/account/profile", data=form_data(provinces, nik="", kk="")),
    ]
    account = english.get("/account")
    if account.status_code == 200:
        pages.append(account)
    for page in pages:
        html = page.get_data(as_text=True)
        assert page.status_code == 200
        assert NIK_MALE not in html and KK not in html
        assert "3201********0004" in html
    for page in [response, *pages]:
        assert NIK_MALE not in page.headers.get("Location", "")
    for record in caplog.records:
        assert NIK_MALE not in record.getMessage() and KK not in record.getMessage()


def test_the_saved_flash_names_no_number(english, provinces):
    confirm = english.post("/account/profile", data=form_data(provinces)).get_data(as_text=True)
    english.post("/account/profile/confirm", data=hidden_fields(confirm))
    with english.session_transaction() as session:
        flashes = session.get("_flashes", [])
    assert flashes == [("success", "Your profile is saved.")]


def test_the_confirmation_checks_its_hidden_fields_again(app, english, provinces):
    confirm = english.post("/account/profile", data=form_data(provinces)).get_data(as_text=True)
    tampered = {**hidden_fields(confirm), "sex": "female"}
    response = english.post("/account/profile/confirm", data=tampered)
    assert response.status_code == 400
    assert "The sex you selected does not match your NIK" in response.get_data(as_text=True)
    tampered = {**hidden_fields(confirm), "phone": "+1 202 555 0143", "province_id": "9" * 5000}
    response = english.post("/account/profile/confirm", data=tampered)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Enter an Indonesian phone number" in html
    assert "Select the province where you live" in html
    assert participant_count(app) == 0


def test_a_second_account_gets_a_clear_409(app, login, provinces):
    first = login(Role.PARTICIPANT, email="pertama@example.com")
    confirm = first.post("/account/profile", data=form_data(provinces)).get_data(as_text=True)
    assert first.post("/account/profile/confirm", data=hidden_fields(confirm)).status_code == 302
    second = login(Role.PARTICIPANT, email="kedua@example.com")
    second.set_cookie("lang", "en")
    response = second.post("/account/profile", data=form_data(provinces))
    assert response.status_code == 409
    assert "This NIK is already registered to another account" in response.get_data(as_text=True)
    response = second.post("/account/profile/confirm", data=hidden_fields(confirm))
    assert response.status_code == 409
    assert participant_count(app) == 1


def test_an_accepted_participant_sees_the_identity_fixed(app, english, provinces):
    confirm = english.post("/account/profile", data=form_data(provinces)).get_data(as_text=True)
    english.post("/account/profile/confirm", data=hidden_fields(confirm))
    with app.app_context():
        give_card(db.session.scalars(sa.select(Participant)).one())
        db.session.commit()
    html = english.get("/account/profile").get_data(as_text=True)
    assert 'name="nik"' not in html and 'name="full_name"' not in html
    assert "can no longer be changed" in html
    assert "3201********0004" in html and NIK_MALE not in html

    # Contact details still change; the identity is neither asked nor carried.
    contact = {
        "phone": "0811 2222 3333",
        "province_id": str(provinces["32"]),
        "city": "Kota Bandung",
        "education": "diploma",
        "employment": "worker",
    }
    confirm = english.post("/account/profile", data=contact).get_data(as_text=True)
    assert set(hidden_fields(confirm)) == set(contact)
    response = english.post("/account/profile/confirm", data=hidden_fields(confirm))
    assert response.status_code == 302

    # A forged identity answer is refused with the reason.
    forged = {**contact, "full_name": "Orang Lain"}
    response = english.post("/account/profile/confirm", data=forged)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert '<div class="notice notice--error" role="alert">Your NIK, family card number' in html
    with app.app_context():
        participant = db.session.scalars(sa.select(Participant)).one()
        assert participant.full_name == "Budi Santoso"
        assert participant.phone == "+6281122223333"
