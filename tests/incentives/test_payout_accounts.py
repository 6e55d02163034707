"""Linking and changing a payout account (incentives/payout_accounts.py, channels.py): the
numbers' rules, the bank's inquiry and the name check, the code (digest only, ten minutes,
five wrong tries, a new code voids the old), the 24-hour hold on a change and its mail, and
an account number held by another participant (refused, flagged, the flag kept)."""

from datetime import timedelta

import pytest
import sqlalchemy as sa
from support.programme_rows import make_participant

from marketplace.core import DomainError, mail
from marketplace.core.base import utcnow
from marketplace.core.database import kept_despite_refusal
from marketplace.core.models import AuditEvent
from marketplace.extensions import db
from marketplace.incentives import channels, payout_accounts, schedule
from marketplace.incentives.gateway import GatewayRefused, GatewayUnavailable
from marketplace.incentives.models import (
    PayoutAccount,
    PayoutAccountFlag,
    PayoutKind,
    PayoutLinkRequest,
)

PHONE = "+6281234567890"
BCA = "1234567890"


class FakeGateway:
    """The gateway's inquiry as a dictionary: (channel, number) → the holder's name, or
    the error code of a refusal; `down` answers nothing."""

    def __init__(self, accounts=None, down=False):
        self.accounts = dict(accounts or {})
        self.down = down
        self.calls = []

    def inquire(self, channel, number):
        self.calls.append((channel, number))
        if self.down:
            raise GatewayUnavailable("no answer")
        found = self.accounts.get((channel, number))
        if found is None:
            raise GatewayRefused(404, "ACCOUNT_NOT_FOUND", "no such account")
        if found == "REJECTED":
            raise GatewayRefused(422, "ACCOUNT_REJECTED", "closed")
        return found


class Codes:
    """A stand-in for `secrets` that draws the codes given, in order."""

    def __init__(self, *codes):
        self.codes = list(codes)

    def randbelow(self, _limit):
        return self.codes.pop(0)


@pytest.fixture
def now():
    return utcnow().replace(microsecond=0)


@pytest.fixture
def budi(ctx):
    participant = make_participant(name="Budi Santoso")
    participant.phone = PHONE
    db.session.flush()
    return participant


@pytest.fixture
def ani(ctx):
    participant = make_participant(name="Ani Lestari")
    participant.phone = "+6285712345678"
    db.session.flush()
    return participant


@pytest.fixture
def scheduled(monkeypatch):
    """Records every call of the lead's scheduling (schedule.schedule_for)."""
    calls = []
    real = schedule.schedule_for

    def recording(participant, now):
        calls.append((participant.id, now))
        return real(participant, now)

    monkeypatch.setattr(schedule, "schedule_for", recording)
    return calls


def gateway(**accounts):
    return FakeGateway({tuple(key.split(":")): name for key, name in accounts.items()})


BUDI_AT_BCA = {("bca", BCA): "BUDI SANTOSO", ("ovo", "081234567890"): "BUDI SANTOSO"}


def link(participant, channel, number, now, names=BUDI_AT_BCA, code=123456):
    row, sent = payout_accounts.request_link(
        participant, channel, number, FakeGateway(names), now, rng=Codes(code)
    )
    return payout_accounts.confirm_link(participant, row.id, sent, now + timedelta(minutes=1))


def rows(model):
    return db.session.scalars(sa.select(model).order_by(model.id)).all()


def outbox(participant):
    return mail.recent(recipient=participant.user.email, last=50)


# --- the channels and their numbers --------------------------------------------------------


def test_the_channels_are_the_files_rows():
    codes = {channel.code: channel for channel in channels.all_channels()}
    assert list(codes) == ["ovo", "gopay", "linkaja", "dana", "bni", "bca", "bri", "mandiri"]
    assert {code: channel.digits for code, channel in codes.items() if not channel.is_ewallet} == {
        "bni": 10,
        "bca": 10,
        "bri": 15,
        "mandiri": 13,
    }
    assert all(
        codes[code].kind is PayoutKind.EWALLET for code in ("ovo", "gopay", "linkaja", "dana")
    )
    assert channels.find("paypal") is None
    with pytest.raises(DomainError) as refused:
        channels.get("paypal")
    assert refused.value.field == "channel"


@pytest.mark.parametrize(
    ("code", "typed", "stored"),
    [
        ("bni", "0123456789", "0123456789"),
        ("bca", "123 456 7890", "1234567890"),
        ("bca", "123-456-7890", "1234567890"),
        ("bri", "0123-01-000123-50-9", "012301000123509"),
        ("mandiri", "1370012345678", "1370012345678"),
    ],
)
def test_a_bank_number_has_the_banks_count_of_digits(code, typed, stored):
    assert channels.check_number(channels.get(code), typed, PHONE) == stored


@pytest.mark.parametrize(
    ("code", "typed", "says"),
    [
        ("bca", "123456789", "has 10 digits; the number you entered has 9"),
        ("bca", "12345678901", "has 10 digits; the number you entered has 11"),
        ("bri", "1234567890", "has 15 digits"),
        ("mandiri", "1234567890", "has 13 digits"),
        ("bni", "12345abcde", "digits only"),
        ("bni", "١٢٣٤٥٦٧٨٩٠", "digits only"),  # Arabic-Indic digits are not a bank's
        ("bni", "²123456789", "digits only"),
        ("bni", "9" * 400, "digits only"),
        ("bni", "", "Enter your"),
        ("bni", "   ", "Enter your"),
    ],
)
def test_a_wrong_bank_number_is_refused_saying_why(code, typed, says):
    channel = channels.get(code)
    with pytest.raises(DomainError) as refused:
        channels.check_number(channel, typed, PHONE)
    message = refused.value.message % refused.value.params
    assert says in message
    assert refused.value.field == "number"


@pytest.mark.parametrize(
    "typed",
    ["081234567890", "0812-3456-7890", "0812 3456 7890", "6281234567890", "+62 812 3456 7890"],
)
def test_an_ewallet_is_the_registered_phone_typed_any_usual_way(typed):
    assert channels.check_number(channels.get("ovo"), typed, PHONE) == "081234567890"


def test_another_phone_is_refused_with_the_registered_one_masked():
    with pytest.raises(channels.PhoneMismatch) as refused:
        channels.check_number(channels.get("gopay"), "0813 1111 2222", PHONE)
    assert refused.value.params["registered"] == "0812•••••890"
    assert refused.value.params["channel"] == "GoPay"
    assert "profile" in refused.value.message
    with pytest.raises(DomainError) as garbage:
        channels.check_number(channels.get("dana"), "not a phone", PHONE)
    assert "like 0812 3456 7890" in garbage.value.message


def test_numbers_are_shown_masked():
    assert channels.get("bca").masked("1234567890") == "••••••7890"
    assert channels.get("ovo").masked("081234567890") == "0812•••••890"
    assert payout_accounts.account_label("bri", "012301000123509") == "BRI •••••••••••3509"


# --- step 1: the inquiry, the name, the code -------------------------------------------------


def test_a_request_keeps_the_codes_digest_and_mails_the_code(budi, now):
    row, code = payout_accounts.request_link(
        budi, "bca", "123 456 7890", FakeGateway(BUDI_AT_BCA), now, rng=Codes(42)
    )
    assert code == "000042"
    assert (row.channel, row.number, row.kind) == ("bca", BCA, PayoutKind.BANK)
    assert row.holder_name == "BUDI SANTOSO"
    assert row.expires_at == now + timedelta(minutes=10)
    assert len(row.code_digest) == 64 and code not in row.code_digest
    [message] = outbox(budi)
    assert message.recipient == budi.user.email
    assert code in message.body
    assert "BCA ••••••7890" in message.body and BCA not in message.body
    assert "change your password" in message.body and "/contact" in message.body
    assert payout_accounts.current_account(budi) is None  # nothing linked before the code


def test_a_holder_name_not_on_the_ktp_is_refused_showing_both(budi, now):
    other = FakeGateway({("bca", BCA): "SUSI SUSANTI"})
    with pytest.raises(payout_accounts.NameMismatch) as refused:
        payout_accounts.request_link(budi, "bca", BCA, other, now)
    assert refused.value.params["holder"] == "SUSI SUSANTI"
    assert refused.value.params["ktp"] == "Budi Santoso"
    assert rows(PayoutLinkRequest) == [] and outbox(budi) == []


def test_a_holder_name_written_otherwise_is_accepted(budi, now):
    bank = FakeGateway({("bca", BCA): "BPK. BUDI SANTOSO, S.KOM"})
    row, _code = payout_accounts.request_link(budi, "bca", BCA, bank, now)
    assert row.holder_name == "BPK. BUDI SANTOSO, S.KOM"


@pytest.mark.parametrize(
    ("bank", "error", "says"),
    [
        (FakeGateway({}), DomainError, "There is no such account at %(channel)s"),
        (FakeGateway({("bca", BCA): "REJECTED"}), DomainError, "%(channel)s refused this account"),
        (FakeGateway(down=True), payout_accounts.BankUnreachable, "could not be reached"),
    ],
)
def test_the_banks_refusals_are_told(budi, now, bank, error, says):
    with pytest.raises(error) as refused:
        payout_accounts.request_link(budi, "bca", BCA, bank, now)
    assert says in refused.value.message
    assert rows(PayoutLinkRequest) == [] and outbox(budi) == []


def test_the_bank_is_asked_only_about_a_number_that_keeps_the_rules(budi, now):
    bank = FakeGateway(BUDI_AT_BCA)
    for channel, number in (("bca", "123"), ("ovo", "0813 1111 2222"), ("paypal", BCA)):
        with pytest.raises(DomainError):
            payout_accounts.request_link(budi, channel, number, bank, now)
    assert bank.calls == []


# --- step 2: the code ----------------------------------------------------------------------


def test_the_first_account_is_usable_at_once_and_schedules_incentives(budi, now, scheduled):
    account = link(budi, "ovo", "0812-3456-7890", now)
    assert (account.channel, account.number, account.kind) == (
        "ovo",
        "081234567890",
        PayoutKind.EWALLET,
    )
    assert account.usable_from == account.linked_at == now + timedelta(minutes=1)
    assert payout_accounts.current_account(budi) == account
    assert payout_accounts.usable_account(budi, now + timedelta(minutes=1)) == account
    assert scheduled == [(budi.id, now + timedelta(minutes=1))]
    actions = db.session.scalars(sa.select(AuditEvent.action)).all()
    assert "payout_account.linked" in actions


def test_a_change_holds_payouts_for_a_day_and_mails_the_participant(budi, now, scheduled):
    first = link(budi, "bca", BCA, now)
    later = now + timedelta(days=3)
    names = {("ovo", "081234567890"): "Budi Santoso"}
    second = link(budi, "ovo", "081234567890", later, names=names)
    changed_at = later + timedelta(minutes=1)
    db.session.refresh(first)
    assert first.replaced_at == changed_at
    assert second.usable_from == changed_at + timedelta(hours=24)
    assert payout_accounts.current_account(budi) == second
    assert payout_accounts.usable_account(budi, changed_at + timedelta(hours=23)) is None
    assert payout_accounts.usable_account(budi, changed_at + timedelta(hours=24)) == second
    notice = outbox(budi)[-1]
    assert notice.subject == "Your payout account has been changed"
    assert "OVO 0812•••••890" in notice.body
    assert "If you did not make this change" in notice.body
    assert "/account/payout" in notice.body
    assert len(scheduled) == 2
    actions = db.session.scalars(sa.select(AuditEvent.action)).all()
    assert "payout_account.changed" in actions


def test_the_current_account_again_is_refused(budi, now):
    link(budi, "bca", BCA, now)
    with pytest.raises(DomainError) as refused:
        payout_accounts.request_link(budi, "bca", BCA, FakeGateway(BUDI_AT_BCA), now)
    assert "already your payout account" in refused.value.message


def test_five_wrong_codes_void_the_request_and_each_is_kept(budi, now):
    row, code = payout_accounts.request_link(
        budi, "bca", BCA, FakeGateway(BUDI_AT_BCA), now, rng=Codes(111111)
    )
    for left in (4, 3, 2, 1):
        with pytest.raises(payout_accounts.WrongCode) as wrong:
            payout_accounts.confirm_link(budi, row.id, "222222", now)
        assert wrong.value.params == {"left": left}
        assert kept_despite_refusal()
    with pytest.raises(payout_accounts.WrongCode) as fifth:
        payout_accounts.confirm_link(budi, row.id, "222222", now)
    assert "Too many wrong codes" in fifth.value.message
    db.session.refresh(row)
    assert row.attempts == 5
    with pytest.raises(DomainError) as then:
        payout_accounts.confirm_link(budi, row.id, code, now)  # even the right code
    assert "Too many wrong codes" in then.value.message
    with pytest.raises(DomainError):
        payout_accounts.resend_code(budi, row.id, now)
    assert payout_accounts.current_account(budi) is None
    assert payout_accounts.open_request(budi, now) is None


def test_a_code_that_is_not_six_digits_is_not_counted(budi, now):
    row, _code = payout_accounts.request_link(budi, "bca", BCA, FakeGateway(BUDI_AT_BCA), now)
    for typed in ("", "12345", "1234567", "abcdef", "١٢٣٤٥٦"):
        with pytest.raises(DomainError) as refused:
            payout_accounts.confirm_link(budi, row.id, typed, now)
        assert refused.value.message == "Enter the 6-digit code from the email."
    db.session.refresh(row)
    assert row.attempts == 0


def test_an_expired_code_says_so_and_a_new_one_works(budi, now):
    row, code = payout_accounts.request_link(
        budi, "bca", BCA, FakeGateway(BUDI_AT_BCA), now, rng=Codes(111111, 333333)
    )
    late = now + timedelta(minutes=10)
    with pytest.raises(payout_accounts.CodeExpired) as expired:
        payout_accounts.confirm_link(budi, row.id, code, late)
    assert expired.value.params["time"] == row.expires_at
    assert payout_accounts.open_request(budi, late) == row  # the page offers a new code
    new, new_code = payout_accounts.resend_code(budi, row.id, late, rng=Codes(333333))
    assert new.id != row.id and new_code == "333333"
    assert (new.channel, new.number, new.holder_name) == (row.channel, row.number, row.holder_name)
    assert "This code replaces the one we sent before" in outbox(budi)[-1].body
    account = payout_accounts.confirm_link(budi, new.id, new_code, late)
    assert account.number == BCA


def test_a_new_code_voids_the_older_one(budi, now):
    row, code = payout_accounts.request_link(
        budi, "bca", BCA, FakeGateway(BUDI_AT_BCA), now, rng=Codes(111111)
    )
    new, new_code = payout_accounts.resend_code(budi, row.id, now + timedelta(minutes=2))
    db.session.refresh(row)
    assert row.expires_at == now + timedelta(minutes=2)
    with pytest.raises(DomainError) as old:
        payout_accounts.confirm_link(budi, row.id, code, now + timedelta(minutes=3))
    assert "newer code" in old.value.message or "expired" in old.value.message
    with pytest.raises(DomainError) as older:
        payout_accounts.resend_code(budi, row.id, now + timedelta(minutes=3))
    assert "newer code" in older.value.message
    assert payout_accounts.confirm_link(budi, new.id, new_code, now + timedelta(minutes=3))


def test_a_new_account_request_voids_the_one_before(budi, now):
    first, code = payout_accounts.request_link(
        budi, "bca", BCA, FakeGateway(BUDI_AT_BCA), now, rng=Codes(111111)
    )
    payout_accounts.request_link(budi, "ovo", PHONE, FakeGateway(BUDI_AT_BCA), now, rng=Codes(2))
    with pytest.raises(DomainError) as refused:
        payout_accounts.confirm_link(budi, first.id, code, now)
    assert "newer code" in refused.value.message or "expired" in refused.value.message


def test_a_double_submit_returns_the_account_linked_the_first_time(budi, now):
    row, code = payout_accounts.request_link(budi, "bca", BCA, FakeGateway(BUDI_AT_BCA), now)
    first = payout_accounts.confirm_link(budi, row.id, code, now)
    again = payout_accounts.confirm_link(budi, row.id, code, now)
    assert again.id == first.id
    assert len(rows(PayoutAccount)) == 1


def test_a_request_of_another_participant_is_not_found(budi, ani, now):
    row, code = payout_accounts.request_link(budi, "bca", BCA, FakeGateway(BUDI_AT_BCA), now)
    with pytest.raises(payout_accounts.RequestNotFound):
        payout_accounts.confirm_link(ani, row.id, code, now)
    with pytest.raises(payout_accounts.RequestNotFound):
        payout_accounts.resend_code(ani, row.id, now)


# --- one account number, one participant -------------------------------------------------


def test_another_participants_account_is_refused_and_flagged(budi, ani, now):
    link(budi, "bca", BCA, now)
    bank = FakeGateway({("bca", BCA): "Ani Lestari"})
    with pytest.raises(payout_accounts.AccountTaken) as refused:
        payout_accounts.request_link(ani, "bca", "123-456-7890", bank, now)
    assert "already linked to another participant" in refused.value.message
    assert "office has been told" in refused.value.message
    assert kept_despite_refusal()
    [flag] = rows(PayoutAccountFlag)
    assert (flag.participant_id, flag.holder_participant_id) == (ani.id, budi.id)
    assert (flag.channel, flag.number, flag.resolved_at) == ("bca", BCA, None)
    assert bank.calls == []  # refused before the bank is asked
    with pytest.raises(payout_accounts.AccountTaken):
        payout_accounts.request_link(ani, "bca", BCA, bank, now)
    assert len(rows(PayoutAccountFlag)) == 1  # one open flag per participant and number
    actions = db.session.scalars(sa.select(AuditEvent.action)).all()
    assert actions.count("payout_account.flagged") == 1


def test_an_account_linked_meanwhile_by_another_is_refused_at_the_code(budi, ani, now):
    ani_at_bca = FakeGateway({("bca", BCA): "ANI LESTARI"})
    row, code = payout_accounts.request_link(ani, "bca", BCA, ani_at_bca, now)
    link(budi, "bca", BCA, now)  # between Ani's two steps
    with pytest.raises(payout_accounts.AccountTaken):
        payout_accounts.confirm_link(ani, row.id, code, now)
    assert [flag.participant_id for flag in rows(PayoutAccountFlag)] == [ani.id]
    assert payout_accounts.current_account(ani) is None


def test_the_unique_index_decides_a_race(budi, ani, now, monkeypatch):
    """Two participants confirming one number at once: the check before the insert saw
    nothing; the partial unique index refuses the second in its SAVEPOINT."""
    ani_at_bca = FakeGateway({("bca", BCA): "ANI LESTARI"})
    row, code = payout_accounts.request_link(ani, "bca", BCA, ani_at_bca, now)
    link(budi, "bca", BCA, now)
    monkeypatch.setattr(payout_accounts, "_check_not_taken", lambda *args: None)
    with pytest.raises(payout_accounts.AccountTaken):
        payout_accounts.confirm_link(ani, row.id, code, now)
    db.session.refresh(row)
    assert row.used_at is None  # the SAVEPOINT took the code's use back
    assert [flag.participant_id for flag in rows(PayoutAccountFlag)] == [ani.id]
    assert [account.participant_id for account in rows(PayoutAccount)] == [budi.id]


def test_a_replaced_number_may_be_linked_by_another(budi, ani, now):
    link(budi, "bca", BCA, now)
    link(budi, "ovo", PHONE, now + timedelta(hours=1))
    account = payout_accounts.link_directly(ani, "bca", BCA, "ANI LESTARI", now)
    assert account.participant_id == ani.id


# --- the demo's way: no code, no gateway, every other rule --------------------------------


def test_link_directly_keeps_every_rule(budi, ani, now, scheduled):
    with pytest.raises(payout_accounts.NameMismatch):
        payout_accounts.link_directly(budi, "bca", BCA, "Ani Lestari", now)
    with pytest.raises(DomainError):
        payout_accounts.link_directly(budi, "bca", "12345", "Budi Santoso", now)
    with pytest.raises(channels.PhoneMismatch):
        payout_accounts.link_directly(budi, "dana", "0857 1234 5678", "Budi Santoso", now)
    account = payout_accounts.link_directly(budi, "bca", BCA, "BUDI SANTOSO", now)
    assert account.usable_from == now and account.number == BCA
    assert scheduled == [(budi.id, now)]
    with pytest.raises(payout_accounts.AccountTaken):
        payout_accounts.link_directly(ani, "bca", BCA, "Ani Lestari", now)
    changed = payout_accounts.link_directly(budi, "dana", PHONE, "Budi Santoso", now)
    assert changed.number == "081234567890"
    assert changed.usable_from == now + timedelta(hours=24)
    assert outbox(budi)[-1].subject == "Your payout account has been changed"
