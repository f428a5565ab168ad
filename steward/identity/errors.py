"""Errors of sign-in and accounts. Messages never say whether an address has an account."""

from steward.core.errors import DomainError, Forbidden


class NotSignedIn(DomainError):
    status = 401
    title = "Not signed in"


class WrongCredentials(DomainError):
    status = 401
    title = "Sign-in failed"


class Throttled(DomainError):
    """Too many failures: wait `retry_after` seconds (sent as the Retry-After header)."""

    status = 429
    title = "Too many attempts"

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class Locked(DomainError):
    status = 423
    title = "Locked"


class MfaRequired(Forbidden):
    title = "Multi-factor authentication required"


class NotPermitted(Forbidden):
    title = "Not permitted"


class LinkInvalid(DomainError):
    status = 400
    title = "Link not valid"
