"""Writes: one function per state change, called alike by pages, the API, tasks and commands."""


class DomainError(Exception):
    """A business rule refused the change. The message is shown to the user as it is."""

    def __init__(self, message, field=None):
        super().__init__(message)
        self.message = message
        self.field = field
