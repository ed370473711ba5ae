"""Domain errors: raised by services, shown as clear messages by the UI and the API."""

from __future__ import annotations


class DomainError(Exception):
    """A refused action. ``message`` says what to fix; ``field`` names the input at fault, if any."""

    status_code = 400
    code = "invalid"

    def __init__(self, message: str, *, field: str | None = None, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        if code:
            self.code = code

    def __str__(self) -> str:
        return self.message


class ValidationFailed(DomainError):
    code = "validation"


class NotPermitted(DomainError):
    status_code = 403
    code = "forbidden"


class NotFound(DomainError):
    status_code = 404
    code = "not_found"


class Conflict(DomainError):
    status_code = 409
    code = "conflict"
