"""Every state a page shows has one label, kept in web/labels.py beside its tag."""

from marketplace.money.models import CardStatus
from marketplace.orders.models import OrderStatus
from marketplace.people.models import Employment
from marketplace.programme.models import Outcome
from marketplace.web import labels


def test_every_order_and_card_status_has_a_label_and_a_tag():
    for statuses, names, tags in (
        (OrderStatus, labels.ORDER_STATUSES, labels.ORDER_TAGS),
        (CardStatus, labels.CARD_STATUSES, labels.CARD_TAGS),
    ):
        values = {status.value for status in statuses}
        assert set(names) == values and set(tags) == values


def test_every_outcome_and_employment_has_the_offices_label():
    assert set(labels.BATCH_OUTCOMES) == {outcome.value for outcome in Outcome}
    assert set(labels.OFFICE_EMPLOYMENT) == {item.value for item in Employment}
    assert set(labels.NOT_SELECTED) == set(labels.OFFICE_NOT_SELECTED)



def test_every_answer_of_the_profile_has_the_participants_label():
    from marketplace.people.models import Education, Sex

    assert set(labels.SEX_LABELS) == set(Sex)
    assert set(labels.EDUCATION_LABELS) == set(Education)
    assert set(labels.EMPLOYMENT_LABELS) == set(Employment)
