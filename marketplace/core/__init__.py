"""The domain: one function per change of state; no request, session or flash here."""


def N_(message: str) -> str:  # noqa: N802 - the gettext convention for "mark, don't translate"
    """Mark a user-facing message for extraction; the web layer translates it when shown."""
    return message


class DomainError(Exception):
    """A rule refused a change.

    `message` is an English message id marked with N_() (translated by the view with
    `params` filled in, see web.i18n.error_message); `field` names the form field it is about.
    `errors` lists every refusal it stands for: itself alone, or each answer of a form that
    `several` refused at once, so a view shows `error.errors` whatever was raised.
    """

    def __init__(self, message: str, field: str | None = None, **params):
        super().__init__(message)
        self.message = message
        self.field = field
        self.params = params
        self.errors = [self]

    @classmethod
    def several(cls, errors: list["DomainError"]) -> "DomainError":
        """One refusal standing for several answers refused at once (a batch's form, a
        profile); it is itself the first of them, so code that shows one still works."""
        first = errors[0]
        refused = cls(first.message, field=first.field, **first.params)
        refused.errors = list(errors)
        return refused
