"""Voucher and redeem codes: made without look-alikes, shown in groups of four, read back
however they are typed; codes made before the new alphabet still work."""

import random

import pytest
import sqlalchemy as sa
from support.checkout_rows import buy, card_of

from marketplace.catalogue.models import Provider
from marketplace.core import DomainError
from marketplace.extensions import db
from marketplace.orders import checkout, redemption
from marketplace.orders.models import Order, OrderStatus

LOOK_ALIKES = set("0O1IL2Z5S8BQ")


def provider(provider_id: int) -> Provider:
    return db.session.get(Provider, provider_id)


def set_codes(order: Order, voucher: str, redeem: str | None = None) -> None:
    """Give an order codes of the old alphabet, as the database may hold them."""
    db.session.execute(
        sa.update(Order)
        .where(Order.id == order.id)
        .values(voucher_code=voucher, redeem_code=redeem)
        .execution_options(synchronize_session=False)
    )
    db.session.flush()


# --- the alphabet and the groups -----------------------------------------------------------


def test_the_alphabet_has_no_look_alikes():
    assert LOOK_ALIKES.isdisjoint(redemption.CODE_ALPHABET)
    assert len(set(redemption.CODE_ALPHABET)) == len(redemption.CODE_ALPHABET) >= 20
    assert redemption.CODE_ALPHABET.isascii() and redemption.CODE_ALPHABET.isalnum()
    assert redemption.CODE_ALPHABET.upper() == redemption.CODE_ALPHABET


def test_new_codes_use_only_the_alphabet():
    rng = random.Random(11)
    for _ in range(500):
        code = redemption.new_code("VC", rng)
        assert code.startswith("VC") and len(code) == 12
        assert set(code[2:]) <= set(redemption.CODE_ALPHABET)


def test_codes_are_shown_in_groups_of_four():
    assert redemption.grouped("VCK7WXM3PDHJ") == "VCK7-WXM3-PDHJ"
    assert redemption.grouped("K7WXM3PD") == "K7WX-M3PD"
    assert redemption.grouped("") == "" and redemption.grouped(None) == ""


def test_a_purchase_makes_codes_without_look_alikes(shop, ctx):
    card_of(shop.buyer).scheme.one_unfinished_course = False
    orders = [buy(shop, shop.self_paced), buy(shop, shop.webinar, shop.webinar_session)]
    for order in orders:
        assert LOOK_ALIKES.isdisjoint(order.voucher_code[2:])
    assert orders[1].redeem_code.startswith("RD")
    assert LOOK_ALIKES.isdisjoint(orders[1].redeem_code[2:])


# --- reading codes back --------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed",
    [
        "VCK7WXM3PDHJ",
        "vck7wxm3pdhj",
        "VCK7-WXM3-PDHJ",
        " vck7 wxm3 pdhj ",
        "VCK7–WXM3—PDHJ",  # en and em dashes from a phone's keyboard
        "VCK7.WXM3.PDHJ",
        "ＶＣＫ７ＷＸＭ３ＰＤＨＪ",  # full-width
        "VC K7WX\tM3PD_HJ",
    ],
)
def test_normalise_takes_any_case_and_separator(typed):
    assert redemption.normalise(typed) == "VCK7WXM3PDHJ"
    assert redemption.spellings(typed) == ["VCK7WXM3PDHJ"]


def test_normalise_reads_look_alikes_as_one():
    assert redemption.normalise("vco-iLz-sb") == "VC011258"
    # An old code's Z, S, B, L and Q may be typed as 2, 5, 8, 1 and 0 (or O, I), and back.
    old = "VCZ2S5B8LQAA"
    for typed in ("VC22558810AA", "vcz2-s5b8-lqaa", "VC2Z5S8B1OAA", "vcZZSSBBIOaa"):
        assert old in redemption.spellings(typed)


def test_spellings_are_bounded_and_nothing_else_is_a_code():
    assert len(redemption.spellings("VC2222222222")) == 2**10
    for typed in ("", "VC", "VCK7WXM3PDH", "VCK7WXM3PDHJK", "XXK7WXM3PDHJ", "x" * 5000, None,
                  "VCK7WXM3PDH😀", "' OR 1=1 --"):
        assert redemption.spellings(typed) == []


def test_a_new_code_redeems_however_it_is_typed(shop, ctx):
    order = buy(shop, shop.self_paced)
    typed = " " + redemption.grouped(order.voucher_code).lower().replace("-", " - ") + " "
    assert redemption.redeem(provider(shop.provider_id), typed, shop.now).id == order.id


def test_an_old_code_still_redeems_as_written_and_with_look_alikes(shop, ctx):
    card_of(shop.buyer).scheme.one_unfinished_course = False
    first = buy(shop, shop.self_paced)
    second = buy(shop, shop.other)
    set_codes(first, "VCZ2S5B8LQAA")
    set_codes(second, "VCHJKMNPQRST")
    assert redemption.redeem(provider(shop.provider_id), "VCZ2S5B8LQAA", shop.now).id == first.id
    found = redemption.redeem(provider(shop.provider_id), "vc-hjkm-npor-5t", shop.now)
    assert found.id == second.id and found.status is OrderStatus.REDEEMED


def test_look_alikes_never_pick_one_of_two_old_codes(shop, ctx):
    """Two old codes that differ only by a look-alike: the one typed exactly is found; a
    spelling that could be either is not guessed."""
    card_of(shop.buyer).scheme.one_unfinished_course = False
    first = buy(shop, shop.self_paced)
    second = buy(shop, shop.other)
    set_codes(first, "VCZ2AAAAAAAA")
    set_codes(second, "VC2ZAAAAAAAA")
    with pytest.raises(DomainError, match="Code not found"):
        redemption.redeem(provider(shop.provider_id), "VC22AAAAAAAA", shop.now)
    assert redemption.redeem(provider(shop.provider_id), "vc2z-aaaa-aaaa", shop.now).id == second.id
    assert redemption.redeem(provider(shop.provider_id), "VCZ2AAAAAAAA", shop.now).id == first.id


def test_the_office_finds_orders_by_any_spelling_of_a_code(shop, ctx):
    card_of(shop.buyer).scheme.one_unfinished_course = False
    new = buy(shop, shop.self_paced)
    old = buy(shop, shop.webinar, shop.webinar_session)
    set_codes(old, "VCZ2S5B8LQAA", "RDBBBBCCCCDD")
    for typed, expected in [
        (redemption.grouped(new.voucher_code).lower(), new.id),
        ("VC22-5588-10AA", old.id),
        ("rd88 88cc ccdd", old.id),
    ]:
        assert [row.id for row in checkout.find_orders(typed).items] == [expected]
    assert checkout.find_orders("VC00-0000-0000").items == []
