"""Participants: the profile behind a participant account, and what its NIK says.

A NIK (Nomor Induk Kependudukan) is 16 digits:

    32 01 23 170895 0004
    |  |  |  |      serial (0001 and up)
    |  |  |  date of birth DDMMYY; women add 40 to the day (57 = the 17th)
    |  |  district (kecamatan), never 00
    |  regency or city (kabupaten/kota), never 00
    province: one of the 38 Kemendagri codes in the province table

The two-digit year takes the century that does not put the birth in the future: 2000 + YY
unless that date is after `today`, else 1900 + YY. So YY above today's YY is always 19YY;
on 15 January 2025, 150125 is 15 Jan 2025, 160125 is 16 Jan 1925 and 010126 is 1 Jan 1926.

A family card (KK) number is 16 digits too, with the same area codes, issuance digits
instead of a birth date, and a serial that is never 0000.

One profile per NIK, ever: `participant.nik` is unique and that constraint is the guard,
so two accounts saving the same NIK at once end with one profile and one clear refusal.
Once a participant has a card or an accepted application, the identity on it (NIK, KK,
name, date of birth, sex) is fixed.

NIK and KK numbers never go into an error parameter, the audit log or a log line.
"""

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

import phonenumbers
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from marketplace.core import N_, DomainError, audit
from marketplace.core.indonesia import jakarta_today
from marketplace.core.models import Province
from marketplace.extensions import db
from marketplace.money.models import Card
from marketplace.people.models import Education, Employment, Participant, Role, Sex, User
from marketplace.programme.models import Application

MIN_AGE = 18  # eligible from the 18th birthday …
MAX_AGE = 64  # … until the day before the 65th
FEMALE_DAY_OFFSET = 40
NAME_LENGTH = (2, 120)
CITY_LENGTH = (2, 80)

# The message shown when another account already holds the NIK; a view answers it with 409.
NIK_TAKEN = N_(
    "This NIK is already registered to another account. Each NIK can have one account only: "
    "sign in with that account, or contact us if you did not register it."
)
IDENTITY_LOCKED = N_(
    "Your NIK, family card number, name, date of birth and sex can no longer be changed, "
    "because you have been accepted into the programme. Contact us if one of them is wrong."
)

_TYPED_SEPARATORS = re.compile(r"[\s.]+")
_SIXTEEN_DIGITS = re.compile(r"[0-9]{16}")
_ALLOWED_PHONE_TYPES = {
    phonenumbers.PhoneNumberType.MOBILE,
    phonenumbers.PhoneNumberType.FIXED_LINE,
    phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
}


@dataclass(frozen=True)
class NikFacts:
    """What a valid NIK says about its holder."""

    province_id: int
    province_code: str
    province_name: str
    regency_code: str  # digits 3–4
    district_code: str  # digits 5–6
    birth_date: date
    sex: Sex
    serial: str  # digits 13–16


@dataclass(frozen=True)
class CheckedProfile:
    """A profile that passed every check, normalised, ready to be saved or confirmed.

    `nik` and `kk` are the numbers to store (the current ones when kept); `eligible` says
    whether the age on `today` is within 18–64 (saving does not depend on it; selection does).
    """

    nik: str
    kk: str
    full_name: str
    birth_date: date
    sex: Sex
    phone: str
    province: Province
    city: str
    education: Education
    employment: Employment
    facts: NikFacts
    age: int
    eligible: bool


def age_on(birth_date: date, on: date) -> int:
    """Whole years of age on a day (someone born on 29 February turns a year older on 1 March)."""
    before_birthday = (on.month, on.day) < (birth_date.month, birth_date.day)
    return on.year - birth_date.year - int(before_birthday)


def is_eligible_age(birth_date: date, on: date) -> bool:
    """Whether the age on `on` is within the programme's 18–64."""
    return MIN_AGE <= age_on(birth_date, on) <= MAX_AGE


def provinces() -> list[Province]:
    """The provinces, by Kemendagri code (for the profile's province question)."""
    return list(db.session.scalars(sa.select(Province).order_by(Province.code)))


def _strip_typed(number: str) -> str:
    """The number without the spaces and dots people type to group digits."""
    return _TYPED_SEPARATORS.sub("", number or "")


def _province_by_code(code: str) -> Province | None:
    return db.session.scalar(sa.select(Province).where(Province.code == code))


def _birth_date(ddmmyy: str, today: date) -> tuple[date, Sex] | None:
    """The date and sex of a NIK's digits 7–12, or None when they are not a real date."""
    day, month, year = int(ddmmyy[:2]), int(ddmmyy[2:4]), int(ddmmyy[4:])
    sex = Sex.MALE
    if day > FEMALE_DAY_OFFSET:
        day -= FEMALE_DAY_OFFSET
        sex = Sex.FEMALE
    for century in (2000, 1900):
        try:
            born = date(century + year, month, day)
        except ValueError:
            continue  # 29 February exists in 2000 but not in 1900
        if born <= today:
            return born, sex
    return None


def read_nik(nik: str, today: date | None = None) -> NikFacts:
    """What a NIK says (province, regency, district, birth date, sex, serial).

    Spaces and dots typed between the digits are ignored; anything else that is not a
    digit is refused. Raises DomainError(field="nik") with one message per failure.
    """
    today = today or jakarta_today()
    number = _strip_typed(nik)
    if not number:
        raise DomainError(N_("Enter your NIK, the 16-digit number on your KTP"), field="nik")
    if not number.isascii() or not number.isdigit():
        raise DomainError(N_("Your NIK must contain numbers only"), field="nik")
    if not _SIXTEEN_DIGITS.fullmatch(number):
        raise DomainError(
            N_("Your NIK must be 16 digits; you entered %(count)s"),
            field="nik",
            count=len(number),
        )
    province = _province_by_code(number[:2])
    if province is None:
        raise DomainError(
            N_("The first 2 digits of your NIK are not a province code. Check your KTP"),
            field="nik",
        )
    if number[2:4] == "00":
        raise DomainError(
            N_("Digits 3 and 4 of your NIK (the regency or city) cannot be 00. Check your KTP"),
            field="nik",
        )
    if number[4:6] == "00":
        raise DomainError(
            N_("Digits 5 and 6 of your NIK (the district) cannot be 00. Check your KTP"),
            field="nik",
        )
    born = _birth_date(number[6:12], today)
    if born is None:
        raise DomainError(
            N_(
                "Digits 7 to 12 of your NIK are not a real date of birth "
                "(day, month, year; women add 40 to the day). Check your KTP"
            ),
            field="nik",
        )
    if number[12:] == "0000":
        raise DomainError(
            N_("The last 4 digits of your NIK cannot be 0000. Check your KTP"), field="nik"
        )
    return NikFacts(
        province_id=province.id,
        province_code=province.code,
        province_name=province.name,
        regency_code=number[2:4],
        district_code=number[4:6],
        birth_date=born[0],
        sex=born[1],
        serial=number[12:],
    )


def normalise_kk(kk: str) -> str:
    """A family card number as stored: 16 digits, a known province, areas and serial not 0."""
    number = _strip_typed(kk)
    if not number:
        raise DomainError(
            N_("Enter your family card (KK) number, the 16-digit number on your Kartu Keluarga"),
            field="kk",
        )
    if not number.isascii() or not number.isdigit():
        raise DomainError(N_("Your family card number must contain numbers only"), field="kk")
    if not _SIXTEEN_DIGITS.fullmatch(number):
        raise DomainError(
            N_("Your family card number must be 16 digits; you entered %(count)s"),
            field="kk",
            count=len(number),
        )
    if _province_by_code(number[:2]) is None:
        raise DomainError(
            N_("The first 2 digits of your family card number are not a province code"),
            field="kk",
        )
    if number[2:4] == "00" or number[4:6] == "00":
        raise DomainError(
            N_("Digits 3 to 6 of your family card number (the regency and district) cannot be 00"),
            field="kk",
        )
    if number[12:] == "0000":
        raise DomainError(
            N_("The last 4 digits of your family card number cannot be 0000"), field="kk"
        )
    return number


def normalise_phone(phone: str) -> str:
    """An Indonesian mobile or fixed-line number in E.164 form: 0812-3456-7890 → +6281234567890."""
    text = (phone or "").strip()
    if not text:
        raise DomainError(N_("Enter your phone number"), field="phone")
    invalid = DomainError(
        N_("Enter an Indonesian phone number, like 0812 3456 7890 or +62 812 3456 7890"),
        field="phone",
    )
    if len(text) > 30:
        raise invalid
    candidates = [text]
    digits = re.sub(r"[\s().-]", "", text)
    if digits.startswith("62") and digits.isdigit():
        candidates.insert(0, "+" + digits)  # the country code typed without its plus
    for candidate in candidates:
        try:
            parsed = phonenumbers.parse(candidate, "ID")
        except phonenumbers.NumberParseException:
            continue
        if (
            phonenumbers.region_code_for_number(parsed) == "ID"
            and phonenumbers.is_valid_number(parsed)
            and phonenumbers.number_type(parsed) in _ALLOWED_PHONE_TYPES
        ):
            return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
    raise invalid


def _text(value: str | None, field: str, length: tuple[int, int], messages) -> str:
    """Trimmed text with inner runs of blanks made single, within `length`, printable."""
    text = " ".join((value or "").split())
    empty, short, long, unprintable = messages
    if not text:
        raise DomainError(empty, field=field)
    if any(unicodedata.category(character) in ("Cc", "Cs") for character in text):
        raise DomainError(unprintable, field=field)
    if len(text) < length[0]:
        raise DomainError(short, field=field, min=length[0])
    if len(text) > length[1]:
        raise DomainError(long, field=field, max=length[1])
    return text


def participant_of(user: User) -> Participant | None:
    """The participant profile of an account, if it has one (read afresh)."""
    return db.session.scalar(
        sa.select(Participant)
        .where(Participant.user_id == user.id)
        .execution_options(populate_existing=True)
    )


def identity_locked(participant: Participant | None) -> bool:
    """Whether the participant's identity is fixed: a card, or any application to a batch.

    Once a participant has applied, the NIK carries its history (rejections count towards
    the limit of three): changing it would free the old NIK for a fresh account.
    """
    if participant is None or participant.id is None:
        return False
    has_card = db.session.scalar(
        sa.select(Card.id).where(Card.participant_id == participant.id).limit(1)
    )
    if has_card is not None:
        return True
    applied = db.session.scalar(
        sa.select(Application.id).where(Application.participant_id == participant.id).limit(1)
    )
    return applied is not None


def _nik_holder(nik: str) -> int | None:
    """The user id of the account that holds a NIK, if any."""
    return db.session.scalar(sa.select(Participant.user_id).where(Participant.nik == nik))


def check_profile(
    user: User,
    *,
    nik: str | None,
    kk: str | None,
    full_name: str | None,
    birth_date: date | None,
    sex: Sex | None,
    phone: str | None,
    province_id: int | None,
    city: str | None,
    education: Education | None,
    employment: Employment | None,
    today: date,
) -> CheckedProfile:
    """Check a participant's profile answers without saving anything.

    For a participant who already has a profile, `nik` or `kk` None (or blank) keeps the
    current number, and `full_name`, `birth_date` or `sex` None keeps the current value.
    Raises a DomainError listing every refused answer in `errors` (`DomainError.several`).
    """
    if user.role != Role.PARTICIPANT:
        raise DomainError(N_("Only participant accounts have a participant profile."))
    current = participant_of(user)
    errors: list[DomainError] = []

    def attempt(check, *args):
        try:
            return check(*args)
        except DomainError as error:
            errors.append(error)
            return None

    # Identity: kept values when the profile exists and the answer was left out.
    if current is not None:
        nik = current.nik if not _strip_typed(nik) else nik
        kk = current.kk if not _strip_typed(kk) else kk
        full_name = current.full_name if full_name is None else full_name
        birth_date = current.birth_date if birth_date is None else birth_date
        sex = current.sex if sex is None else sex

    facts = attempt(read_nik, nik or "", today)
    nik_number = _strip_typed(nik) if facts else None
    kk_number = attempt(normalise_kk, kk or "")
    name = attempt(
        _text,
        full_name,
        "full_name",
        NAME_LENGTH,
        (
            N_("Enter your full name as it is written on your KTP"),
            N_("Your full name must be at least %(min)s characters"),
            N_("Your full name must be %(max)s characters or fewer"),
            N_("Your full name must not contain special characters"),
        ),
    )
    if birth_date is None:
        errors.append(DomainError(N_("Enter your date of birth"), field="birth_date"))
    elif birth_date > today:
        errors.append(DomainError(N_("Your date of birth must be in the past"), field="birth_date"))
    elif facts is not None and birth_date != facts.birth_date:
        errors.append(
            DomainError(
                N_(
                    "The date of birth you entered does not match your NIK, which says "
                    "%(nik_date)s. Check both against your KTP"
                ),
                field="birth_date",
                nik_date=f"{facts.birth_date:%d/%m/%Y}",
            )
        )
    if sex is None:
        errors.append(DomainError(N_("Select your sex"), field="sex"))
    elif facts is not None and sex != facts.sex:
        errors.append(
            DomainError(
                N_(
                    "The sex you selected does not match your NIK: in a woman's NIK, 40 is "
                    "added to the day of birth (digits 7 and 8). Check both against your KTP"
                ),
                field="sex",
            )
        )
    phone_number = attempt(normalise_phone, phone or "")
    province = db.session.get(Province, province_id) if province_id else None
    if province is None:
        errors.append(DomainError(N_("Select the province where you live"), field="province_id"))
    city_name = attempt(
        _text,
        city,
        "city",
        CITY_LENGTH,
        (
            N_("Enter the city or regency where you live"),
            N_("The city or regency must be at least %(min)s characters"),
            N_("The city or regency must be %(max)s characters or fewer"),
            N_("The city or regency must not contain special characters"),
        ),
    )
    if not isinstance(education, Education):
        errors.append(DomainError(N_("Select your last education"), field="education"))
    if not isinstance(employment, Employment):
        errors.append(DomainError(N_("Select your employment status"), field="employment"))

    if nik_number is not None and _nik_holder(nik_number) not in (None, user.id):
        errors.insert(0, DomainError(NIK_TAKEN, field="nik"))
    if current is not None and not errors and identity_locked(current):
        unchanged = (
            nik_number == current.nik
            and kk_number == current.kk
            and name == current.full_name
            and birth_date == current.birth_date
            and sex == current.sex
        )
        if not unchanged:
            errors.append(DomainError(IDENTITY_LOCKED))
    if errors:
        raise DomainError.several(errors)

    age = age_on(birth_date, today)
    return CheckedProfile(
        nik=nik_number,
        kk=kk_number,
        full_name=name,
        birth_date=birth_date,
        sex=sex,
        phone=phone_number,
        province=province,
        city=city_name,
        education=education,
        employment=employment,
        facts=facts,
        age=age,
        eligible=MIN_AGE <= age <= MAX_AGE,
    )


def save_profile(
    user: User,
    *,
    nik: str | None,
    kk: str | None,
    full_name: str | None,
    birth_date: date | None,
    sex: Sex | None,
    phone: str | None,
    province_id: int | None,
    city: str | None,
    education: Education | None,
    employment: Employment | None,
    today: date,
) -> Participant:
    """Create or update the participant profile of a participant account.

    Checks everything `check_profile` checks (the answers may come back from a page, so
    they are never trusted) and refuses a NIK another account holds, also when two
    accounts save it at the same moment: the unique NIK decides, inside a savepoint.
    """
    checked = check_profile(
        user,
        nik=nik,
        kk=kk,
        full_name=full_name,
        birth_date=birth_date,
        sex=sex,
        phone=phone,
        province_id=province_id,
        city=city,
        education=education,
        employment=employment,
        today=today,
    )
    participant = participant_of(user)
    created = participant is None
    values = {
        "nik": checked.nik,
        "kk": checked.kk,
        "full_name": checked.full_name,
        "birth_date": checked.birth_date,
        "sex": checked.sex,
        "phone": checked.phone,
        "province_id": checked.province.id,
        "city": checked.city,
        "education": checked.education,
        "employment": checked.employment,
    }
    if created:
        changed = sorted(values)
    else:
        changed = sorted(
            name for name, value in values.items() if getattr(participant, name) != value
        )
    try:
        with db.session.begin_nested():
            if created:
                participant = Participant(user_id=user.id, **values)
                db.session.add(participant)
            else:
                for name, value in values.items():
                    setattr(participant, name, value)
            db.session.flush()
    except IntegrityError:
        if _nik_holder(checked.nik) not in (None, user.id):
            raise DomainError(NIK_TAKEN, field="nik") from None
        raise DomainError(
            N_("Your profile was being saved twice at the same time. Check it and save it again.")
        ) from None
    audit.record(
        "participant.profile_saved",
        f"participant:{participant.id}",
        actor=user,
        created=created,
        changed=changed,
    )
    db.session.flush()
    return participant
