"""DomainError: one class for one refusal and for several answers refused at once."""

from marketplace.core import N_, DomainError


def test_a_single_refusal_lists_itself():
    error = DomainError(N_("Enter the quota."), field="quota")
    assert error.errors == [error]


def test_several_refusals_are_one_error_that_is_the_first_of_them():
    quota = DomainError(N_("Enter the quota."), field="quota")
    number = DomainError(N_("Batch %(number)s already exists."), field="number", number=3)
    refused = DomainError.several([number, quota])
    assert type(refused) is DomainError
    assert refused.errors == [number, quota]
    assert (refused.message, refused.field, refused.params) == (
        number.message,
        "number",
        {"number": 3},
    )
