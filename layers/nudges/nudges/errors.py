"""The few failures the service names; the HTTP edge maps each to one status code."""

from __future__ import annotations


class NudgesError(Exception):
    status_code = 500

    def __init__(
        self, message: str, *, field: str | None = None, dependency: str | None = None, **details: str
    ) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        # For a 5xx: what is down (``greenhouse``, ``google``...), the dimension of its metric.
        self.dependency = dependency
        self.details = details  # more of the answer's body (a 409's ``candidate_id``)


class InvalidInput(NudgesError):
    status_code = 400


class Unauthorized(NudgesError):
    status_code = 401


class NotFound(NudgesError):
    status_code = 404


class Conflict(NudgesError):
    status_code = 409


class PayloadTooLarge(NudgesError):
    status_code = 413


class NotConfigured(NudgesError):
    """A part of the service the operator has not set up yet (a secret still empty): 503, naming
    what to fill in, instead of a 500 on a fresh stack."""

    status_code = 503


class SendInProgress(NudgesError):
    """Another delivery holds the send lease; retrying later finds it sent or expired."""


class ConcurrentUpdate(Exception):
    """Someone else wrote the item since we read it; read again and redo the change."""


class RecipientOptedOut(Exception):
    """The channel refused the text: the number is on its opt-out list (it texted STOP to the
    provider itself, which answers the keyword with its own response)."""
