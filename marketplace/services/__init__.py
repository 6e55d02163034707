"""The domain: one function per change of state; no request, session or flash here."""


class DomainError(Exception):
    """A rule refused a change. `message` is a translatable, user-facing sentence."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
