"""Domain errors. Services raise these; app.py maps each to one HTTP status."""

from __future__ import annotations


class RoostError(Exception):
    status_code = 400

    def __init__(self, message: str, details: dict[str, object] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details

    @property
    def headers(self) -> dict[str, str]:
        """Response headers that go with this error (every 429's ``Retry-After``)."""
        return {}


class BadRequest(RoostError):
    status_code = 400


class Unauthorized(RoostError):
    status_code = 401


class Forbidden(RoostError):
    status_code = 403


class NotFound(RoostError):
    status_code = 404

    def __init__(self, message: str = "Record not found") -> None:
        super().__init__(message)


class Gone(RoostError):
    status_code = 410


class Conflict(RoostError):
    status_code = 409


class PayloadTooLarge(RoostError):
    status_code = 413


class Unprocessable(RoostError):
    status_code = 422


class ServiceUnavailable(RoostError):
    """Something Roost depends on (the media store) failed; the client may retry."""

    status_code = 503


class RateLimited(RoostError):
    """Too many actions: ``retry_after`` seconds until the limit's window frees a slot."""

    status_code = 429

    def __init__(self, message: str = "Too many requests", *, retry_after: int = 60) -> None:
        super().__init__(message)
        self.retry_after = max(1, retry_after)

    @property
    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.retry_after)}
